package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/util/validation/field"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/scenario"
)

// This file plays the API server's and the kubelet's parts in an in-place
// resize (pods/resize), as Kubernetes 1.37 does them: the API server
// refuses a resize that changes the QoS class, removes a request or limit,
// or asks for more than the node can allocate (403, cause NodeCapacity),
// dry run included; the kubelet then shows PodResizeInProgress with the new
// allocation, and a window later runs with the new values, unless a memory
// limit would go below what the container uses (reason Error, retried).

// nodeAllocatable is what each simulated node can allocate, as the
// sandbox's kwok nodes: 8 CPUs and 32Gi.
var nodeAllocatable = model.ResourceList{CPU: 8000, Memory: 32 << 30}

// podResize is the simulated kubelet's state of a resize asked for.
type podResize struct {
	gen     int64  // the pod generation that asks for it
	started bool   // PodResizeInProgress shows, the new requests allocated
	err     string // why applying it failed (reason Error); "" when it did not
}

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// resizePod plays the API server's part for a patch of pods/resize.
func (s *Sim) resizePod(a k8stesting.Action) (bool, runtime.Object, error) {
	pa, ok := a.(k8stesting.PatchActionImpl)
	if !ok || pa.GetSubresource() != "resize" || pa.GetResource().Resource != "pods" {
		return false, nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.podNamed(pa.GetName())
	if p == nil {
		return true, nil, apierrors.NewNotFound(podsGVR.GroupResource(), pa.GetName())
	}
	orig, err := json.Marshal(p.spec)
	if err != nil {
		return true, nil, err
	}
	merged, err := strategicpatch.StrategicMergePatch(orig, pa.GetPatch(), &corev1.Pod{})
	if err != nil {
		return true, nil, apierrors.NewBadRequest(err.Error())
	}
	out := &corev1.Pod{}
	if err := json.Unmarshal(merged, out); err != nil {
		return true, nil, apierrors.NewBadRequest(err.Error())
	}
	if err := validateResize(p.spec, out); err != nil {
		return true, nil, err
	}
	if !equality.Semantic.DeepEqual(p.spec.Spec, out.Spec) {
		out.Generation = p.gen + 1
	}
	if len(pa.GetPatchOptions().DryRun) > 0 {
		return true, out, nil
	}
	if out.Generation == p.gen {
		return true, p.snapshot(), nil
	}
	p.spec.Spec.Containers, p.gen = out.Spec.Containers, out.Generation
	p.resize = &podResize{gen: p.gen}
	kept := p.snapshot()
	return true, kept, s.Kube.Tracker().Update(podsGVR, kept, scenario.Namespace)
}

// podNamed returns the simulated pod with the name, or nil; s.mu is held.
func (s *Sim) podNamed(name string) *pod {
	for _, p := range s.pods {
		if p.name == name {
			return p
		}
	}
	return nil
}

// validateResize is the API server's check of a resize: the same QoS
// class, no request or limit removed, and requests the node can allocate.
func validateResize(old, resized *corev1.Pod) error {
	gk := schema.GroupKind{Kind: "Pod"}
	if was, now := qosOf(old.Spec.Containers), qosOf(resized.Spec.Containers); was != now {
		return apierrors.NewInvalid(gk, old.Name, field.ErrorList{field.Invalid(field.NewPath("spec"), now, "Pod QOS Class may not change as a result of resizing")})
	}
	var total model.ResourceList
	for i, c := range resized.Spec.Containers {
		before := old.Spec.Containers[i].Resources
		for name := range before.Requests {
			if _, ok := c.Resources.Requests[name]; !ok {
				return apierrors.NewForbidden(podsGVR.GroupResource(), old.Name, errors.New("resource requests cannot be removed"))
			}
		}
		for name := range before.Limits {
			if _, ok := c.Resources.Limits[name]; !ok {
				return apierrors.NewForbidden(podsGVR.GroupResource(), old.Name, errors.New("resource limits cannot be removed"))
			}
		}
		r := resourcesOf(c.Resources)
		total.CPU += r.Requests.CPU
		total.Memory += r.Requests.Memory
	}
	if total.CPU > nodeAllocatable.CPU || total.Memory > nodeAllocatable.Memory {
		st := apierrors.NewForbidden(podsGVR.GroupResource(), old.Name, fmt.Errorf(
			"node didn't have enough allocatable resources: cpu, requested: %d, allocatable: %d", total.CPU, nodeAllocatable.CPU))
		st.ErrStatus.Details.Causes = append(st.ErrStatus.Details.Causes, metav1.StatusCause{Type: "NodeCapacity"})
		return st
	}
	return nil
}

// resourcesOf returns a container's requests and limits, a request left
// out taking its limit (as in a pod).
func resourcesOf(r corev1.ResourceRequirements) model.Resources {
	get := func(l corev1.ResourceList, name corev1.ResourceName) int64 {
		q, ok := l[name]
		switch {
		case !ok:
			return 0
		case name == corev1.ResourceCPU:
			return q.MilliValue()
		}
		return q.Value()
	}
	out := model.Resources{
		Requests: model.ResourceList{CPU: get(r.Requests, corev1.ResourceCPU), Memory: get(r.Requests, corev1.ResourceMemory)},
		Limits:   model.ResourceList{CPU: get(r.Limits, corev1.ResourceCPU), Memory: get(r.Limits, corev1.ResourceMemory)},
	}
	if out.Requests.CPU == 0 {
		out.Requests.CPU = out.Limits.CPU
	}
	if out.Requests.Memory == 0 {
		out.Requests.Memory = out.Limits.Memory
	}
	return out
}

// qosOf returns the QoS class of a pod of these containers.
func qosOf(cs []corev1.Container) corev1.PodQOSClass {
	var rs []model.Resources
	for _, c := range cs {
		rs = append(rs, resourcesOf(c.Resources))
	}
	return corev1.PodQOSClass(model.QoS(rs))
}

// resizeStep plays the kubelet's part in a resize asked for, one window at
// a time, and reports whether the pod's status changed: first it allocates
// the new requests (PodResizeInProgress), then it runs with the new values,
// unless a memory limit would go below what a container uses now.
func (p *pod) resizeStep(now time.Time) bool {
	r := p.resize
	if r == nil {
		return false
	}
	p.observed = max(p.observed, r.gen)
	if !r.started {
		r.started = true
		return true
	}
	for i, c := range p.spec.Spec.Containers {
		limit := c.Resources.Limits.Memory().Value()
		if _, mem := p.usage(p.sc.Containers[i], now); limit > 0 && mem >= limit {
			r.err = fmt.Sprintf("cannot decrease memory limits: [attempting to set container %q memory limit (%d) below current usage (%d)]", c.Name, limit, mem)
			return true
		}
	}
	p.resize = nil
	p.takeResources(p.spec.Spec.Containers)
	return true
}

// takeResources makes the pod run with the containers' requests and limits:
// the simulation's own copy of its scenario's containers follows them.
func (p *pod) takeResources(cs []corev1.Container) {
	p.sc.Containers = append([]scenario.Container(nil), p.sc.Containers...) // the pod's own copy
	for i := range p.sc.Containers {
		if i >= len(cs) {
			break
		}
		r := resourcesOf(cs[i].Resources)
		p.sc.Containers[i].Requests, p.sc.Containers[i].Limits = r.Requests, r.Limits
	}
	p.running = make([]corev1.ResourceRequirements, len(cs))
	for i, c := range cs {
		p.running[i] = *c.Resources.DeepCopy()
	}
}

// resizeStatus writes what the kubelet says of the pod's resize into its
// status: the generation seen, PodResizeInProgress, and each container's
// allocated and applied resources.
func (p *pod) resizeStatus(st *corev1.PodStatus) {
	st.QOSClass, st.ObservedGeneration = p.qos, p.observed
	if r := p.resize; r != nil && r.started {
		c := corev1.PodCondition{Type: corev1.PodResizeInProgress, Status: corev1.ConditionTrue, ObservedGeneration: r.gen}
		if r.err != "" {
			c.Reason, c.Message = corev1.PodReasonError, r.err
		}
		st.Conditions = append(st.Conditions, c)
	}
	for i := range st.ContainerStatuses {
		if i >= len(p.spec.Spec.Containers) || i >= len(p.running) {
			break
		}
		running := p.running[i].DeepCopy()
		st.ContainerStatuses[i].Resources = running
		st.ContainerStatuses[i].AllocatedResources = running.Requests
		if r := p.resize; r != nil && r.started {
			st.ContainerStatuses[i].AllocatedResources = p.spec.Spec.Containers[i].Resources.Requests.DeepCopy()
		}
	}
}
