//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// The sandbox's kubelet stand-in (test/kubeletresize, run by scripts/sandbox
// as kubelet-resize) plays the kubelet's part in in-place resize on the kwok
// nodes. These tests resize through the pods/resize subresource, as kgotop
// will, and read back what a kubelet 1.37 reports.

func rl(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

// resizeBody is the patch of one container's resources.
func resizeBody(t *testing.T, container string, r corev1.ResourceRequirements) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"spec": map[string]any{"containers": []any{
		map[string]any{"name": container, "resources": r},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// resizeCall patches the pod's resize subresource; dryRun asks the server to
// check it without keeping it.
func resizeCall(k kubernetes.Interface, pns, pod string, body []byte, dryRun bool) (*corev1.Pod, error) {
	opts := metav1.PatchOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return k.CoreV1().Pods(pns).Patch(context.Background(), pod, types.StrategicMergePatchType, body, opts, "resize")
}

// resizeInPlace resizes as kgotop will: a server-side dry run (which must
// change nothing), then the real call. It returns the pod the server kept.
func resizeInPlace(t *testing.T, k kubernetes.Interface, pns, pod, container string, r corev1.ResourceRequirements) *corev1.Pod {
	t.Helper()
	before := getPod(t, k, pns, pod)
	body := resizeBody(t, container, r)
	if _, err := resizeCall(k, pns, pod, body, true); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if after := getPod(t, k, pns, pod); after.Generation != before.Generation || after.ResourceVersion != before.ResourceVersion {
		t.Fatalf("the dry run changed the pod: generation %d -> %d", before.Generation, after.Generation)
	}
	out, err := resizeCall(k, pns, pod, body, false)
	if err != nil {
		t.Fatalf("resize: %v", err)
	}
	if out.UID != before.UID || out.Generation != before.Generation+1 {
		t.Fatalf("resize: uid %s -> %s, generation %d -> %d", before.UID, out.UID, before.Generation, out.Generation)
	}
	return out
}

func getPod(t *testing.T, k kubernetes.Interface, pns, name string) *corev1.Pod {
	t.Helper()
	p, err := k.CoreV1().Pods(pns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func podCondition(p *corev1.Pod, typ corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == typ {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

func statusOf(p *corev1.Pod, container string) corev1.ContainerStatus {
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Name == container {
			return cs
		}
	}
	return corev1.ContainerStatus{}
}

// settledAt waits until the kubelet has seen generation gen and no resize
// is pending or in progress, and returns the pod.
func settledAt(t *testing.T, k kubernetes.Interface, pns, name string, gen int64) *corev1.Pod {
	t.Helper()
	var p *corev1.Pod
	eventually(t, name+" to settle at generation "+strconv.FormatInt(gen, 10), time.Minute, func() bool {
		p = getPod(t, k, pns, name)
		return p.Status.ObservedGeneration >= gen &&
			podCondition(p, corev1.PodResizeInProgress) == nil && podCondition(p, corev1.PodResizePending) == nil
	})
	return p
}

// watchConditions records the condition types the pod's status goes through.
func watchConditions(t *testing.T, k kubernetes.Interface, pns, name string) func() map[corev1.PodConditionType]int64 {
	t.Helper()
	w, err := k.CoreV1().Pods(pns).Watch(context.Background(), metav1.ListOptions{FieldSelector: "metadata.name=" + name})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[corev1.PodConditionType]int64{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			if p, ok := ev.Object.(*corev1.Pod); ok && ev.Type == watch.Modified {
				for _, c := range p.Status.Conditions {
					seen[c.Type] = c.ObservedGeneration
				}
			}
		}
	}()
	return func() map[corev1.PodConditionType]int64 {
		w.Stop()
		<-done
		return seen
	}
}

// A seeded pod with a story (ingest: OOMKilled, restarted) gets its memory
// limit raised in place: same UID, same restarts and last state, the status
// reports the new resources once the stand-in has applied them, and the
// generation it saw catches up. Then it is put back as seeded.
func TestResizeSeededPodInPlace(t *testing.T) {
	k := kube(t)
	var name string
	eventually(t, "the seeded ingest pod to report its resources", time.Minute, func() bool {
		list, err := k.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "kgotop.dev/scenario=ingest"})
		if err != nil || len(list.Items) != 1 {
			return false
		}
		name = list.Items[0].Name
		return statusOf(&list.Items[0], "ingest").Resources != nil
	})
	before := getPod(t, k, ns, name)
	was := statusOf(before, "ingest")
	seeded := *before.Spec.Containers[0].Resources.DeepCopy()
	t.Cleanup(func() {
		p := resizeInPlace(t, k, ns, name, "ingest", seeded)
		settledAt(t, k, ns, name, p.Generation)
	})

	// The memory request up to the seeded limit, the limit half as much again.
	bigger := *seeded.DeepCopy()
	limit := seeded.Limits[corev1.ResourceMemory]
	bigger.Requests[corev1.ResourceMemory] = limit
	bigger.Limits[corev1.ResourceMemory] = *resource.NewQuantity(limit.Value()*3/2, resource.BinarySI)
	seen := watchConditions(t, k, ns, name)
	resized := resizeInPlace(t, k, ns, name, "ingest", bigger)
	after := settledAt(t, k, ns, name, resized.Generation)
	if gen := seen()[corev1.PodResizeInProgress]; gen != resized.Generation {
		t.Errorf("PodResizeInProgress was seen for generation %d, want %d", gen, resized.Generation)
	}

	cs := statusOf(after, "ingest")
	if after.UID != before.UID || cs.RestartCount != was.RestartCount {
		t.Errorf("uid %s -> %s, restarts %d -> %d", before.UID, after.UID, was.RestartCount, cs.RestartCount)
	}
	if !equality.Semantic.DeepEqual(cs.LastTerminationState, was.LastTerminationState) {
		t.Errorf("last state %v -> %v", was.LastTerminationState.Terminated, cs.LastTerminationState.Terminated)
	}
	if !equality.Semantic.DeepEqual(*cs.Resources, bigger) || !equality.Semantic.DeepEqual(cs.AllocatedResources, bigger.Requests) {
		t.Errorf("status reports %v, allocated %v; want %v", cs.Resources, cs.AllocatedResources, bigger)
	}
	if after.Status.ObservedGeneration != resized.Generation {
		t.Errorf("observedGeneration %d, want %d", after.Status.ObservedGeneration, resized.Generation)
	}
}
