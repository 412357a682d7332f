package resize

import (
	"slices"

	"github.com/kgotop/kgotop/internal/model"
)

// State is how far one pod's resize has come.
type State int

// The states of a pod's resize, as its status tells them.
const (
	// Sent: the API server took it; the kubelet has not acted on it yet.
	Sent State = iota
	// Applying: PodResizeInProgress, the kubelet is applying it.
	Applying
	// Deferred: PodResizePending Deferred, the node has no room now; the
	// kubelet retries when room frees up.
	Deferred
	// Infeasible: PodResizePending Infeasible, the node cannot do it.
	Infeasible
	// Failed: PodResizeInProgress Error, the kubelet could not apply it (a
	// memory limit below usage, ...); it retries.
	Failed
	// Done: the kubelet acted on the pod's newest spec; nothing is pending.
	Done
	// Gone: the pod was deleted or made again (another UID).
	Gone
)

// String names the state for people.
func (s State) String() string {
	return [...]string{"sent", "being applied", "deferred", "infeasible", "failed", "done", "gone"}[s]
}

// Stops reports whether a resize in this state stops the pod-by-pod run:
// the kubelet will not apply it as asked, so the next pod would fare alike.
func (s State) Stops() bool { return s == Infeasible || s == Failed || s == Gone }

// Progress is where a pod's resize stands.
type Progress struct {
	State State
	// Message is the kubelet's condition message.
	Message string
	// Restarts are the pod's container restarts now; Applied is what its
	// containers run with now (nil where the kubelet reports nothing), in
	// the step's container order.
	Restarts int32
	Applied  []*model.Resources
}

// Track returns how far the resize of step s has come in w, once the API
// server took it at pod generation gen.
func Track(w model.Workload, s Step, gen int64) Progress {
	i := slices.IndexFunc(w.Pods, func(p model.Pod) bool { return p.Name == s.Pod })
	if i < 0 || w.Pods[i].UID != s.UID {
		return Progress{State: Gone}
	}
	pod := w.Pods[i]
	var out Progress
	for _, c := range w.Containers {
		in, ok := instance(c, s.Pod)
		if !ok {
			continue
		}
		out.Restarts += in.RestartCount
		if slices.ContainsFunc(s.Containers, func(cs ContainerStep) bool { return cs.Name == c.Name }) {
			out.Applied = append(out.Applied, in.Resources.Applied)
		}
	}
	r := pod.Resize
	current := func(c *model.Condition) bool {
		return c != nil && (c.ObservedGeneration == 0 || c.ObservedGeneration >= gen)
	}
	switch {
	case current(r.Pending) && r.Pending.Reason == model.ResizeInfeasible:
		out.State, out.Message = Infeasible, r.Pending.Message
	case current(r.Pending):
		out.State, out.Message = Deferred, r.Pending.Message
	case current(r.InProgress) && r.InProgress.Reason == model.ResizeError:
		out.State, out.Message = Failed, r.InProgress.Message
	case current(r.InProgress):
		out.State = Applying
	case r.Pending == nil && r.InProgress == nil && (r.ObservedGeneration >= gen || r.ObservedGeneration == 0 && applied(s, out.Applied)):
		out.State = Done
	}
	return out
}

// applied reports whether every container of the step runs with its new
// values, as far as the kubelet reports them.
func applied(s Step, now []*model.Resources) bool {
	if len(now) != len(s.Containers) {
		return false
	}
	for i, cs := range s.Containers {
		if now[i] == nil || now[i].Requests != cs.After.Requests || now[i].Limits != cs.After.Limits {
			return false
		}
	}
	return true
}
