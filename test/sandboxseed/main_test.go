package main

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// The kubelet's waiting message names the pod the cluster made, not the
// simulation's (review 3, #13); the simulated status is left as it was.
func TestRenamedNamesTheRealPod(t *testing.T) {
	sim := corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "notifier", State: corev1.ContainerState{
		Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
			Message: "back-off 5m0s restarting failed container=notifier pod=notifier-ae0485bb-dxtnm_kgotop-demo"}}}}}
	got := renamed(sim, "notifier-ae0485bb-dxtnm", "notifier-765f96c57f-qwmb5")
	if m := got.ContainerStatuses[0].State.Waiting.Message; m != "back-off 5m0s restarting failed container=notifier pod=notifier-765f96c57f-qwmb5_kgotop-demo" {
		t.Errorf("message %q", m)
	}
	if m := sim.ContainerStatuses[0].State.Waiting.Message; m != "back-off 5m0s restarting failed container=notifier pod=notifier-ae0485bb-dxtnm_kgotop-demo" {
		t.Errorf("the simulated status changed: %q", m)
	}
}
