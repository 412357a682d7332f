//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// The node the tests' own pods run on (bound by name, past the scheduler).
const resizeNode = "kwok-node-0"

// resizeNamespace makes a namespace of the test's own, removed afterwards.
func resizeNamespace(t *testing.T, k kubernetes.Interface, name string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return name
}

// runPod creates a one-container pod on resizeNode and waits until it runs
// and the stand-in reports its resources.
func runPod(t *testing.T, k kubernetes.Interface, pns, name string, r corev1.ResourceRequirements, annotations map[string]string,
	policy ...corev1.ContainerResizePolicy) *corev1.Pod {
	t.Helper()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: pns, Annotations: annotations},
		Spec: corev1.PodSpec{NodeName: resizeNode, Containers: []corev1.Container{{
			Name: "app", Image: "registry.example/app:1", Resources: r, ResizePolicy: policy,
		}}},
	}
	// Until the controller-manager has made the namespace's default
	// ServiceAccount, admission refuses pods.
	eventually(t, "pod "+name+" to be created", time.Minute, func() bool {
		_, err := k.CoreV1().Pods(pns).Create(context.Background(), p, metav1.CreateOptions{})
		return err == nil || apierrors.IsAlreadyExists(err)
	})
	var out *corev1.Pod
	eventually(t, "pod "+name+" to run with its resources reported", time.Minute, func() bool {
		out = getPod(t, k, pns, name)
		return out.Status.Phase == corev1.PodRunning && statusOf(out, "app").Resources != nil
	})
	return out
}

// pendingAt waits for a PodResizePending condition for generation gen.
func pendingAt(t *testing.T, k kubernetes.Interface, pns, name string, gen int64) (*corev1.Pod, *corev1.PodCondition) {
	t.Helper()
	var p *corev1.Pod
	var c *corev1.PodCondition
	eventually(t, name+"'s resize to be pending", time.Minute, func() bool {
		p = getPod(t, k, pns, name)
		c = podCondition(p, corev1.PodResizePending)
		return c != nil && c.ObservedGeneration == gen
	})
	return p, c
}

// A resize asking for more than the node has is refused by the API server
// itself (1.36+: its PodResizeValidator admission), dry run or not. One that
// fits the node but not the room the other pods leave waits: Deferred, with
// the kubelet's message and event, the status as it was; asking for less
// again withdraws it.
func TestResizeRefusedOrDeferred(t *testing.T) {
	k := kube(t)
	pns := resizeNamespace(t, k, "kgotop-e2e-resize-room")
	small := corev1.ResourceRequirements{Requests: rl("cpu", "100m", "memory", "64Mi")}
	runPod(t, k, pns, "neighbour", corev1.ResourceRequirements{Requests: rl("cpu", "500m")}, nil)
	p := runPod(t, k, pns, "app", small, nil)

	huge := resizeBody(t, "app", corev1.ResourceRequirements{Requests: rl("cpu", "9", "memory", "64Mi")})
	for _, dry := range []bool{true, false} {
		_, err := resizeCall(k, pns, "app", huge, dry)
		if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "node didn't have enough allocatable resources: cpu, requested: 9000, allocatable: 8000") {
			t.Errorf("9 CPUs on an 8-CPU node (dry run %v): %v", dry, err)
		}
	}

	whole := resizeInPlace(t, k, pns, "app", "app", corev1.ResourceRequirements{Requests: rl("cpu", "8", "memory", "64Mi")})
	p, c := pendingAt(t, k, pns, "app", whole.Generation)
	if c.Reason != corev1.PodReasonDeferred || !strings.HasPrefix(c.Message, "Node didn't have enough resource: cpu, requested: 8000, used: ") {
		t.Errorf("pending: %s %q", c.Reason, c.Message)
	}
	if cs := statusOf(p, "app"); cs.Resources.Requests.Cpu().MilliValue() != 100 || cs.AllocatedResources.Cpu().MilliValue() != 100 {
		t.Errorf("a deferred resize changed the status: %v, allocated %v", cs.Resources.Requests, cs.AllocatedResources)
	}
	if p.Status.ObservedGeneration != whole.Generation {
		t.Errorf("observedGeneration %d, want %d", p.Status.ObservedGeneration, whole.Generation)
	}
	eventually(t, "a ResizeDeferred event", time.Minute, func() bool {
		return hasEvent(t, k, pns, "app", "ResizeDeferred", `"error":"Node didn't have enough resource: cpu`)
	})

	back := resizeInPlace(t, k, pns, "app", "app", small)
	if p := settledAt(t, k, pns, "app", back.Generation); statusOf(p, "app").Resources.Requests.Cpu().MilliValue() != 100 {
		t.Errorf("after withdrawing: %v", statusOf(p, "app").Resources)
	}
}

func hasEvent(t *testing.T, k kubernetes.Interface, pns, pod, reason, text string) bool {
	t.Helper()
	list, err := k.CoreV1().Events(pns).List(context.Background(), metav1.ListOptions{
		FieldSelector: "involvedObject.name=" + pod + ",reason=" + reason})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list.Items {
		if strings.Contains(e.Message, text) && e.Source.Component == "kubelet" {
			return true
		}
	}
	return false
}

// On a node whose (simulated) CPU manager is static, a Guaranteed pod's CPU
// cannot change in place: Infeasible, and the status stays as it was.
func TestResizeInfeasible(t *testing.T) {
	k := kube(t)
	pns := resizeNamespace(t, k, "kgotop-e2e-resize-infeasible")
	annotateNode(t, k, resizeNode, "sandbox.kgotop.dev/cpu-manager-policy", "static")
	one := rl("cpu", "500m", "memory", "64Mi")
	runPod(t, k, pns, "db", corev1.ResourceRequirements{Requests: one, Limits: one}, nil)

	two := rl("cpu", "1", "memory", "64Mi")
	resized := resizeInPlace(t, k, pns, "db", "app", corev1.ResourceRequirements{Requests: two, Limits: two})
	p, c := pendingAt(t, k, pns, "db", resized.Generation)
	if c.Reason != corev1.PodReasonInfeasible || c.Message != `Resize is infeasible for Guaranteed Pods alongside CPU Manager policy "static"` {
		t.Errorf("pending: %s %q", c.Reason, c.Message)
	}
	if cs := statusOf(p, "app"); cs.Resources.Limits.Cpu().MilliValue() != 500 {
		t.Errorf("an infeasible resize changed the status: %v", cs.Resources)
	}
}

// annotateNode sets a node annotation for the test's time.
func annotateNode(t *testing.T, k kubernetes.Interface, node, key, value string) {
	t.Helper()
	patch := func(v any) {
		b, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]any{key: v}}})
		if _, err := k.CoreV1().Nodes().Patch(context.Background(), node, types.MergePatchType, b, metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	patch(value)
	t.Cleanup(func() { patch(nil) })
}

// A container whose resizePolicy says RestartContainer for memory restarts
// when its memory changes (the restart count goes up by one, the pod keeps
// its UID), not when only its CPU does.
func TestResizeRestartContainer(t *testing.T) {
	k := kube(t)
	pns := resizeNamespace(t, k, "kgotop-e2e-resize-restart")
	p := runPod(t, k, pns, "worker", corev1.ResourceRequirements{Requests: rl("cpu", "100m", "memory", "64Mi"), Limits: rl("memory", "128Mi")}, nil,
		corev1.ContainerResizePolicy{ResourceName: corev1.ResourceCPU, RestartPolicy: corev1.NotRequired},
		corev1.ContainerResizePolicy{ResourceName: corev1.ResourceMemory, RestartPolicy: corev1.RestartContainer})

	cpu := resizeInPlace(t, k, pns, "worker", "app", corev1.ResourceRequirements{Requests: rl("cpu", "200m", "memory", "64Mi"), Limits: rl("memory", "128Mi")})
	if got := statusOf(settledAt(t, k, pns, "worker", cpu.Generation), "app").RestartCount; got != 0 {
		t.Errorf("a CPU resize (NotRequired) restarted the container: %d restarts", got)
	}
	mem := resizeInPlace(t, k, pns, "worker", "app", corev1.ResourceRequirements{Requests: rl("cpu", "200m", "memory", "96Mi"), Limits: rl("memory", "192Mi")})
	after := settledAt(t, k, pns, "worker", mem.Generation)
	cs := statusOf(after, "app")
	if cs.RestartCount != 1 || after.UID != p.UID {
		t.Errorf("a memory resize (RestartContainer): %d restarts, uid %s -> %s", cs.RestartCount, p.UID, after.UID)
	}
	if got := cs.Resources.Limits.Memory().Value(); got != 192<<20 {
		t.Errorf("memory limit reported %d", got)
	}
}

// A memory limit cut below what the container uses (kwok's simulated usage)
// is allocated but not applied: PodResizeInProgress with reason Error and
// the kubelet's message, the old limit still in force.
func TestResizeMemoryLimitBelowUsage(t *testing.T) {
	k := kube(t)
	pns := resizeNamespace(t, k, "kgotop-e2e-resize-usage")
	runPod(t, k, pns, "cache", corev1.ResourceRequirements{Requests: rl("memory", "64Mi"), Limits: rl("memory", "512Mi")},
		map[string]string{"kwok.x-k8s.io/usage-memory": "300Mi"})
	cut := resizeInPlace(t, k, pns, "cache", "app", corev1.ResourceRequirements{Requests: rl("memory", "64Mi"), Limits: rl("memory", "256Mi")})
	var c *corev1.PodCondition
	var p *corev1.Pod
	eventually(t, "PodResizeInProgress Error", time.Minute, func() bool {
		p = getPod(t, k, pns, "cache")
		c = podCondition(p, corev1.PodResizeInProgress)
		return c != nil && c.Reason == corev1.PodReasonError
	})
	if c.ObservedGeneration != cut.Generation ||
		!strings.Contains(c.Message, `attempting to set container "app" memory limit (268435456) below current usage (314572800)`) {
		t.Errorf("in progress: generation %d, %q", c.ObservedGeneration, c.Message)
	}
	if got := statusOf(p, "app").Resources.Limits.Memory().Value(); got != 512<<20 {
		t.Errorf("the limit in force is %d, want the old 512Mi", got)
	}
}
