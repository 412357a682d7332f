package collect

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kgotop/kgotop/internal/model"
)

func find(t *testing.T, s model.Snapshot, kind model.Kind, name string) model.Workload {
	t.Helper()
	for _, w := range s.Workloads {
		if w.Ref.Kind == kind && w.Ref.Name == name {
			return w
		}
	}
	var have []string
	for _, w := range s.Workloads {
		have = append(have, w.Ref.String())
	}
	t.Fatalf("no %s %s in snapshot; have %v", kind, name, have)
	return model.Workload{}
}

func TestOwnershipResolution(t *testing.T) {
	hash := map[string]string{appsv1.DefaultDeploymentUniqueLabelKey: "7d9f"}
	objs := []runtime.Object{
		deployment("api", 2, container("app", "250m", "256Mi")),
		replicaSet("api-7d9f", ctrl("Deployment", "api")),
		pod("api-7d9f-a", ctrl("ReplicaSet", "api-7d9f"), hash, container("app", "250m", "256Mi")),
		pod("api-7d9f-b", ctrl("ReplicaSet", "api-7d9f"), hash, container("app", "250m", "256Mi")),
		// A ReplicaSet with no Deployment stands alone.
		replicaSet("legacy", nil),
		pod("legacy-x", ctrl("ReplicaSet", "legacy"), nil, container("app", "", "")),
		// A ReplicaSet kgotop has not seen: the pod-template-hash names its Deployment.
		pod("web-5c5c-z", ctrl("ReplicaSet", "web-5c5c"), map[string]string{appsv1.DefaultDeploymentUniqueLabelKey: "5c5c"}, container("app", "", "")),
		&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}, Spec: appsv1.StatefulSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{container("app", "1", "")}}}}},
		pod("db-0", ctrl("StatefulSet", "db"), nil, container("app", "1", "")),
		&appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: ns}, Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 3}},
		pod("agent-q", ctrl("DaemonSet", "agent"), nil, container("app", "", "")),
		&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "nightly-2911", Namespace: ns, OwnerReferences: ctrl("CronJob", "nightly")}},
		pod("nightly-2911-k", ctrl("Job", "nightly-2911"), nil, container("app", "", "")),
		pod("debug", nil, nil, container("app", "", "")),
		// A Deployment scaled to zero still shows.
		deployment("idle", 0, container("app", "", "")),
	}
	r := newRig(t, objs...)
	c := r.start(t, Options{})
	s := c.Snapshot()

	api := find(t, s, model.KindDeployment, "api")
	if len(api.Pods) != 2 || api.Desired != 2 || api.Ready != 2 {
		t.Errorf("api: %d pods, desired %d, ready %d", len(api.Pods), api.Desired, api.Ready)
	}
	if got := api.Containers[0].Resources; got.Requests.CPU != 250 || got.Limits.Memory != 256<<20 {
		t.Errorf("api resources = %+v", got)
	}
	if len(api.Containers[0].Instances) != 2 {
		t.Errorf("api instances = %d", len(api.Containers[0].Instances))
	}
	find(t, s, model.KindReplicaSet, "legacy")
	find(t, s, model.KindDeployment, "web")
	if db := find(t, s, model.KindStatefulSet, "db"); db.Desired != 1 || len(db.Pods) != 1 {
		t.Errorf("db: desired %d pods %d", db.Desired, len(db.Pods))
	}
	if ds := find(t, s, model.KindDaemonSet, "agent"); ds.Desired != 3 {
		t.Errorf("agent desired = %d", ds.Desired)
	}
	find(t, s, model.KindCronJob, "nightly")
	if bare := find(t, s, model.KindPod, "debug"); bare.Desired != 1 || len(bare.Pods) != 1 {
		t.Errorf("bare pod: %+v", bare)
	}
	if idle := find(t, s, model.KindDeployment, "idle"); idle.Desired != 0 || len(idle.Pods) != 0 || len(idle.Containers) != 1 {
		t.Errorf("idle deployment: %+v", idle)
	}
	if len(s.Workloads) != 8 {
		t.Errorf("got %d workloads, want 8", len(s.Workloads))
	}
	if !s.Sources.Synced || len(s.Sources.Unavailable) != 0 {
		t.Errorf("sources = %+v", s.Sources)
	}
}

func TestTransformKeepsOnlyWhatIsRead(t *testing.T) {
	r := newRig(t, pod("debug", nil, map[string]string{"app": "x"}, container("app", "", "")))
	c := r.start(t, Options{})
	p, ok := c.watch.pod(ns, "debug")
	if !ok {
		t.Fatal("pod not cached")
	}
	if p.ManagedFields != nil || p.Spec.Volumes != nil || p.Labels != nil {
		t.Errorf("cached pod keeps fields kgotop never reads: %+v", p.ObjectMeta)
	}
	if len(p.Annotations) != 1 || p.Annotations["prometheus.io/port"] != "9090" {
		t.Errorf("annotations = %v, want only prometheus.io/*", p.Annotations)
	}
}

func TestTransformSharesEqualResourceLists(t *testing.T) {
	r := newRig(t,
		pod("a", nil, nil, container("app", "100m", "256Mi")),
		pod("b", nil, nil, container("app", "0.1", "256Mi")), // the same amount, written otherwise
		pod("c", nil, nil, container("app", "200m", "256Mi")))
	c := r.start(t, Options{})
	requests := func(name string) corev1.ResourceList {
		p, _ := c.watch.pod(ns, name)
		return p.Spec.Containers[0].Resources.Requests
	}
	same := func(x, y corev1.ResourceList) bool {
		return reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	}
	if !same(requests("a"), requests("b")) {
		t.Error("equal requests are two maps")
	}
	if c := requests("c"); same(requests("a"), c) || c.Cpu().MilliValue() != 200 {
		t.Errorf("different requests share a map: %v", requests("c"))
	}
}

func TestInformerUpdatesReachSnapshots(t *testing.T) {
	r := newRig(t, pod("debug", nil, nil, container("app", "", "")))
	c := r.start(t, Options{})
	ctx := context.Background()

	p, _ := r.kube.CoreV1().Pods(ns).Get(ctx, "debug", metav1.GetOptions{})
	p.Status.ContainerStatuses[0].RestartCount = 4
	p.Status.ContainerStatuses[0].Ready = false
	p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	p.Status.ContainerStatuses[0].LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		Reason: "OOMKilled", ExitCode: 137, FinishedAt: metav1.Time{Time: t0.Add(time.Minute)}}}
	if _, err := r.kube.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.kube.CoreV1().Pods(ns).Create(ctx, pod("second", nil, nil, container("app", "", "")), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the update and the new pod", func() bool {
		s := c.Snapshot()
		return len(s.Workloads) == 2 && find(t, s, model.KindPod, "debug").Containers[0].RestartCount() == 4
	})
	ct := find(t, c.Snapshot(), model.KindPod, "debug").Containers[0]
	if ct.Waiting() != "CrashLoopBackOff" || ct.LastTermination().Reason != "OOMKilled" || ct.LastTermination().ExitCode != 137 {
		t.Errorf("container status = %+v", ct.Instances[0])
	}

	if err := r.kube.CoreV1().Pods(ns).Delete(ctx, "second", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted pod to go", func() bool { return len(c.Snapshot().Workloads) == 1 })
}

func TestProbeEventsAreCountedPerContainer(t *testing.T) {
	ev := func(name, typ, reason, msg string, count int32, at time.Time) *corev1.Event {
		return &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: name, Namespace: ns, UID: types.UID("ev-" + name)},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "debug", Namespace: ns, FieldPath: "spec.containers{app}"},
			Type:           typ, Reason: reason, Message: msg, Count: count, LastTimestamp: metav1.Time{Time: at},
		}
	}
	r := newRig(t,
		pod("debug", nil, nil, container("app", "", "")),
		ev("e1", "Warning", "Unhealthy", "Liveness probe failed: Get \"http://10.0.0.1:8080/healthz\": context deadline exceeded", 9, t0.Add(2*time.Minute)),
		ev("e2", "Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", 4, t0.Add(time.Minute)),
		ev("e3", "Normal", "Killing", "Container app failed liveness probe, will be restarted", 3, t0.Add(2*time.Minute)),
		ev("e4", "Warning", "BackOff", "Back-off restarting failed container app in pod debug", 5, t0.Add(3*time.Minute)),
		ev("e5", "Normal", "Pulled", "Successfully pulled image", 1, t0),
		ev("e6", "Normal", "Killing", "Container app failed startup probe, will be restarted", 2, t0.Add(2*time.Minute)),
	)
	c := r.start(t, Options{})
	ct := find(t, c.Snapshot(), model.KindPod, "debug").Containers[0]
	if len(ct.ProbeFailures) != 3 {
		t.Fatalf("probe failures = %+v", ct.ProbeFailures)
	}
	live, ready, startup := ct.ProbeFailures[0], ct.ProbeFailures[1], ct.ProbeFailures[2]
	if startup.Probe != model.Startup || startup.Kills != 2 {
		t.Errorf("startup = %+v", startup)
	}
	if live.Probe != model.Liveness || live.Count != 9 || live.Kills != 3 || !strings.Contains(live.LastMessage, "deadline exceeded") {
		t.Errorf("liveness = %+v", live)
	}
	if ready.Probe != model.Readiness || ready.Count != 4 {
		t.Errorf("readiness = %+v", ready)
	}
	if len(ct.Events) != 1 || ct.Events[0].Reason != "BackOff" || ct.Events[0].Count != 5 {
		t.Errorf("other events = %+v", ct.Events)
	}
	// The Killing events are held too, with the pod they ended a run of:
	// the advice reads them to tell whether the kubelet's events are kept.
	if len(ct.Killings) != 2 || ct.Killings[0].Object != "Pod/debug" || !strings.Contains(ct.Killings[0].Message, "failed liveness probe") {
		t.Errorf("killings = %+v", ct.Killings)
	}
}

func TestForbiddenResourcesAreNamedAndTheRestWorks(t *testing.T) {
	r := newRig(t, pod("debug", nil, nil, container("app", "", "")), deployment("api", 1, container("app", "", "")))
	for _, res := range []string{"events", "horizontalpodautoscalers"} {
		res := res
		r.kube.PrependReactor("list", res, func(a k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: a.GetResource().Group, Resource: res}, "",
				errors.New(`User "viewer" cannot list resource "`+res+`" in API group "" in the namespace "shop"`))
		})
	}
	r.metrics.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}, "",
			errors.New(`User "viewer" cannot list resource "pods" in API group "metrics.k8s.io"`))
	})
	r.withMetricsAPI()
	c := r.start(t, Options{})
	c.Poll(context.Background())
	s := c.Snapshot()
	var got []string
	for _, u := range s.Sources.Unavailable {
		got = append(got, u.String())
	}
	if strings.Join(got, ", ") != "list horizontalpodautoscalers.autoscaling, list events" {
		t.Errorf("unavailable = %v", got)
	}
	if !s.Sources.Synced || len(s.Workloads) != 2 {
		t.Errorf("forbidden watches must not block the rest: synced %v workloads %d", s.Sources.Synced, len(s.Workloads))
	}
	if m := s.Sources.Metrics; m.State != model.MetricsUnavailable || !strings.Contains(m.Reason, "forbidden") {
		t.Errorf("metrics = %+v", m)
	}
}
