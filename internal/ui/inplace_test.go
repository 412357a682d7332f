package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// drain runs cmd and every command its messages make, until none is left.
// A command that does not answer at once (a tick that waits) is left
// behind, as are the ticks and pauses that come back: the test sends those
// when it means to.
func drain(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	for cmd != nil {
		answer := make(chan tea.Msg, 1)
		go func() { answer <- cmd() }()
		var msg tea.Msg
		select {
		case msg = <-answer:
		case <-time.After(200 * time.Millisecond):
			return m
		}
		switch msg := msg.(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				if c != nil {
					m = drain(t, m, c)
				}
			}
			return m
		case tickMsg, pauseMsg:
			return m
		}
		var next tea.Model
		next, cmd = m.Update(msg)
		m = next.(Model)
	}
	return m
}

// flat is the screen with its line breaks and runs of spaces as one space.
func flat(m Model) string { return strings.Join(strings.Fields(screen(m)), " ") }

// openOrders opens the patch view of orders (a StatefulSet of one pod whose
// patch raises its memory limit) on a cluster that serves pods/resize.
func openOrders(t *testing.T, s model.Snapshot, f *fakeApply, rz *fakeResize, rec *recorder) Model {
	t.Helper()
	return press(t, start(t, resizeDeps(s, f, rz, rec), 120, 40), "down", "p")
}

// confirmed opens orders' patch view, dry-runs the in-place resize (i)
// and confirms it (Y): its pod's resize is sent, the kubelet not heard from.
func confirmed(t *testing.T, m Model) Model {
	t.Helper()
	m = drain(t, press(t, m, "down", "p"), func() tea.Msg { return keyPress("i") })
	return drain(t, m, func() tea.Msg { return keyPress("Y") })
}

// The patch view offers the in-place resize beside the template patch and
// says in which order they go and why; i dry-runs the pod's resize and the
// template patch, and one Y resizes the pod, waits for its kubelet, rests,
// then patches the template, and files the change.
func TestInPlaceResizeRuns(t *testing.T) {
	f, rz, rec := &fakeApply{}, &fakeResize{}, &recorder{}
	s := resizable()
	m := openOrders(t, s, f, rz, rec)
	v := screen(m)
	for _, want := range []string{"IN PLACE", "i resizes 1 running pod in place, then applies this patch",
		"1. pod orders-0: a server-side dry run first, then for real, and a wait until the kubelet has applied it", "2. then the template patch, so that pods made from now on get the same values",
		"a statefulset replaces its pods on any template change", "env[GOMAXPROCS]", "cannot change in a running pod"} {
		if !strings.Contains(v, want) {
			t.Errorf("patch view lacks %q", want)
		}
	}
	if !strings.Contains(footer(m), "i resize in place") {
		t.Errorf("footer %q", footer(m))
	}
	if t.Failed() {
		t.Log(v)
	}

	m, cmd := pressCmd(t, m, "i")
	m = drain(t, m, cmd)
	if m.patch.ip.state != ipConfirm || fmt.Sprint(rz.calls) != "[orders-0 dry]" || len(f.calls) != 1 || !f.calls[0].dryRun {
		t.Fatalf("dry runs: state %v, resize calls %v, apply calls %+v", m.patch.ip.state, rz.calls, f.calls)
	}
	if v := screen(m); !strings.Contains(v, "Resize 1 running pod in place, then patch statefulset orders? Press Y") {
		t.Errorf("no confirmation:\n%s", v)
	}

	m, cmd = pressCmd(t, m, "Y")
	m = drain(t, m, cmd)
	if m.patch.ip.state != ipWaiting || fmt.Sprint(rz.calls) != "[orders-0 dry orders-0 real]" || len(f.calls) != 1 {
		t.Fatalf("after Y: state %v, calls %v %+v", m.patch.ip.state, rz.calls, f.calls)
	}
	// The template patch's effect alone would mislead now: the IN PLACE
	// section says what it does after the resize.
	if v := screen(m); !strings.Contains(v, "Resizing in place: 0 of 1 pod done") || !strings.Contains(v, "… orders-0 sent; waiting for the kubelet") ||
		!strings.Contains(footer(m), "esc stop after this pod") || strings.Contains(v, "Applying restarts the pods") {
		t.Errorf("waiting:\n%s", v)
	}

	// The kubelet acts on generation 2: done; the run rests, then patches the template.
	done := resizable()
	o := workloadOf(&done, "orders")
	o.Pods[0].Resize = model.PodResize{Generation: 2, ObservedGeneration: 2}
	m = refreshWith(t, m, done)
	if v := screen(m); m.patch.ip.state != ipPause || !strings.Contains(v, "✓ orders-0 done: same pod, running with the new values") || !strings.Contains(v, "Resizing in place: 1 of 1 pod done") {
		t.Fatalf("state %v:\n%s", m.patch.ip.state, screen(m))
	}
	next, cmd := m.Update(pauseMsg{seq: m.patch.seq})
	m = drain(t, next.(Model), cmd)
	if m.patch.ip.state != ipDone || len(f.calls) != 2 || f.calls[1].dryRun {
		t.Fatalf("template: state %v, apply calls %+v", m.patch.ip.state, f.calls)
	}
	if len(rec.changes) != 1 {
		t.Fatalf("filed %d changes", len(rec.changes))
	}
	ch := rec.changes[0]
	if ch.Way != model.ChangeResize || !ch.Template || fmt.Sprint(ch.Pods) != "[orders-0]" || ch.Stopped != "" || ch.Restarts["orders-0"] != 4 || !ch.At.Equal(t0) ||
		!ch.ReachedAt("orders-0").Equal(t0) {
		t.Errorf("filed %+v", ch)
	}
	// Done: what was applied and that nothing is left, not the offer made before.
	v = flat(m)
	for _, want := range []string{"✓ resized 1 pod in place and patched the template", "Nothing left to apply", "APPLIED"} {
		if !strings.Contains(v, want) {
			t.Errorf("done lacks %q:\n%s", want, screen(m))
		}
	}
	for _, stale := range []string{"Applying", "i resizes", "ADVICE IN THIS PATCH", "[x]"} {
		if strings.Contains(v, stale) {
			t.Errorf("done still says %q:\n%s", stale, screen(m))
		}
	}
}

// The run stops at the first pod the kubelet says Infeasible, and says what
// to do; what it changed is filed, the template left alone.
func TestInPlaceResizeStopsAtInfeasible(t *testing.T) {
	f, rz, rec := &fakeApply{}, &fakeResize{}, &recorder{}
	m := confirmed(t, start(t, resizeDeps(resizable(), f, rz, rec), 120, 40))
	inf := resizable()
	workloadOf(&inf, "orders").Pods[0].Resize = model.PodResize{Generation: 2, ObservedGeneration: 2,
		Pending: &model.Condition{Reason: model.ResizeInfeasible, Message: `Resize is infeasible for Guaranteed Pods alongside CPU Manager policy "static"`, ObservedGeneration: 2}}
	next, cmd := m.Update(snapshotFor(t, m, inf))
	mm := drain(t, next.(Model), cmd)
	v := screen(mm)
	if mm.patch.ip.state != ipStopped || !strings.Contains(v, "Pod orders-0's resize is Infeasible") || !strings.Contains(v, "a applies the template patch") ||
		!strings.Contains(v, "✗ orders-0 infeasible") {
		t.Fatalf("state %v:\n%s", mm.patch.ip.state, v)
	}
	if len(f.calls) != 1 || len(rec.changes) != 1 || rec.changes[0].Template || !strings.Contains(rec.changes[0].Stopped, "Infeasible") {
		t.Errorf("apply calls %+v, filed %+v", f.calls, rec.changes)
	}
}

// snapshotFor is the refresh message that brings s.
func snapshotFor(t *testing.T, m Model, s model.Snapshot) tea.Msg {
	t.Helper()
	d := m.deps
	return fetchCmd(func() model.Snapshot { return s }, d.Advisor, d.Now, m.seq, m.rowCache)()
}

// A resize the API server refuses (more than the node has: 403
// NodeCapacity) stops the run there and says so; nothing is filed when no
// pod was resized.
func TestInPlaceResizeRefusedByNodeCapacity(t *testing.T) {
	f, rec := &fakeApply{}, &recorder{}
	short := &advisor.NodeCapacityError{Message: "node didn't have enough allocatable resources: cpu, requested: 9000, allocatable: 8000; memory, ...",
		Short: []advisor.NodeShortfall{{Resource: advisor.CPU, Requested: 9000, Allocatable: 8000}, {Resource: advisor.Memory, Requested: 33 << 30, Allocatable: 32 << 30}}}
	rz := &fakeResize{errs: map[string]error{"orders-0": fmt.Errorf("resizing pod shop/orders-0: %w", short)}}
	s := resizable()
	workloadOf(&s, "orders").Pods[0].Node = "node-a"
	m := confirmed(t, start(t, resizeDeps(s, f, rz, rec), 120, 40))
	v := flat(m)
	for _, want := range []string{"Pod orders-0's resize is infeasible: the pod would request CPU 9 and memory 33Gi in all, and node node-a can allocate 8 and 32Gi at all.",
		"(403 NodeCapacity): nothing changed", "a applies the template patch instead", "they wait Pending", "✗ orders-0 refused: see above"} {
		if m.patch.ip.state != ipStopped || !strings.Contains(v, want) {
			t.Errorf("state %v, no %q:\n%s", m.patch.ip.state, want, v)
		}
	}
	if len(rec.changes) != 0 || len(f.calls) != 1 {
		t.Errorf("filed %+v, apply calls %+v", rec.changes, f.calls)
	}
}

// A change a running pod cannot take (its memory limit cut below what the
// pod uses now) is refused up front, with the template patch offered
// instead; i does nothing.
func TestInPlaceResizeRefusedUpFront(t *testing.T) {
	s := resizable()
	a := workloadOf(&s, "accounts") // its patch cuts the memory limit from 4Gi to 213Mi, the upper bound on under a day
	a.Containers[0].Instances[0].Usage.Memory = 250 * mi
	rz := &fakeResize{}
	m := start(t, resizeDeps(s, &fakeApply{}, rz, &recorder{}), 120, 40)
	for i := 0; i < len(m.table.rows); i++ {
		if r, _, _ := m.table.current(); r.ref.Name == "accounts" {
			break
		}
		m = press(t, m, "down")
	}
	m = press(t, m, "p")
	v := flat(m)
	for _, want := range []string{"IN PLACE not possible", "would go to 213Mi, below what it uses in pod accounts-0 now (250Mi)",
		"a applies the template patch instead: rolls out new pods"} {
		if !strings.Contains(v, want) {
			t.Errorf("patch view lacks %q:\n%s", want, screen(m))
		}
	}
	m2, cmd := pressCmd(t, m, "i")
	if cmd != nil || m2.patch.ip.state != ipIdle || len(rz.calls) > 0 {
		t.Errorf("i started a refused resize")
	}
	if n := m2.notice.Text; !strings.Contains(n, "no in-place resize: ") || !strings.Contains(n, "below what it uses in pod accounts-0 now") ||
		!strings.HasSuffix(n, "a applies the template patch instead") {
		t.Errorf("i says %q, want why it cannot resize in place", n)
	}
	if strings.Contains(footer(m), "resize in place") {
		t.Errorf("the footer offers i: %q", footer(m))
	}
}

// Read-only: i is off, as a is.
func TestInPlaceResizeReadOnly(t *testing.T) {
	rz := &fakeResize{}
	d := resizeDeps(resizable(), &fakeApply{}, rz, &recorder{})
	d.ReadOnly = true
	m := press(t, start(t, d, 120, 40), "down", "p")
	m, cmd := pressCmd(t, m, "i")
	if cmd != nil || len(rz.calls) > 0 || !strings.Contains(m.notice.Text, "read-only") {
		t.Errorf("read-only resized: %v, notice %q", rz.calls, m.notice.Text)
	}
	if v := screen(m); !strings.Contains(v, "read-only: i is off") {
		t.Errorf("the IN PLACE section should say it is off:\n%s", v)
	}
}

// esc while a pod is being waited for stops the run after it: no next pod,
// no template patch; what was resized is filed, saying so.
func TestInPlaceResizeStoppedByHand(t *testing.T) {
	f, rz, rec := &fakeApply{}, &fakeResize{}, &recorder{}
	m := confirmed(t, start(t, resizeDeps(resizable(), f, rz, rec), 120, 40))
	m = drain(t, m, func() tea.Msg { return keyPress("esc") })
	if m.view != viewPatch || m.patch.ip.state != ipStopped || len(f.calls) != 1 {
		t.Fatalf("view %v state %v apply calls %d", m.view, m.patch.ip.state, len(f.calls))
	}
	if len(rec.changes) != 1 || rec.changes[0].Template || !strings.Contains(rec.changes[0].Stopped, "Stopped by you after 1 pod") {
		t.Errorf("filed %+v", rec.changes)
	}
	// A late answer for the run is dropped.
	if next, _ := m.Update(pauseMsg{seq: m.patch.seq - 1}); next.(Model).patch.ip.state != ipStopped {
		t.Error("a stale pause restarted the run")
	}
	if m = press(t, m, "esc"); m.view == viewPatch {
		t.Error("esc after the stop should leave the view")
	}
}

// A pod that restarted while it was resized is marked so, and the cause is
// said only when its resizePolicy asked for it.
func TestInPlaceResizeSaysARestart(t *testing.T) {
	for _, policy := range []bool{false, true} {
		s := resizable()
		workloadOf(&s, "orders").Containers[0].RestartOnResize.Memory = policy
		m := confirmed(t, start(t, resizeDeps(s, &fakeApply{}, &fakeResize{}, &recorder{}), 160, 40))
		done := resizable()
		o := workloadOf(&done, "orders")
		o.Pods[0].Resize = model.PodResize{Generation: 2, ObservedGeneration: 2}
		o.Containers[0].Instances[0].RestartCount = 5
		v := flat(refreshWith(t, m, done))
		want := map[bool]string{false: "✓! orders-0 done, but it restarted meanwhile, restarts 4 → 5",
			true: "✓! orders-0 done, its containers restarted as their resizePolicy RestartContainer asks, restarts 4 → 5"}[policy]
		if !strings.Contains(v, want) {
			t.Errorf("RestartContainer %v: no %q in\n%s", policy, want, v)
		}
	}
}

// A pod that restarted after the patch view opened, before its turn, did
// so with its old values: the run counts its restarts, and what happens to
// it, from its own resize on.
func TestInPlaceResizeCountsFromThePodsTurn(t *testing.T) {
	rec := &recorder{}
	m := press(t, start(t, resizeDeps(resizable(), &fakeApply{}, &fakeResize{}, rec), 160, 40), "down", "p")
	restarted := resizable()
	workloadOf(&restarted, "orders").Containers[0].Instances[0].RestartCount = 6
	m = refreshWith(t, m, restarted)
	m = drain(t, m, func() tea.Msg { return keyPress("i") })
	m = drain(t, m, func() tea.Msg { return keyPress("Y") })

	done := resizable()
	o := workloadOf(&done, "orders")
	o.Pods[0].Resize = model.PodResize{Generation: 2, ObservedGeneration: 2}
	o.Containers[0].Instances[0].RestartCount = 6
	v := flat(refreshWith(t, m, done))
	if !strings.Contains(v, "✓ orders-0 done: same pod") || strings.Contains(v, "restarted meanwhile") {
		t.Errorf("a restart before its turn is not one of the resize:\n%s", v)
	}
	next, cmd := refreshWith(t, m, done).Update(pauseMsg{seq: m.patch.seq})
	drain(t, next.(Model), cmd)
	if len(rec.changes) != 1 || rec.changes[0].Restarts["orders-0"] != 6 || !rec.changes[0].At.Equal(t0) {
		t.Fatalf("filed %+v", rec.changes)
	}
}

// Discovery answers after the first snapshots: a patch view opened before
// it offers the resize once a snapshot says the cluster serves it.
func TestInPlaceResizeOfferedOnceDiscovered(t *testing.T) {
	early := resizable()
	early.Sources.InPlaceResize = false
	m := openOrders(t, early, &fakeApply{}, &fakeResize{}, &recorder{})
	if v := screen(m); strings.Contains(v, "IN PLACE") {
		t.Fatalf("offered before the cluster said it serves pods/resize:\n%s", v)
	}
	m = refreshWith(t, m, resizable())
	if v := screen(m); !strings.Contains(v, "i resizes 1 running pod in place") || !strings.Contains(footer(m), "i resize in place") {
		t.Errorf("not offered once discovered:\n%s", v)
	}
}

// Where the API server serves no pods/resize, i says so and what a does.
func TestInPlaceResizeNotServed(t *testing.T) {
	rz := &fakeResize{}
	s := resizable()
	s.Sources.InPlaceResize = false
	m := press(t, start(t, resizeDeps(s, &fakeApply{}, rz, &recorder{}), 120, 40), "down", "p")
	if strings.Contains(screen(m), "IN PLACE") {
		t.Errorf("the patch view offers a resize the cluster does not serve:\n%s", screen(m))
	}
	m, cmd := pressCmd(t, m, "i")
	if cmd != nil || len(rz.calls) > 0 || !strings.Contains(m.notice.Text, "does not serve pods/resize") {
		t.Errorf("i: calls %v, notice %q", rz.calls, m.notice.Text)
	}
}
