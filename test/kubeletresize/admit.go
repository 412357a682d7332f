package main

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"
)

// Node annotations that stand for kubelet configuration a real node keeps in
// its kubelet config file (the API does not show it): a node with a static
// CPU or memory manager refuses to resize Guaranteed pods, as kubelet 1.37
// does while InPlacePodVerticalScalingExclusiveCPUs/Memory are alpha and off.
const (
	annCPUManagerPolicy    = "sandbox.kgotop.dev/cpu-manager-policy"
	annMemoryManagerPolicy = "sandbox.kgotop.dev/memory-manager-policy"
)

// verdict is the kubelet's answer to a resize it cannot allocate now: the
// PodResizePending reason (Infeasible or Deferred), the condition's message,
// and the admission reason its Warning event names ("Pod resize OutOfcpu").
type verdict struct {
	reason  string
	message string
	event   string
}

// admit decides a resize as kubelet 1.37's allocation manager does: first the
// resize admit handler (policy: Infeasible, never retried), then the general
// predicates against the node's allocatable and the other pods' allocations
// (not fitting now: Deferred, retried). The zero verdict admits.
// desired is the pod as its spec asks; allocated what the kubelet allocated.
func admit(desired *corev1.Pod, allocated allocation, node *corev1.Node, others []*corev1.Pod) verdict {
	if v := admitPolicy(desired, allocated, node); v.reason != "" {
		return v
	}
	return admitFit(desired, node, others)
}

func admitPolicy(desired *corev1.Pod, allocated allocation, node *corev1.Node) verdict {
	if desired.Status.QOSClass != corev1.PodQOSGuaranteed {
		return verdict{}
	}
	for _, p := range []struct {
		annotation, static, manager string
		resource                    corev1.ResourceName
	}{
		{annCPUManagerPolicy, "static", "CPU Manager", corev1.ResourceCPU},
		{annMemoryManagerPolicy, "Static", "Memory Manager", corev1.ResourceMemory},
	} {
		if node.Annotations[p.annotation] != p.static || !requestChanged(desired, allocated, p.resource) {
			continue
		}
		msg := fmt.Sprintf("Resize is infeasible for Guaranteed Pods alongside %s policy %q", p.manager, p.static)
		return verdict{reason: corev1.PodReasonInfeasible, message: msg, event: corev1.PodReasonInfeasible}
	}
	return verdict{}
}

// requestChanged: whether the resize changes resource r's request of any
// container (for a Guaranteed pod requests equal limits).
func requestChanged(desired *corev1.Pod, allocated allocation, r corev1.ResourceName) bool {
	for _, c := range resizable(&desired.Spec) {
		old := allocated[c.Name].Requests[r]
		if !old.Equal(c.Resources.Requests[r]) {
			return true
		}
	}
	return false
}

// admitFit is the scheduler's resource fit as the kubelet runs it on admission
// (noderesources.Fits): the pod's requests against allocatable minus what the
// other pods on the node hold (the most of spec, allocated and actuated, as
// the scheduler counts them). CPU in millicores, memory in bytes, CPU first.
func admitFit(desired *corev1.Pod, node *corev1.Node, others []*corev1.Pod) verdict {
	want := resourcehelper.PodRequests(desired, resourcehelper.PodResourcesOptions{})
	used := corev1.ResourceList{}
	for _, o := range others {
		for r, q := range resourcehelper.PodRequests(o, resourcehelper.PodResourcesOptions{UseStatusResources: true}) {
			sum := used[r]
			sum.Add(q)
			used[r] = sum
		}
	}
	for _, r := range []struct {
		name   corev1.ResourceName
		reason string // the kubelet's lifecycle.OutOfCPU / OutOfMemory
		value  func(q *corev1.ResourceList) int64
	}{
		{corev1.ResourceCPU, "OutOfcpu", func(l *corev1.ResourceList) int64 { return l.Cpu().MilliValue() }},
		{corev1.ResourceMemory, "OutOfmemory", func(l *corev1.ResourceList) int64 { return l.Memory().Value() }},
	} {
		requested, taken, capacity := r.value(&want), r.value(&used), r.value(&node.Status.Allocatable)
		if requested > 0 && requested > capacity-taken {
			msg := fmt.Sprintf("Node didn't have enough resource: %s, requested: %d, used: %d, capacity: %d",
				r.name, requested, taken, capacity)
			return verdict{reason: corev1.PodReasonDeferred, message: msg, event: r.reason}
		}
	}
	return verdict{}
}
