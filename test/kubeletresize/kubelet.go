package main

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// allocation is what the kubelet has allocated to each container of a pod, by
// container name: the resources it admitted, which the runtime then actuates.
// A real kubelet keeps it in a checkpoint file; the stand-in keeps it in
// memory and rebuilds it from the pod's status when it starts.
type allocation map[string]corev1.ResourceRequirements

// kubelet holds the stand-in's knobs: how long actuating a resize takes (the
// time PodResizeInProgress shows), and how often a deferred resize or a
// failed actuation is tried again.
type kubelet struct {
	delay time.Duration
	retry time.Duration
	// usage reads a running pod's memory usage by container, in bytes; nil
	// or no value for a container: no check of memory limits against usage.
	usage func(pod *corev1.Pod) map[string]int64
}

// event is one kubelet event about the pod.
type event struct {
	warning bool
	reason  string
	message string
}

// step is what the kubelet does to one pod now: the status to write (nil if
// none), the events to record once it is written, the allocation to keep,
// and when to look at the pod again (0: when it changes).
type step struct {
	status *corev1.PodStatus
	events []event
	alloc  allocation
	after  time.Duration
}

// sync is one pass of the kubelet over a running pod, as kubelet 1.37 does it
// for in-place resize: report the resources it runs with; when the spec asks
// for other resources, admit them (PodResizeInProgress) or not
// (PodResizePending: Deferred or Infeasible); once the delay has passed,
// actuate them (restarting the containers whose resize policy says so).
// alloc is the pod's current allocation, nil if not known yet.
func (k kubelet) sync(pod *corev1.Pod, node *corev1.Node, others []*corev1.Pod, alloc allocation, now time.Time) step {
	if alloc == nil {
		alloc = allocationFromStatus(pod)
	}
	st := pod.Status.DeepCopy()
	s := step{alloc: alloc}
	gen := pod.Generation

	// A container the kubelet has not reported resources for yet runs with
	// what was allocated when it started.
	eachStatus(pod, st, func(c *corev1.Container, cs *corev1.ContainerStatus) {
		if cs.Resources == nil {
			r := alloc[c.Name]
			cs.Resources = r.DeepCopy()
		}
	})

	desired := desiredAllocation(pod)
	pending := condition(st, corev1.PodResizePending)
	switch {
	case equality.Semantic.DeepEqual(desired, alloc):
		// Nothing new to allocate: a resize that was pending is withdrawn.
		removeCondition(st, corev1.PodResizePending)
	case pending != nil && pending.Reason == corev1.PodReasonInfeasible && pending.ObservedGeneration == gen:
		// Infeasible is final for this generation.
	default:
		s = k.allocate(pod, node, others, desired, st, s, now)
	}
	s = k.actuate(pod, st, s, now)

	eachStatus(pod, st, func(c *corev1.Container, cs *corev1.ContainerStatus) {
		cs.AllocatedResources = s.alloc[c.Name].Requests.DeepCopy()
	})
	st.ObservedGeneration = gen
	for i := range st.Conditions {
		if kubeletCondition(st.Conditions[i].Type) {
			st.Conditions[i].ObservedGeneration = gen
		}
	}
	if !equality.Semantic.DeepEqual(st, &pod.Status) {
		s.status = st
	}
	return s
}

// allocate admits a new desired allocation or says why not.
func (k kubelet) allocate(pod *corev1.Pod, node *corev1.Node, others []*corev1.Pod, desired allocation,
	st *corev1.PodStatus, s step, now time.Time) step {
	gen := pod.Generation
	v := admit(pod, s.alloc, node, others)
	if v.reason == "" {
		s.alloc = desired
		removeCondition(st, corev1.PodResizePending)
		// A new allocation restarts the in-progress clock at this generation.
		removeCondition(st, corev1.PodResizeInProgress)
		setCondition(st, corev1.PodCondition{Type: corev1.PodResizeInProgress, ObservedGeneration: gen}, now)
		s.events = append(s.events, event{reason: "ResizeStarted", message: resizeMessage("Pod resize started", pod, gen, "")})
		return s
	}
	old := condition(st, corev1.PodResizePending)
	if old == nil || old.Reason != v.reason || old.ObservedGeneration != gen {
		reason := "ResizeDeferred"
		if v.reason == corev1.PodReasonInfeasible {
			reason = "ResizeInfeasible"
		}
		s.events = append(s.events, event{warning: true, reason: reason,
			message: resizeMessage("Pod resize "+v.event, pod, gen, v.message)})
	}
	setCondition(st, corev1.PodCondition{Type: corev1.PodResizePending, Reason: v.reason, Message: v.message, ObservedGeneration: gen}, now)
	if v.reason == corev1.PodReasonDeferred {
		s = later(s, k.retry) // room may free up
	}
	return s
}

// actuate brings the containers' resources to the allocation once the
// in-progress delay has passed.
func (k kubelet) actuate(pod *corev1.Pod, st *corev1.PodStatus, s step, now time.Time) step {
	actuated := true
	eachStatus(pod, st, func(c *corev1.Container, cs *corev1.ContainerStatus) {
		actuated = actuated && equality.Semantic.DeepEqual(*cs.Resources, s.alloc[c.Name])
	})
	progress := condition(st, corev1.PodResizeInProgress)
	if actuated {
		if progress != nil {
			s.events = append(s.events, event{reason: "ResizeCompleted",
				message: resizeMessage("Pod resize completed", pod, progress.ObservedGeneration, "")})
			removeCondition(st, corev1.PodResizeInProgress)
		}
		return s
	}
	if progress == nil { // the stand-in restarted in the middle of a resize
		setCondition(st, corev1.PodCondition{Type: corev1.PodResizeInProgress, ObservedGeneration: pod.Generation}, now)
		progress = condition(st, corev1.PodResizeInProgress)
	}
	if wait := progress.LastTransitionTime.Add(k.delay).Sub(now); wait > 0 {
		return later(s, wait)
	}
	if msg := k.memoryBelowUsage(pod, st, s.alloc); msg != "" {
		if progress.Reason != corev1.PodReasonError || progress.Message != msg {
			s.events = append(s.events, event{warning: true, reason: "ResizeError",
				message: resizeMessage("Pod resize error", pod, progress.ObservedGeneration, msg)})
			setCondition(st, corev1.PodCondition{Type: corev1.PodResizeInProgress, Reason: corev1.PodReasonError,
				Message: msg, ObservedGeneration: progress.ObservedGeneration}, now)
		}
		return later(s, k.retry) // usage may go down
	}
	eachStatus(pod, st, func(c *corev1.Container, cs *corev1.ContainerStatus) {
		want := s.alloc[c.Name]
		if restartNeeded(c, *cs.Resources, want) && cs.State.Running != nil {
			restart(cs, now)
			s.events = append(s.events, event{reason: "Killing", message: "Container " + c.Name + " resize requires restart"})
		}
		cs.Resources = want.DeepCopy()
	})
	s.events = append(s.events, event{reason: "ResizeCompleted",
		message: resizeMessage("Pod resize completed", pod, progress.ObservedGeneration, "")})
	removeCondition(st, corev1.PodResizeInProgress)
	return s
}

// later asks for another look after d, or sooner if already asked.
func later(s step, d time.Duration) step {
	if s.after == 0 || d < s.after {
		s.after = d
	}
	return s
}

// restartNeeded: a resource whose request or limit changes has a resize
// policy of RestartContainer (the default is NotRequired).
func restartNeeded(c *corev1.Container, from, to corev1.ResourceRequirements) bool {
	for _, p := range c.ResizePolicy {
		if p.RestartPolicy != corev1.RestartContainer {
			continue
		}
		if !from.Requests[p.ResourceName].Equal(to.Requests[p.ResourceName]) ||
			!from.Limits[p.ResourceName].Equal(to.Limits[p.ResourceName]) {
			return true
		}
	}
	return false
}

// restart is the container stopped by the kubelet (SIGTERM, a clean exit)
// and started again with the new resources.
func restart(cs *corev1.ContainerStatus, now time.Time) {
	cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 0, Reason: "Completed", StartedAt: cs.State.Running.StartedAt, FinishedAt: metav1.NewTime(now),
		ContainerID: cs.ContainerID,
	}}
	cs.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(now)}}
	cs.RestartCount++
}
