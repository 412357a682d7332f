package main

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// resizable lists the containers of a pod whose resources may change in
// place: the app containers and the restartable init containers (sidecars).
func resizable(spec *corev1.PodSpec) []corev1.Container {
	var out []corev1.Container
	for _, c := range spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			out = append(out, c)
		}
	}
	return append(out, spec.Containers...)
}

// eachStatus calls fn for every resizable container that has a status in st.
func eachStatus(pod *corev1.Pod, st *corev1.PodStatus, fn func(c *corev1.Container, cs *corev1.ContainerStatus)) {
	for _, c := range resizable(&pod.Spec) {
		if cs := containerStatus(st, c.Name); cs != nil {
			fn(&c, cs)
		}
	}
}

func containerStatus(st *corev1.PodStatus, name string) *corev1.ContainerStatus {
	for _, list := range [][]corev1.ContainerStatus{st.ContainerStatuses, st.InitContainerStatuses} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

// desiredAllocation is what the pod's spec asks for.
func desiredAllocation(pod *corev1.Pod) allocation {
	out := allocation{}
	for _, c := range resizable(&pod.Spec) {
		out[c.Name] = *c.Resources.DeepCopy()
	}
	return out
}

// allocationFromStatus rebuilds a pod's allocation from what its status
// reports: the allocated requests, and the limits it runs with (those of the
// spec while a resize is in progress: the allocation's limits are not in the
// status). What the status does not say, the spec does: a pod the kubelet has
// not reported on yet was admitted as its spec asks.
func allocationFromStatus(pod *corev1.Pod) allocation {
	out := desiredAllocation(pod)
	inProgress := condition(&pod.Status, corev1.PodResizeInProgress) != nil
	for _, c := range resizable(&pod.Spec) {
		cs := containerStatus(&pod.Status, c.Name)
		if cs == nil {
			continue
		}
		r := out[c.Name]
		if cs.Resources != nil {
			r = *cs.Resources.DeepCopy()
			if inProgress {
				r.Limits = c.Resources.DeepCopy().Limits
			}
		}
		if cs.AllocatedResources != nil {
			r.Requests = cs.AllocatedResources.DeepCopy()
		}
		out[c.Name] = r
	}
	return out
}

// withAllocation is the pod as the kubelet counts it on its node: its
// containers' allocated requests as held now.
func withAllocation(pod *corev1.Pod, alloc allocation) *corev1.Pod {
	if alloc == nil {
		return pod
	}
	p := pod.DeepCopy()
	eachStatus(p, &p.Status, func(c *corev1.Container, cs *corev1.ContainerStatus) {
		cs.AllocatedResources = alloc[c.Name].Requests.DeepCopy()
	})
	return p
}

func condition(st *corev1.PodStatus, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == t {
			return &st.Conditions[i]
		}
	}
	return nil
}

func removeCondition(st *corev1.PodStatus, t corev1.PodConditionType) {
	out := st.Conditions[:0]
	for _, c := range st.Conditions {
		if c.Type != t {
			out = append(out, c)
		}
	}
	st.Conditions = out
}

// setCondition sets a resize condition (status True) as the kubelet's status
// manager does: the transition time moves when the reason changes, the probe
// time when anything does.
func setCondition(st *corev1.PodStatus, c corev1.PodCondition, now time.Time) {
	c.Status = corev1.ConditionTrue
	old := condition(st, c.Type)
	if old != nil && old.Reason == c.Reason && old.Message == c.Message && old.ObservedGeneration == c.ObservedGeneration {
		return
	}
	c.LastProbeTime = metav1.NewTime(now)
	c.LastTransitionTime = c.LastProbeTime
	if old != nil && old.Reason == c.Reason {
		c.LastTransitionTime = old.LastTransitionTime
	}
	if old != nil {
		*old = c
		return
	}
	st.Conditions = append(st.Conditions, c)
}

// kubeletCondition: a condition the kubelet writes with the generation it saw
// (PodObservedGenerationTracking, GA in 1.35). The resize conditions keep
// the generation of the resize they report.
func kubeletCondition(t corev1.PodConditionType) bool {
	switch t {
	case corev1.PodScheduled, corev1.PodInitialized, corev1.PodReady, corev1.ContainersReady, corev1.PodReadyToStartContainers:
		return true
	}
	return false
}
