package demo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/scenario"
)

// startSim starts a collector on a fresh simulation of seed, warmed up for d.
func startSim(t *testing.T, seed uint64, d time.Duration) (*Sim, *collect.Collector) {
	t.Helper()
	s, c, ctx := watched(t, seed)
	if err := s.WarmUp(ctx, c, d); err != nil {
		t.Fatal(err)
	}
	return s, c
}

// workloadNamed waits until the collector's snapshot shows cond of the
// workload named name, and returns it.
func workloadNamed(t *testing.T, c *collect.Collector, name string, cond func(model.Workload) bool) model.Workload {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, w := range c.Snapshot().Workloads {
			if w.Ref.Name == name && cond(w) {
				return w
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed what the test waits for", name)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The simulated cluster serves pods/resize as Kubernetes 1.37 does: the
// API server checks and keeps it (a dry run keeps nothing), and the
// simulated kubelet shows it in progress, then runs with the new values:
// the same pod, its restarts as they were.
func TestDemoResizesInPlace(t *testing.T) {
	s, c := startSim(t, 1, 10*time.Minute)
	ctx := context.Background()
	c.Poll(ctx)
	if !c.Snapshot().Sources.InPlaceResize {
		t.Fatal("the demo's discovery does not serve pods/resize")
	}
	before := workloadNamed(t, c, "catalog", func(model.Workload) bool { return true })
	pod := before.Pods[0]
	body := []byte(`{"spec":{"containers":[{"name":"catalog","resources":{"limits":{"memory":"1536Mi"}}}]}}`)
	if res, err := c.Resize(ctx, scenario.Namespace, pod.Name, body, true); err != nil || res.Generation != pod.Resize.Generation+1 {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	res, err := c.Resize(ctx, scenario.Namespace, pod.Name, body, false)
	if err != nil || res.UID != pod.UID {
		t.Fatalf("resize: %+v %v", res, err)
	}
	inProgress := func(w model.Workload) bool { return w.Pods[0].Resize.InProgress != nil }
	settled := func(w model.Workload) bool {
		a := w.Containers[0].Instances[0].Resources.Applied
		return w.Pods[0].Resize.Settled() && w.Pods[0].Resize.Generation == res.Generation && a != nil && a.Limits.Memory == 1536<<20
	}
	if err := s.Advance(ctx, c); err != nil {
		t.Fatal(err)
	}
	workloadNamed(t, c, "catalog", inProgress)
	if err := s.Advance(ctx, c); err != nil {
		t.Fatal(err)
	}
	after := workloadNamed(t, c, "catalog", settled)
	if after.Pods[0].UID != pod.UID || after.Containers[0].Instances[0].RestartCount != before.Containers[0].Instances[0].RestartCount {
		t.Errorf("the pod was replaced or restarted: %+v", after.Pods[0])
	}

	// Refused as the API server refuses them: another QoS class, more than the node.
	guaranteed := []byte(`{"spec":{"containers":[{"name":"catalog","resources":{"requests":{"cpu":"2","memory":"1536Mi"}}}]}}`)
	if _, err := c.Resize(ctx, scenario.Namespace, pod.Name, guaranteed, true); !errors.Is(err, advisor.ErrInvalid) {
		t.Errorf("a QoS change: %v", err)
	}
	huge := []byte(`{"spec":{"containers":[{"name":"catalog","resources":{"requests":{"cpu":"9"},"limits":{"cpu":"10"}}}]}}`)
	if _, err := c.Resize(ctx, scenario.Namespace, pod.Name, huge, true); !errors.Is(err, advisor.ErrNodeCapacity) {
		t.Errorf("9 CPUs on an 8-CPU node: %v", err)
	}
}

// A Deployment's template patch rolls its pods even when they were resized
// to the same values in place: the controller replaces pods of an older
// template, as a real one does.
func TestDemoTemplatePatchRollsResizedPods(t *testing.T) {
	s, c := startSim(t, 1, 10*time.Minute)
	ctx := context.Background()
	before := workloadNamed(t, c, "gateway", func(model.Workload) bool { return true })
	for _, p := range before.Pods {
		if _, err := c.Resize(ctx, scenario.Namespace, p.Name, []byte(`{"spec":{"containers":[{"name":"gateway","resources":{"limits":{"memory":"640Mi"}}}]}}`), false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Apply(ctx, deploymentPatch("gateway", `{"spec":{"template":{"spec":{"containers":[{"name":"gateway","resources":{"limits":{"memory":"640Mi"}}}]}}}}`), false); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := s.Advance(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	workloadNamed(t, c, "gateway", func(w model.Workload) bool {
		return slices.ContainsFunc(w.Pods, func(p model.Pod) bool {
			return !slices.ContainsFunc(before.Pods, func(o model.Pod) bool { return o.UID == p.UID })
		})
	})
}

// The followed-up story: fifty minutes before the demo opens, kgotop cut
// ledger's memory in place (its pods kept running: an OnDelete StatefulSet),
// and it has been OOMKilled since; the advice raises it as critical, with
// the undo that puts 512Mi back.
func TestFollowedStory(t *testing.T) {
	snap := eightHours(t)
	i := slices.IndexFunc(snap.Workloads, func(w model.Workload) bool { return w.Ref.Name == "ledger" })
	if i < 0 {
		t.Fatal("no ledger in the demo")
	}
	w := snap.Workloads[i]
	if len(w.Changes) != 1 {
		t.Fatalf("changes %+v", w.Changes)
	}
	ch := w.Changes[0]
	if ch.Way != model.ChangeResize || !ch.Template || len(ch.Pods) != 2 || snap.Taken.Sub(ch.At) < scenario.FollowedAgo-time.Minute {
		t.Errorf("the change %+v (taken %s)", ch, snap.Taken)
	}
	for _, p := range w.Pods {
		if !p.Created.Before(ch.At) || !p.Resize.Settled() {
			t.Errorf("pod %s was replaced, or its resize never settled: %+v", p.Name, p)
		}
	}
	if c := w.Containers[0]; c.Resources.Limits.Memory != scenario.FollowedCut.Limits.Memory || c.Terminations("OOMKilled") == 0 {
		t.Errorf("ledger's template limit %d, OOMKills %d", c.Resources.Limits.Memory, c.Terminations("OOMKilled"))
	}
	a := advisor.AdviseWorkload(w, advisor.Options{Now: snap.Taken})
	j := slices.IndexFunc(a, func(a advisor.Advice) bool { return a.Kind == advisor.KindAfterChange })
	if j < 0 || a[j].Severity != advisor.Critical || !strings.Contains(a[j].Code, `"memory":"512Mi"`) {
		t.Fatalf("no critical follow-up with the undo: %+v", a)
	}
	// The restarts since must be possible under the kubelet's back-off
	// (10s, doubling to 5m): 40 in 50 minutes were not.
	if s, _ := advisor.FollowUp(w); s.Restarts == 0 || int(s.Restarts) > len(w.Pods)*mostRestarts(snap.Taken.Sub(ch.At)) {
		t.Errorf("%d restarts in %s across %d pods: more than the back-off allows (%d a pod)", s.Restarts, snap.Taken.Sub(ch.At), len(w.Pods), mostRestarts(snap.Taken.Sub(ch.At)))
	}
}

// mostRestarts is how often a container can restart in d under the
// kubelet's back-off, each run taking no time at all.
func mostRestarts(d time.Duration) int {
	n, backoff := 1, 10*time.Second
	for t := backoff; t <= d; t += backoff {
		n++
		backoff = min(2*backoff, 5*time.Minute)
	}
	return n
}
