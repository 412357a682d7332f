package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/resize"
)

// resizedPod is pod api-1 of Deployment api (through ReplicaSet api-1) as a
// kubelet 1.37 reports it mid-resize: generation 3 seen up to 2, deferred.
func resizedPod() *corev1.Pod {
	c := container("app", "100m", "256Mi")
	c.ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: corev1.ResourceMemory, RestartPolicy: corev1.RestartContainer}}
	p := pod("api-1", ctrl("ReplicaSet", "api-1"), nil, c)
	p.Generation = 3
	p.Status.ObservedGeneration = 2
	p.Status.QOSClass = corev1.PodQOSBurstable
	p.Status.Conditions = append(p.Status.Conditions,
		corev1.PodCondition{Type: corev1.PodResizePending, Status: corev1.ConditionTrue, Reason: "Deferred", Message: "Node didn't have enough resource: memory", ObservedGeneration: 3},
		corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue})
	applied := corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
		Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")}}
	p.Status.ContainerStatuses[0].Resources = &applied
	p.Status.ContainerStatuses[0].AllocatedResources = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}
	return p
}

// What a pod says of its resize reaches the snapshot through the informer:
// generations, QoS class, the resize conditions, the allocated and applied
// resources, and the template's resizePolicy and update strategy.
func TestResizeStatusReachesTheSnapshot(t *testing.T) {
	d := deployment("api", 1, container("app", "100m", "256Mi"))
	d.Spec.Template.Spec.Containers[0].ResizePolicy = []corev1.ContainerResizePolicy{{ResourceName: corev1.ResourceMemory, RestartPolicy: corev1.RestartContainer}}
	d.Spec.Strategy.Type = appsv1.RollingUpdateDeploymentStrategyType
	r := newRig(t, d, replicaSet("api-1", ctrl("Deployment", "api")), resizedPod())
	c := r.start(t, Options{})
	w := c.Snapshot().Workloads[0]
	p := w.Pods[0]
	if p.UID != "uid-api-1" || p.QoS != "Burstable" || p.Resize.Generation != 3 || p.Resize.ObservedGeneration != 2 || p.Resize.Settled() {
		t.Errorf("pod %+v", p)
	}
	if pe := p.Resize.Pending; pe == nil || pe.Reason != model.ResizeDeferred || pe.ObservedGeneration != 3 || p.Resize.InProgress != nil {
		t.Errorf("pending %+v, in progress %+v", pe, p.Resize.InProgress)
	}
	in := w.Containers[0].Instances[0].Resources
	if in.Spec.Limits.Memory != 256<<20 || in.Spec.Requests.CPU != 100 || in.Applied == nil || in.Applied.Limits.Memory != 128<<20 ||
		in.Allocated == nil || in.Allocated.CPU != 100 {
		t.Errorf("instance resources %+v, applied %+v, allocated %+v", in.Spec, in.Applied, in.Allocated)
	}
	if !w.Containers[0].RestartOnResize.Memory || w.Containers[0].RestartOnResize.CPU || w.UpdateStrategy != "RollingUpdate" {
		t.Errorf("resizePolicy %+v, strategy %q", w.Containers[0].RestartOnResize, w.UpdateStrategy)
	}
}

// A StatefulSet's update strategy and its rolling update's partition reach
// the snapshot through the informer's trimming; none set reads as 0.
func TestStatefulSetPartitionReachesTheSnapshot(t *testing.T) {
	sts := func(name string, partition *int32) *appsv1.StatefulSet {
		return &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: appsv1.StatefulSetSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{container("app", "1", "")}}},
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: partition}}}}
	}
	two := int32(2)
	r := newRig(t, sts("db", &two), pod("db-0", ctrl("StatefulSet", "db"), nil, container("app", "1", "")),
		sts("kv", nil), pod("kv-0", ctrl("StatefulSet", "kv"), nil, container("app", "1", "")))
	c := r.start(t, Options{})
	got := map[string]model.Workload{}
	for _, w := range c.Snapshot().Workloads {
		got[w.Ref.Name] = w
	}
	if w := got["db"]; w.UpdateStrategy != "RollingUpdate" || w.Partition != 2 {
		t.Errorf("db: strategy %q, partition %d", w.UpdateStrategy, w.Partition)
	}
	if w := got["kv"]; w.UpdateStrategy != "RollingUpdate" || w.Partition != 0 {
		t.Errorf("kv: strategy %q, partition %d", w.UpdateStrategy, w.Partition)
	}
}

// Whether pods/resize is served comes from discovery of the core group.
func TestResizeDiscovery(t *testing.T) {
	for _, served := range []bool{true, false} {
		r := newRig(t)
		api := []metav1.APIResource{{Name: "pods", Namespaced: true, Kind: "Pod"}}
		if served {
			api = append(api, metav1.APIResource{Name: "pods/resize", Namespaced: true, Kind: "Pod"})
		}
		r.disc.Resources = append(r.disc.Resources, &metav1.APIResourceList{GroupVersion: "v1", APIResources: api})
		c := r.start(t, Options{})
		if c.Sources().InPlaceResize {
			t.Error("known before discovery was asked")
		}
		c.Poll(context.Background())
		if got := c.Sources().InPlaceResize; got != served {
			t.Errorf("served %v, snapshot says %v", served, got)
		}
	}
}

// podsResize stands in for the API server's pods/resize subresource on a
// fake clientset: a strategic merge of the pod's spec that moves its
// generation on, kept unless it is a dry run, and refused with a 403 (cause
// NodeCapacity) when a container asks for more CPU than the node's 8.
func podsResize(r *rig, calls *[]string) k8stesting.ReactionFunc {
	gvr := schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	return func(a k8stesting.Action) (bool, runtime.Object, error) {
		p, ok := a.(k8stesting.PatchActionImpl)
		if !ok || p.GetSubresource() != "resize" {
			return false, nil, nil
		}
		dry := len(p.PatchOptions.DryRun) > 0
		*calls = append(*calls, fmt.Sprintf("%s dry=%v", p.GetName(), dry))
		cur, err := r.kube.Tracker().Get(gvr, p.GetNamespace(), p.GetName())
		if err != nil {
			return true, nil, err
		}
		orig, _ := json.Marshal(cur)
		merged, err := strategicpatch.StrategicMergePatch(orig, p.GetPatch(), &corev1.Pod{})
		if err != nil {
			return true, nil, apierrors.NewBadRequest(err.Error())
		}
		out := &corev1.Pod{}
		_ = json.Unmarshal(merged, out)
		for _, c := range out.Spec.Containers {
			if c.Resources.Requests.Cpu().MilliValue() > 8000 {
				st := apierrors.NewForbidden(gvr.GroupResource(), p.GetName(), errors.New("node didn't have enough allocatable resources: cpu, requested: 9000, allocatable: 8000"))
				st.ErrStatus.Details.Causes = append(st.ErrStatus.Details.Causes, metav1.StatusCause{Type: "NodeCapacity"})
				return true, nil, st
			}
		}
		out.Generation++
		if dry {
			return true, out, nil
		}
		return true, out, r.kube.Tracker().Update(gvr, out, p.GetNamespace())
	}
}

// The plan's steps go through the collector's Resize to the pods/resize
// subresource: a dry run changes nothing, the real call moves the
// generation the kubelet must reach, and a node too small is ErrNodeCapacity.
func TestResizeThroughThePodsSubresource(t *testing.T) {
	pods := []runtime.Object{deployment("api", 2, container("app", "100m", "256Mi")), replicaSet("api-1", ctrl("Deployment", "api"))}
	for _, name := range []string{"api-1-a", "api-1-b"} {
		p := pod(name, ctrl("ReplicaSet", "api-1"), nil, container("app", "100m", "256Mi"))
		p.Generation, p.Status.QOSClass = 1, corev1.PodQOSBurstable
		pods = append(pods, p)
	}
	r := newRig(t, pods...)
	var calls []string
	r.kube.PrependReactor("patch", "pods", podsResize(r, &calls))
	c := r.start(t, Options{})
	w := c.Snapshot().Workloads[0]
	a := advisor.Advice{ID: "x", Target: advisor.Target{Kind: w.Ref.Kind, Namespace: ns, Name: "api", Container: "app"},
		Changes: []advisor.Change{{Container: "app", Resource: &advisor.ResourceChange{Section: advisor.Limits, Name: advisor.Memory, Amount: 384 << 20, Quantity: "384Mi"}}}}
	patch, err := advisor.BuildPatch(w, []advisor.Advice{a})
	if err != nil {
		t.Fatal(err)
	}
	plan := resize.New(w, patch)
	if !plan.InPlace() || len(plan.Steps) != 2 {
		t.Fatalf("plan %+v", plan)
	}
	ctx := context.Background()
	for _, s := range plan.Steps {
		if res, err := c.Resize(ctx, ns, s.Pod, s.Body, true); err != nil || !res.DryRun || res.Generation != 2 {
			t.Fatalf("dry run of %s: %+v %v", s.Pod, res, err)
		}
	}
	if got := c.Snapshot().Workloads[0].Pods[0].Resize.Generation; got != 1 {
		t.Fatalf("a dry run moved the generation to %d", got)
	}
	res, err := c.Resize(ctx, ns, plan.Steps[0].Pod, plan.Steps[0].Body, false)
	if err != nil || res.DryRun || res.Generation != 2 || res.UID != plan.Steps[0].UID {
		t.Fatalf("resize: %+v %v", res, err)
	}
	eventually(t, "the resized pod in the snapshot", func() bool {
		w := c.Snapshot().Workloads[0]
		got := resize.Track(w, plan.Steps[0], res.Generation)
		in := w.Containers[0].Instances[0].Resources.Spec
		return got.State == resize.Sent && in.Limits.Memory == 384<<20
	})
	if want := []string{"api-1-a dry=true", "api-1-b dry=true", "api-1-a dry=false"}; fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("calls %v, want %v", calls, want)
	}

	_, err = c.Resize(ctx, ns, "api-1-b", []byte(`{"spec":{"containers":[{"name":"app","resources":{"requests":{"cpu":"9"}}}]}}`), true)
	if !errors.Is(err, advisor.ErrNodeCapacity) || errors.Is(err, advisor.ErrForbidden) {
		t.Errorf("9 CPUs on an 8-CPU node: %v", err)
	}
	var short *advisor.NodeCapacityError
	if !errors.As(err, &short) || fmt.Sprint(short.Short) != "[{cpu 9000 8000}]" {
		t.Errorf("what did not fit: %+v", short)
	}
}

// The API server's NodeCapacity message names each resource that does not
// fit; one it words otherwise still refuses, with nothing read from it.
func TestNodeCapacityMessage(t *testing.T) {
	for msg, want := range map[string]string{
		`pods "a" is forbidden: node didn't have enough allocatable resources: cpu, requested: 9000, allocatable: 8000; memory, requested: 36078354432, allocatable: 34359738368`: "[{cpu 9000 8000} {memory 36078354432 34359738368}]",
		`pods "a" is forbidden: Node didn't have enough allocatable resources: memory, requested: 2, allocatable: 1`:                                                              "[{memory 2 1}]",
		`pods "a" is forbidden: no room`: "[]",
	} {
		err := nodeCapacity(msg)
		if got := fmt.Sprint(err.Short); got != want || !errors.Is(err, advisor.ErrNodeCapacity) || !strings.HasSuffix(err.Error(), msg) {
			t.Errorf("%s: %s, %v", msg, got, err)
		}
	}
}

// A recorded change reaches its workload in the next snapshot, newest
// first, with the changes seeded from earlier runs; Changes lists them all.
func TestRecordedChangesReachTheSnapshot(t *testing.T) {
	r := newRig(t, deployment("api", 1, container("app", "100m", "256Mi")), replicaSet("api-1", ctrl("Deployment", "api")),
		pod("api-1-a", ctrl("ReplicaSet", "api-1"), nil, container("app", "100m", "256Mi")))
	c := r.start(t, Options{})
	ref := model.WorkloadRef{Kind: model.KindDeployment, Namespace: ns, Name: "api"}
	c.SeedChanges([]model.AppliedChange{{Ref: ref, Way: model.ChangeRollout, At: t0.Add(-time.Hour)},
		{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: ns, Name: "gone"}, At: t0.Add(-2 * time.Hour)}})
	gen := c.patcher.generation(ref)
	c.Record(model.AppliedChange{Ref: ref, Way: model.ChangeResize, At: t0})
	w := c.Snapshot().Workloads[0]
	if len(w.Changes) != 2 || w.Changes[0].Way != model.ChangeResize || w.Changes[1].Way != model.ChangeRollout {
		t.Errorf("changes %+v", w.Changes)
	}
	if c.patcher.generation(ref) == gen {
		t.Error("a recorded change left the workload's generation: a kept snapshot would miss it")
	}
	if all := c.Changes(); len(all) != 3 || all[2].Ref.Name != "gone" {
		t.Errorf("all changes %+v", all)
	}
}
