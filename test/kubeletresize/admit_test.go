package main

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// settled runs the stand-in over a fresh pod once, as it is before a resize.
func settled(p *corev1.Pod, n *corev1.Node) (*corev1.Pod, allocation) {
	s := standIn.sync(p, n, nil, nil, t0)
	return apply(p, s), s.alloc
}

// A resize the node has no room for now waits, Deferred, with the kubelet's
// message; status keeps the old resources; it goes ahead once room is made.
func TestDeferredUntilRoom(t *testing.T) {
	n := node(nil)
	neighbour, _ := settled(kwokPod("batch", list("cpu", "7", "memory", "1Gi"), nil), n)
	p, alloc := settled(kwokPod("web", list("cpu", "500m", "memory", "256Mi"), nil), n)
	p = resize(p, list("cpu", "2", "memory", "256Mi"), nil)

	s := standIn.sync(p, n, []*corev1.Pod{neighbour}, alloc, t0)
	p = apply(p, s)
	cond := condition(&p.Status, corev1.PodResizePending)
	if cond == nil || cond.Reason != corev1.PodReasonDeferred || cond.ObservedGeneration != 2 {
		t.Fatalf("conditions %+v", p.Status.Conditions)
	}
	const msg = "Node didn't have enough resource: cpu, requested: 2000, used: 7000, capacity: 8000"
	if cond.Message != msg {
		t.Errorf("message %q, want %q", cond.Message, msg)
	}
	if cs := appStatus(p); cs.Resources.Requests.Cpu().MilliValue() != 500 || cs.AllocatedResources.Cpu().MilliValue() != 500 {
		t.Errorf("a deferred resize changed the status: %v, allocated %v", cs.Resources, cs.AllocatedResources)
	}
	if p.Status.ObservedGeneration != 2 || reasons(s) != "ResizeDeferred" || !s.events[0].warning || s.after != standIn.retry {
		t.Errorf("observedGeneration %d, events %q, after %v", p.Status.ObservedGeneration, reasons(s), s.after)
	}
	if want := `Pod resize OutOfcpu: {"containers":[{"name":"app","resources":{"requests":{"cpu":"2","memory":"256Mi"}}}],"generation":2,"error":"` + msg + `"}`; s.events[0].message != want {
		t.Errorf("event %q\nwant  %q", s.events[0].message, want)
	}

	again := standIn.sync(p, n, []*corev1.Pod{neighbour}, s.alloc, t0.Add(standIn.retry))
	if again.status != nil || len(again.events) != 0 {
		t.Errorf("retried with no room: wrote %v, events %q", again.status != nil, reasons(again))
	}
	s = standIn.sync(p, n, nil, s.alloc, t0.Add(2*standIn.retry)) // the neighbour left
	p = apply(p, s)
	if condition(&p.Status, corev1.PodResizePending) != nil || condition(&p.Status, corev1.PodResizeInProgress) == nil {
		t.Errorf("with room: conditions %+v", p.Status.Conditions)
	}
}

// Taking a pending resize back (the spec as allocated again) clears it.
func TestDeferredResizeWithdrawn(t *testing.T) {
	n := node(nil)
	neighbour, _ := settled(kwokPod("batch", list("cpu", "7"), nil), n)
	p, alloc := settled(kwokPod("web", list("cpu", "500m"), nil), n)
	p = resize(p, list("cpu", "2"), nil)
	s := standIn.sync(p, n, []*corev1.Pod{neighbour}, alloc, t0)
	p = resize(apply(p, s), list("cpu", "500m"), nil)
	s = standIn.sync(p, n, []*corev1.Pod{neighbour}, s.alloc, t0.Add(time.Second))
	p = apply(p, s)
	if len(p.Status.Conditions) != 1 || p.Status.ObservedGeneration != 3 || len(s.events) != 0 {
		t.Errorf("conditions %+v, observedGeneration %d, events %q", p.Status.Conditions, p.Status.ObservedGeneration, reasons(s))
	}
}

// A Guaranteed pod on a node with a static CPU manager cannot change its CPU
// in place: Infeasible, said once, not tried again for that generation.
// Its memory may change.
func TestInfeasibleUnderStaticCPUManager(t *testing.T) {
	n := node(map[string]string{annCPUManagerPolicy: "static"})
	guaranteed := func() *corev1.Pod {
		p := kwokPod("db", list("cpu", "1", "memory", "1Gi"), list("cpu", "1", "memory", "1Gi"))
		p.Status.QOSClass = corev1.PodQOSGuaranteed
		return p
	}
	p, alloc := settled(guaranteed(), n)
	p = resize(p, list("cpu", "2", "memory", "1Gi"), list("cpu", "2", "memory", "1Gi"))
	s := standIn.sync(p, n, nil, alloc, t0)
	p = apply(p, s)
	cond := condition(&p.Status, corev1.PodResizePending)
	const msg = `Resize is infeasible for Guaranteed Pods alongside CPU Manager policy "static"`
	if cond == nil || cond.Reason != corev1.PodReasonInfeasible || cond.Message != msg || reasons(s) != "ResizeInfeasible" {
		t.Fatalf("conditions %+v, events %q", p.Status.Conditions, reasons(s))
	}
	if s.after != 0 {
		t.Errorf("an infeasible resize is retried after %v", s.after)
	}
	if again := standIn.sync(p, n, nil, s.alloc, t0.Add(time.Minute)); again.status != nil || len(again.events) != 0 {
		t.Errorf("evaluated again: events %q", reasons(again))
	}

	p, alloc = settled(guaranteed(), n)
	p = resize(p, list("cpu", "1", "memory", "2Gi"), list("cpu", "1", "memory", "2Gi"))
	if s := standIn.sync(p, n, nil, alloc, t0); reasons(s) != "ResizeStarted" {
		t.Errorf("a memory resize under a static CPU manager: events %q", reasons(s))
	}
}

// A memory limit cut below what the container uses is allocated but not
// actuated: PodResizeInProgress with reason Error and the kubelet's message,
// retried; once usage is under the limit, it is done.
func TestMemoryLimitBelowUsage(t *testing.T) {
	used := int64(300 << 20)
	k := standIn
	k.usage = func(*corev1.Pod) map[string]int64 { return map[string]int64{"app": used} }
	n := node(nil)
	p, alloc := settled(kwokPod("cache", list("memory", "256Mi"), list("memory", "512Mi")), n)
	p = resize(p, list("memory", "200Mi"), list("memory", "256Mi"))
	s := k.sync(p, n, nil, alloc, t0)
	p = apply(p, s)
	s = k.sync(p, n, nil, s.alloc, t0.Add(k.delay))
	p = apply(p, s)

	cond := condition(&p.Status, corev1.PodResizeInProgress)
	const msg = "cannot decrease memory limits: [attempting to set pod memory limit (268435456) below current usage (314572800), " +
		`attempting to set container "app" memory limit (268435456) below current usage (314572800)]`
	if cond == nil || cond.Reason != corev1.PodReasonError || cond.Message != msg {
		t.Fatalf("conditions %+v", p.Status.Conditions)
	}
	if reasons(s) != "ResizeError" || s.after != k.retry || appStatus(p).Resources.Limits.Memory().Value() != 512<<20 {
		t.Errorf("events %q, after %v, limits %v", reasons(s), s.after, appStatus(p).Resources.Limits)
	}

	used = 200 << 20
	s = k.sync(p, n, nil, s.alloc, t0.Add(k.delay+k.retry+k.delay))
	p = apply(p, s)
	if condition(&p.Status, corev1.PodResizeInProgress) != nil || appStatus(p).Resources.Limits.Memory().Value() != 256<<20 {
		t.Errorf("with usage under the limit: conditions %+v, limits %v", p.Status.Conditions, appStatus(p).Resources.Limits)
	}
}

// The events carry the kubelet's summary of the spec (its events package's
// own expectation).
func TestResizeMessageIsTheKubelets(t *testing.T) {
	p := kwokPod("x", list("cpu", "100m", "memory", "100"), list("cpu", "100m", "memory", "100"))
	p.Spec.Containers[0].Name = "c0"
	const want = `Pod resize started: {"containers":[{"name":"c0","resources":{"limits":{"cpu":"100m","memory":"100"},"requests":{"cpu":"100m","memory":"100"}}}],"generation":1}`
	if got := resizeMessage("Pod resize started", p, 1, ""); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
