package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/resize"
)

// stepPause is how long the run rests after a pod's resize is done before
// it starts the next pod's: long enough to see each pod finish.
const stepPause = 1500 * time.Millisecond

// ipState is where the patch view's in-place resize stands.
type ipState int

const (
	ipIdle     ipState = iota // offered (or refused), not started
	ipDryRun                  // the dry runs: each pod's, then the template's
	ipConfirm                 // every dry run passed: waiting for Y
	ipResizing                // a pod's resize is being sent
	ipWaiting                 // waiting for the pod's kubelet to apply it
	ipPause                   // the pod is done: a rest before the next one
	ipTemplate                // the template patch is being sent
	ipDone                    // every pod resized, the template patched
	ipStopped                 // stopped: at a pod, by a refusal, or by the person
)

// inPlace is the in-place resize the patch view offers beside the template
// patch: its plan, and the pod-by-pod run once confirmed, which the view
// paces and the snapshots follow (see patchModel.observe).
type inPlace struct {
	// offered is whether the cluster serves pods/resize and the patch
	// changes a request or a limit; plan says what can be done in place.
	offered bool
	plan    resize.Plan
	state   ipState
	// step is the step in flight; gens the generation each pod's real
	// resize answered with (0: not sent), progress how far each has come.
	step     int
	gens     []int64
	progress []resize.Progress
	// since is when the current pod's resize was sent, seen when the last
	// snapshot came (the view shows how long it has waited).
	since, seen time.Time
	// stopped says why the run stopped and what to do; failure is the
	// error of a refused call.
	stopped string
	failure error
	// record is the change as it is filed when the run ends.
	record model.AppliedChange
}

// active reports whether the run is past its confirmation and not over.
func (ip inPlace) active() bool {
	return ip.state >= ipResizing && ip.state <= ipTemplate
}

// chosen reports whether the in-place resize is the way under way (its dry
// runs, its confirmation, the run, or done): the IN PLACE section then says
// what the template patch does after it, and the effect of the template
// patch alone would mislead.
func (ip inPlace) chosen() bool {
	return ip.state != ipIdle && ip.state != ipStopped
}

// busy reports whether a call of the run is in flight.
func (ip inPlace) busy() bool {
	return ip.state == ipDryRun || ip.state == ipResizing || ip.state == ipTemplate
}

// resizeFunc is Deps.Resize.
type resizeFunc = func(ctx context.Context, namespace, pod string, body []byte, dryRun bool) (int64, error)

// resizeMsg answers resizeCmd: what the API server made of the resize of
// step numbered seq.
type resizeMsg struct {
	seq    uint64
	step   int
	dryRun bool
	gen    int64
	err    error
}

// resizeCmd sends one pod's resize (or its dry run) off the UI goroutine.
func resizeCmd(ctx context.Context, fn resizeFunc, namespace string, s resize.Step, dryRun bool, step int, seq uint64) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, applyTimeout)
		defer cancel()
		gen, err := fn(ctx, namespace, s.Pod, s.Body, dryRun)
		return resizeMsg{seq: seq, step: step, dryRun: dryRun, gen: gen, err: err}
	}
}

// pauseMsg ends the rest after a pod of the run numbered seq.
type pauseMsg struct{ seq uint64 }

// recordedMsg answers recordCmd: the change is filed.
type recordedMsg struct{}

// recordCmd files a change applied from the dashboard (Deps.Record, which
// may write a file) off the UI goroutine.
func recordCmd(record func(model.AppliedChange), ch model.AppliedChange) tea.Cmd {
	if record == nil {
		return nil
	}
	return func() tea.Msg {
		record(ch)
		return recordedMsg{}
	}
}

// startInPlace starts the dry runs of the in-place resize: each pod's, then
// the template patch's.
func (p patchModel) startInPlace(ctx context.Context, acts actions) (patchModel, tea.Cmd) {
	ip := p.ip
	if !ip.offered || !ip.plan.InPlace() || ip.state != ipIdle || p.err != nil || p.busy() || acts.resize == nil {
		return p, nil
	}
	p.seq++
	p.state = patchPreview
	p.ip = inPlace{offered: true, plan: ip.plan, state: ipDryRun,
		gens: make([]int64, len(ip.plan.Steps)), progress: make([]resize.Progress, len(ip.plan.Steps))}
	return p.relayout(), resizeCmd(ctx, acts.resize, p.patch.Namespace, ip.plan.Steps[0], true, 0, p.seq)
}

// noResize says why i cannot resize in place now, or "" when it can (or
// a run is under way, which i leaves alone).
func (p patchModel) noResize(served bool) string {
	switch {
	case p.err != nil || p.busy() || p.ip.state != ipIdle:
		return ""
	case !served:
		return "no in-place resize: the API server does not serve pods/resize (Kubernetes 1.33 or later); a applies the template patch, which rolls out new pods"
	case !p.ip.offered:
		return "no in-place resize: the patch changes no request or limit; a applies it"
	case !p.ip.plan.InPlace():
		why := "no in-place resize: " + strings.Join(p.ip.plan.Refused, "; ")
		return why + "; a applies the template patch instead"
	}
	return ""
}

// confirmInPlace starts the run for real (Y): the first pod's resize.
func (p patchModel) confirmInPlace(ctx context.Context, acts actions) (patchModel, tea.Cmd) {
	p.seq++
	p.ip.record = p.record(model.ChangeResize, acts.now())
	p.ip.record.Template, p.ip.record.Resized = false, map[string]time.Time{}
	p.ip.state, p.ip.step = ipResizing, 0
	return p.relayout(), resizeCmd(ctx, acts.resize, p.patch.Namespace, p.ip.plan.Steps[0], false, 0, p.seq)
}

// resized takes the API server's answer to a pod's resize.
func (p patchModel) resized(ctx context.Context, msg resizeMsg, acts actions) (patchModel, tea.Cmd) {
	if msg.seq != p.seq || !p.ip.busy() || msg.step != p.ip.step {
		return p, nil
	}
	pod := p.ip.plan.Steps[msg.step].Pod
	switch {
	case errors.Is(msg.err, advisor.ErrNodeCapacity):
		return p.stop(nodeTooSmall(pod, nodeOf(p.w, pod), msg.err), msg.err, acts)
	case msg.err != nil:
		what := "The resize of pod " + pod + " was refused"
		if msg.dryRun {
			what = "The dry run of pod " + pod + "'s resize failed"
		}
		return p.stop(what+": "+explainResize(msg.err, p.patch), msg.err, acts)
	}
	if msg.dryRun {
		p.ip.step++
		if p.ip.step < len(p.ip.plan.Steps) {
			return p.relayout(), resizeCmd(ctx, acts.resize, p.patch.Namespace, p.ip.plan.Steps[p.ip.step], true, p.ip.step, p.seq)
		}
		return p.relayout(), applyCmd(ctx, acts.apply, p.patch, true, p.seq) // then the template's
	}
	p.ip.gens[msg.step], p.ip.state, p.ip.since = msg.gen, ipWaiting, acts.now()
	p.ip.record.Pods = append(p.ip.record.Pods, pod)
	// Its restarts from before, while it waited its turn, were with its old
	// values.
	if n, ok := p.restarts[pod]; ok {
		p.ip.record.Restarts[pod] = n
	}
	return p.relayout(), nil
}

// observe follows the pod being resized in a new snapshot of the workload
// (nil when it is gone): done, it rests before the next pod; infeasible,
// failed or gone, it stops the run.
func (p patchModel) observe(w *model.Workload, acts actions) (patchModel, tea.Cmd) {
	if w != nil {
		p.restarts = w.PodRestarts()
	}
	if p.ip.state != ipWaiting {
		return p, nil
	}
	i := p.ip.step
	s := p.ip.plan.Steps[i]
	pr := resize.Progress{State: resize.Gone}
	if w != nil {
		pr = resize.Track(*w, s, p.ip.gens[i])
	}
	p.ip.progress[i], p.ip.seen = pr, acts.now()
	switch {
	case pr.State == resize.Done:
		// The change has reached the pod: what it goes through from now on,
		// it goes through with the new values.
		p.ip.record.Resized[s.Pod] = p.ip.seen
		p.ip.state = ipPause
		seq := p.seq
		return p.relayout(), tea.Tick(stepPause, func(time.Time) tea.Msg { return pauseMsg{seq: seq} })
	case pr.State.Stops():
		return p.stop(stopAdvice(s.Pod, pr), nil, acts)
	}
	return p.relayout(), nil
}

// rested ends the rest after a pod: the next pod's resize, or the template
// patch after the last.
func (p patchModel) rested(ctx context.Context, msg pauseMsg, acts actions) (patchModel, tea.Cmd) {
	if msg.seq != p.seq || p.ip.state != ipPause {
		return p, nil
	}
	p.ip.step++
	if p.ip.step < len(p.ip.plan.Steps) {
		p.ip.state = ipResizing
		return p.relayout(), resizeCmd(ctx, acts.resize, p.patch.Namespace, p.ip.plan.Steps[p.ip.step], false, p.ip.step, p.seq)
	}
	p.ip.state = ipTemplate
	return p.relayout(), applyCmd(ctx, acts.apply, p.patch, false, p.seq)
}

// templated takes the answer to the template patch's dry run or apply of
// the run; it reports whether it was the run's.
func (p patchModel) templated(msg applyMsg, acts actions) (patchModel, tea.Cmd, bool) {
	if msg.seq != p.seq || (p.ip.state != ipDryRun && p.ip.state != ipTemplate) {
		return p, nil, false
	}
	switch {
	case msg.err != nil && msg.dryRun:
		p, cmd := p.stop("The dry run of the template patch failed: "+explainFailure(msg.err, p.patch), msg.err, acts)
		return p, cmd, true
	case msg.err != nil:
		p, cmd := p.stop("Every pod is resized, but the template patch failed: "+explainFailure(msg.err, p.patch)+
			" Until the template carries the change, the next rollout undoes it: a tries the patch again.", msg.err, acts)
		return p, cmd, true
	case msg.dryRun:
		p.ip.state, p.result = ipConfirm, msg.summary
		return p.relayout(), nil, true
	}
	p.ip.state, p.result = ipDone, msg.summary
	p.ip.record.Template = true
	return p.relayout(), recordCmd(acts.record, p.ip.record), true
}

// stop ends the run with why and what to do, filing what it changed.
func (p patchModel) stop(why string, err error, acts actions) (patchModel, tea.Cmd) {
	wasRunning := p.ip.active()
	p.ip.state, p.ip.stopped, p.ip.failure = ipStopped, why, err
	if !wasRunning || len(p.ip.record.Pods) == 0 {
		return p.relayout(), nil
	}
	p.ip.record.Stopped = why
	return p.relayout(), recordCmd(acts.record, p.ip.record)
}

// stopByHand stops the run at the person's asking (esc): no more pods,
// no template patch.
func (p patchModel) stopByHand(acts actions) (patchModel, tea.Cmd) {
	p.seq++ // an answer in flight is for a run no longer going
	done := len(p.ip.record.Pods)
	why := fmt.Sprintf("Stopped by you after %s; the template is not patched, so the next rollout undoes what was resized: a patches it.", plural(done, "pod"))
	return p.stop(why, nil, acts)
}

// stopAdvice says what stopped the run at a pod, and what to do.
func stopAdvice(pod string, pr resize.Progress) string {
	switch pr.State {
	case resize.Infeasible:
		return fmt.Sprintf("Pod %s's resize is Infeasible: %s. Its node cannot do it in place (the pod keeps what it had); a applies the template patch: a rollout makes new pods with the new values, which the scheduler places where they fit.", pod, pr.Message)
	case resize.Failed:
		return fmt.Sprintf("Pod %s's resize failed (PodResizeInProgress Error): %s. The kubelet keeps the old values and tries again; a smaller cut, or a rollout (a) that starts new pods small, is the way.", pod, pr.Message)
	}
	return fmt.Sprintf("Pod %s is gone or was made again during its resize: the run stops; r refreshes, and the patch view plans again.", pod)
}

// explainResize says why a pod's resize was refused, and what to do.
func explainResize(err error, p advisor.Patch) string {
	switch {
	case errors.Is(err, advisor.ErrForbidden):
		return "your credentials may not patch pods/resize in " + p.Namespace + " (grant patch on pods/resize); nothing was changed."
	case errors.Is(err, advisor.ErrInvalid):
		return "the API server refused it as invalid: " + err.Error()
	case errors.Is(err, advisor.ErrConflict):
		return "the pod changed meanwhile; r refreshes, then i plans again."
	case errors.Is(err, advisor.ErrNotFound):
		return "the pod is gone."
	}
	return err.Error()
}

// nodeTooSmall says that pod's resize is infeasible: it asks for more than
// its node can allocate at all, which the API server refuses (1.36+, a 403
// with cause NodeCapacity, dry run or not; kubelets before marked it
// PodResizePending Infeasible); and what to do.
func nodeTooSmall(pod, node string, err error) string {
	where := "its node"
	if node != "" {
		where = "node " + node
	}
	what := "more than " + where + " can allocate at all"
	var e *advisor.NodeCapacityError
	if errors.As(err, &e) && len(e.Short) > 0 {
		var want, has []string
		for _, s := range e.Short {
			amount := model.FormatBytes
			if s.Resource == advisor.CPU {
				amount = model.FormatCPU
			}
			want = append(want, ifElse(s.Resource == advisor.CPU, "CPU ", "memory ")+amount(s.Requested))
			has = append(has, amount(s.Allocatable))
		}
		what = fmt.Sprintf("the pod would request %s in all, and %s can allocate %s at all", strings.Join(want, " and "), where, strings.Join(has, " and "))
	}
	return fmt.Sprintf("Pod %s's resize is infeasible: %s. The API server refuses it (403 NodeCapacity): nothing changed. "+
		"No resize fits on that node: a applies the template patch instead, whose new pods start only on a node with that much room "+
		"(where none has it, they wait Pending); space leaves a change out.", pod, what)
}

// nodeOf is the node pod runs on, "" when w does not say.
func nodeOf(w *model.Workload, pod string) string {
	if w == nil {
		return ""
	}
	for _, p := range w.Pods {
		if p.Name == pod {
			return p.Node
		}
	}
	return ""
}
