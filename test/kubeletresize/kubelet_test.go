package main

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func list(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

func node(annotations map[string]string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "kwok-node-0", Annotations: annotations},
		Status:     corev1.NodeStatus{Allocatable: list("cpu", "8", "memory", "32Gi", "pods", "110")},
	}
}

// kwokPod is a pod as kwok leaves it: Running, one container, no resources
// in its status.
func kwokPod(name string, requests, limits corev1.ResourceList) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: k8stypes.UID("uid-" + name), Generation: 1},
		Spec: corev1.PodSpec{NodeName: "kwok-node-0", Containers: []corev1.Container{{
			Name: "app", Resources: corev1.ResourceRequirements{Requests: requests, Limits: limits},
		}}},
		Status: corev1.PodStatus{
			Phase:    corev1.PodRunning,
			QOSClass: corev1.PodQOSBurstable,
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(t0.Add(-time.Hour))},
			},
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", Ready: true, ContainerID: "kwok://app",
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(t0.Add(-time.Hour))}},
			}},
		},
	}
}

var standIn = kubelet{delay: 2 * time.Second, retry: 10 * time.Second}

// apply writes a step's status into the pod, as the API server would keep it.
func apply(p *corev1.Pod, s step) *corev1.Pod {
	out := p.DeepCopy()
	if s.status != nil {
		out.Status = *s.status
	}
	return out
}

// resize changes the app container's resources as the resize subresource does.
func resize(p *corev1.Pod, requests, limits corev1.ResourceList) *corev1.Pod {
	out := p.DeepCopy()
	out.Spec.Containers[0].Resources = corev1.ResourceRequirements{Requests: requests, Limits: limits}
	out.Generation++
	return out
}

func reasons(s step) string {
	var out []string
	for _, e := range s.events {
		out = append(out, e.reason)
	}
	return strings.Join(out, ",")
}

func appStatus(p *corev1.Pod) corev1.ContainerStatus { return p.Status.ContainerStatuses[0] }

// A running pod first gets what a resize-capable kubelet always reports: its
// resources, its allocation and the generation seen; then nothing more.
func TestReportsResourcesOfARunningPod(t *testing.T) {
	p := kwokPod("web", list("cpu", "500m", "memory", "256Mi"), list("memory", "512Mi"))
	s := standIn.sync(p, node(nil), nil, nil, t0)
	if s.status == nil || len(s.events) != 0 || s.after != 0 {
		t.Fatalf("first pass: status %v, events %q, after %v", s.status != nil, reasons(s), s.after)
	}
	p = apply(p, s)
	cs := appStatus(p)
	if cs.Resources == nil || !cs.Resources.Requests.Cpu().Equal(resource.MustParse("500m")) ||
		!cs.Resources.Limits.Memory().Equal(resource.MustParse("512Mi")) {
		t.Errorf("resources = %v", cs.Resources)
	}
	if !cs.AllocatedResources.Memory().Equal(resource.MustParse("256Mi")) || cs.AllocatedResources.Cpu().MilliValue() != 500 {
		t.Errorf("allocatedResources = %v", cs.AllocatedResources)
	}
	if p.Status.ObservedGeneration != 1 || condition(&p.Status, corev1.PodReady).ObservedGeneration != 1 {
		t.Errorf("observedGeneration = %d, Ready's %d", p.Status.ObservedGeneration, condition(&p.Status, corev1.PodReady).ObservedGeneration)
	}
	if again := standIn.sync(p, node(nil), nil, s.alloc, t0.Add(time.Minute)); again.status != nil || len(again.events) != 0 {
		t.Errorf("second pass wrote %v, events %q", again.status, reasons(again))
	}
}

// A resize that fits is allocated at once (PodResizeInProgress, the new
// allocation, the generation seen) and actuated after the delay: new
// resources, condition gone, same restart count.
func TestResizeInProgressThenDone(t *testing.T) {
	p := kwokPod("web", list("cpu", "500m", "memory", "256Mi"), list("memory", "512Mi"))
	s := standIn.sync(p, node(nil), nil, nil, t0)
	p = resize(apply(p, s), list("cpu", "300m", "memory", "256Mi"), list("memory", "512Mi"))

	s = standIn.sync(p, node(nil), nil, s.alloc, t0)
	p = apply(p, s)
	cond := condition(&p.Status, corev1.PodResizeInProgress)
	if cond == nil || cond.ObservedGeneration != 2 || cond.Reason != "" {
		t.Fatalf("in progress: %+v", p.Status.Conditions)
	}
	if cs := appStatus(p); cs.AllocatedResources.Cpu().MilliValue() != 300 || cs.Resources.Requests.Cpu().MilliValue() != 500 {
		t.Errorf("in progress: allocated %v, resources %v", cs.AllocatedResources, cs.Resources.Requests)
	}
	if p.Status.ObservedGeneration != 2 || reasons(s) != "ResizeStarted" || s.after != 2*time.Second {
		t.Errorf("in progress: observedGeneration %d, events %q, after %v", p.Status.ObservedGeneration, reasons(s), s.after)
	}

	early := standIn.sync(p, node(nil), nil, s.alloc, t0.Add(time.Second))
	if early.status != nil || early.after != time.Second {
		t.Errorf("before the delay: wrote %v, after %v", early.status != nil, early.after)
	}

	s = standIn.sync(p, node(nil), nil, s.alloc, t0.Add(2*time.Second))
	p = apply(p, s)
	if condition(&p.Status, corev1.PodResizeInProgress) != nil || reasons(s) != "ResizeCompleted" {
		t.Errorf("done: conditions %+v, events %q", p.Status.Conditions, reasons(s))
	}
	if cs := appStatus(p); cs.Resources.Requests.Cpu().MilliValue() != 300 || cs.RestartCount != 0 {
		t.Errorf("done: resources %v, restarts %d", cs.Resources, cs.RestartCount)
	}
}

// RestartContainer on memory restarts the container when memory changes (not
// when only CPU does); a pod's story (restarts, an OOMKill) stays otherwise.
func TestRestartPolicy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		requests corev1.ResourceList
		restarts int32
	}{
		{"memory", list("cpu", "500m", "memory", "384Mi"), 4},
		{"cpu only", list("cpu", "300m", "memory", "256Mi"), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := kwokPod("ingest", list("cpu", "500m", "memory", "256Mi"), list("memory", "512Mi"))
			p.Spec.Containers[0].ResizePolicy = []corev1.ContainerResizePolicy{
				{ResourceName: corev1.ResourceCPU, RestartPolicy: corev1.NotRequired},
				{ResourceName: corev1.ResourceMemory, RestartPolicy: corev1.RestartContainer},
			}
			p.Status.ContainerStatuses[0].RestartCount = 3
			oom := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "OOMKilled", ExitCode: 137}}
			p.Status.ContainerStatuses[0].LastTerminationState = oom
			s := standIn.sync(p, node(nil), nil, nil, t0)
			p = resize(apply(p, s), tc.requests, list("memory", "512Mi"))
			s = standIn.sync(p, node(nil), nil, s.alloc, t0)
			p = apply(p, s)
			s = standIn.sync(p, node(nil), nil, s.alloc, t0.Add(time.Minute))
			p = apply(p, s)

			cs := appStatus(p)
			if cs.RestartCount != tc.restarts {
				t.Errorf("restarts = %d, want %d (events %q)", cs.RestartCount, tc.restarts, reasons(s))
			}
			restarted := tc.restarts == 4
			if got := cs.LastTerminationState.Terminated.Reason; restarted != (got == "Completed") {
				t.Errorf("last state %q after a restart: %v", got, restarted)
			}
			if restarted && !cs.State.Running.StartedAt.Time.Equal(t0.Add(time.Minute)) {
				t.Errorf("restarted at %v", cs.State.Running.StartedAt)
			}
			if restarted != strings.Contains(reasons(s), "Killing") {
				t.Errorf("events %q", reasons(s))
			}
		})
	}
}

// A stand-in that restarts in the middle of a resize rebuilds the allocation
// from the status (allocatedResources, the spec's limits while in progress)
// and finishes the resize.
func TestRestartedMidResize(t *testing.T) {
	p := kwokPod("web", list("cpu", "500m"), list("cpu", "1"))
	s := standIn.sync(p, node(nil), nil, nil, t0)
	p = resize(apply(p, s), list("cpu", "300m"), list("cpu", "600m"))
	p = apply(p, standIn.sync(p, node(nil), nil, s.alloc, t0))

	s = standIn.sync(p, node(nil), nil, nil, t0.Add(time.Minute)) // no allocation held
	p = apply(p, s)
	cs := appStatus(p)
	if cs.Resources.Requests.Cpu().MilliValue() != 300 || cs.Resources.Limits.Cpu().MilliValue() != 600 ||
		condition(&p.Status, corev1.PodResizeInProgress) != nil {
		t.Errorf("resources %v, conditions %+v", cs.Resources, p.Status.Conditions)
	}
}
