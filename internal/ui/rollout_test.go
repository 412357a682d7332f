package ui

import (
	"strings"
	"testing"
	"time"
)

// After Y applied a patch that rolls the pods, the details show the
// rollout: which pods are new since the patch, how many are ready, and
// when it is done.
func TestDetailsShowTheRollout(t *testing.T) {
	f := &fakeApply{}
	m := start(t, deps(fixture(), f), 120, 40)
	m, cmd := pressCmd(t, press(t, m, "down"), "a") // orders, a StatefulSet of one pod
	m, _ = run(t, m, cmd)
	m, cmd = pressCmd(t, m, "Y")
	m, _ = run(t, m, cmd)
	if m.patch.state != patchApplied {
		t.Fatalf("the apply did not go through: %v", m.patch.state)
	}
	if v := screen(press(t, m, "esc", "enter", "G")); strings.Contains(v, "ROLLOUT done") || !strings.Contains(v, "ROLLOUT rolling: 0 of 1 pods new (0 ready), 1 old still running") {
		t.Errorf("right after the apply the old pod still runs:\n%s", v)
	}
	rolled := fixture()
	orders := &rolled.Workloads[6]
	orders.Pods[0].Created, orders.Pods[0].Ready = t0.Add(30*time.Second), false
	orders.Ready = 0
	m = refreshWith(t, press(t, m, "esc", "enter"), rolled)
	v := screen(press(t, m, "G"))
	if !strings.Contains(v, "ROLLOUT rolling: 1 of 1 pods new (0 ready), 0 old still running") || !strings.Contains(v, "orders-0 Running, not ready, age") || !strings.Contains(v, "new since the patch") {
		t.Errorf("a new pod not ready yet:\n%s", v)
	}
	orders.Pods[0].Ready, orders.Ready = true, 1
	m = refreshWith(t, m, rolled)
	if v := screen(press(t, m, "G")); !strings.Contains(v, "ROLLOUT done: 1 pod new and ready since the patch") {
		t.Errorf("the rollout is done:\n%s", v)
	}
	// A workload no patch was applied to says nothing of a rollout.
	if v := screen(press(t, m, "esc", "g", "enter", "G")); strings.Contains(v, "ROLLOUT") {
		t.Errorf("thumbs had no patch applied:\n%s", v)
	}
}
