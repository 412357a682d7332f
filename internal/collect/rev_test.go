package collect

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kgotop/kgotop/internal/model"
)

// versioned sets resource versions as an API server would (the fake
// clientset leaves them empty).
type versioned struct{ n int }

func (v *versioned) set(objs ...metav1.Object) {
	for _, o := range objs {
		v.n++
		o.SetResourceVersion(strconv.Itoa(v.n))
	}
}

func revs(s model.Snapshot) map[model.WorkloadRef]uint64 {
	out := map[model.WorkloadRef]uint64{}
	for _, w := range s.Workloads {
		out[w.Ref] = w.Rev
	}
	return out
}

func TestRevChangesWithWhatAWorkloadIsBuiltFrom(t *testing.T) {
	var rv versioned
	api := deployment("api", 2, container("app", "100m", "256Mi"))
	rs := replicaSet("api-abc", ctrl("Deployment", "api"))
	hash := map[string]string{appsv1.DefaultDeploymentUniqueLabelKey: "abc"}
	p1 := pod("api-abc-1", ctrl("ReplicaSet", "api-abc"), hash, container("app", "100m", "256Mi"))
	p2 := pod("api-abc-2", ctrl("ReplicaSet", "api-abc"), hash, container("app", "100m", "256Mi"))
	debug := pod("debug", nil, nil, container("app", "", ""))
	rv.set(api, rs, p1, p2, debug)
	r := newRig(t, api, rs, p1, p2, debug).withMetricsAPI()
	c := r.start(t, Options{})
	ctx := context.Background()
	apiRef := model.WorkloadRef{Kind: model.KindDeployment, Namespace: ns, Name: "api"}
	debugRef := model.WorkloadRef{Kind: model.KindPod, Namespace: ns, Name: "debug"}

	steps := &revSteps{t: t, c: c, prev: c.Snapshot()}
	for ref, rev := range revs(steps.prev) {
		if rev == 0 {
			t.Fatalf("%s: Rev 0 with every object versioned", ref)
		}
	}
	step := steps.step

	step("nothing", func() {}, func(model.Snapshot) bool { return true })
	step("a pod's status", func() {
		p, _ := r.kube.CoreV1().Pods(ns).Get(ctx, "debug", metav1.GetOptions{})
		p.Status.ContainerStatuses[0].RestartCount = 2
		rv.set(p)
		if _, err := r.kube.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}, func(s model.Snapshot) bool {
		return find(t, s, model.KindPod, "debug").Containers[0].RestartCount() == 2
	}, debugRef)
	step("metrics of the api's pods", func() {
		r.podMetrics = []metricsapi.PodMetrics{podMetrics("api-abc-1", t0, "50m", "100Mi"), podMetrics("api-abc-2", t0, "60m", "110Mi")}
		c.Poll(ctx)
	}, func(s model.Snapshot) bool { return find(t, s, model.KindDeployment, "api").Containers[0].Usage != nil }, apiRef)
	step("the same metrics window again", func() { c.Poll(ctx) }, func(model.Snapshot) bool { return true })
	step("a warning about an api pod", func() {
		e := &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Name: "e1", Namespace: ns, UID: types.UID("ev-e1")},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "api-abc-1", Namespace: ns},
			Type:           "Warning", Reason: "BackOff", Message: "Back-off pulling image", Count: 1, LastTimestamp: metav1.Time{Time: t0},
		}
		rv.set(e)
		if _, err := r.kube.CoreV1().Events(ns).Create(ctx, e, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}, func(s model.Snapshot) bool { return len(find(t, s, model.KindDeployment, "api").Events) == 1 }, apiRef)
	step("the deployment's template", func() {
		d, _ := r.kube.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{})
		d.Spec.Template.Spec.Containers[0].Image = "registry.example/app:2.0"
		rv.set(d)
		if _, err := r.kube.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}, func(s model.Snapshot) bool {
		return find(t, s, model.KindDeployment, "api").Containers[0].Image == "registry.example/app:2.0"
	}, apiRef)
	step("time alone", func() { r.now = r.now.Add(time.Hour) }, func(model.Snapshot) bool { return true })

	// An object without a resource version (the demo's fake clientset) makes
	// the Rev unknown.
	bare := pod("unversioned", nil, nil, container("app", "", ""))
	if _, err := r.kube.CoreV1().Pods(ns).Create(ctx, bare, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the unversioned pod", func() bool { return len(c.Snapshot().Workloads) == 3 })
	if rev := find(t, c.Snapshot(), model.KindPod, "unversioned").Rev; rev != 0 {
		t.Errorf("an unversioned pod's workload has Rev %d, want 0", rev)
	}
}

// revSteps changes the cluster a step at a time and checks which Revs
// changed.
type revSteps struct {
	t    *testing.T
	c    *Collector
	prev model.Snapshot
}

// step makes a change, waits for the collector to see it and checks which
// Revs changed; workloads whose Rev stayed must be equal, and the snapshot,
// which keeps unchanged workloads, must be what a build from scratch gives.
func (s *revSteps) step(what string, change func(), seen func(model.Snapshot) bool, changed ...model.WorkloadRef) {
	t, c := s.t, s.c
	t.Helper()
	change()
	var now model.Snapshot
	eventually(t, what, func() bool { now = c.Snapshot(); return seen(now) })
	c.memo.forget()
	if scratch := c.Snapshot(); !reflect.DeepEqual(now.Workloads, scratch.Workloads) {
		t.Errorf("%s: the snapshot differs from one built from scratch:\n%+v\n%+v", what, now.Workloads, scratch.Workloads)
	}
	before, after := revs(s.prev), revs(now)
	for _, w := range now.Workloads {
		if got, want := after[w.Ref] != before[w.Ref], slices.Contains(changed, w.Ref); got != want {
			t.Errorf("%s: %s Rev changed %v, want %v", what, w.Ref, got, want)
		}
		for _, pw := range s.prev.Workloads {
			if pw.Ref == w.Ref && pw.Rev == w.Rev && !reflect.DeepEqual(pw, w) {
				t.Errorf("%s: %s kept its Rev but changed:\n%+v\n%+v", what, w.Ref, pw, w)
			}
		}
	}
	s.prev = now
}

// TestKeptWorkloadsFollowScrapesAndTime: the Go runtime pages a workload
// shows change with scrapes and, as they expire, with time alone; a snapshot
// that keeps unchanged workloads must still be what a build from scratch gives.
func TestKeptWorkloadsFollowScrapesAndTime(t *testing.T) {
	var rv versioned
	app := withPorts(container("app", "250m", "256Mi"), port("metrics", 9090))
	api := deployment("api", 2, app)
	rs := replicaSet("api-7d9f", ctrl("Deployment", "api"))
	a := withIP(pod("api-7d9f-a", ctrl("ReplicaSet", "api-7d9f"), nil, app))
	b := withIP(pod("api-7d9f-b", ctrl("ReplicaSet", "api-7d9f"), nil, app))
	rv.set(api, rs, a, b)
	r := newRig(t, api, rs, a, b).withMetricsAPI()
	pages := &fakePages{serve: goappPage(t)}
	c := New(Clients{Kube: r.kube, Metrics: r.metrics.MetricsV1beta1(), Discovery: r.disc, Pages: pages},
		Options{Namespace: ns, Now: func() time.Time { return r.now }})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c.Start(ctx)
	if err := c.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(what string) model.Workload {
		t.Helper()
		kept := c.Snapshot()
		c.memo.forget()
		if scratch := c.Snapshot(); !reflect.DeepEqual(kept.Workloads, scratch.Workloads) {
			t.Errorf("%s: the snapshot differs from one built from scratch:\n%+v\n%+v", what, kept.Workloads, scratch.Workloads)
		}
		return find(t, kept, model.KindDeployment, "api")
	}
	before := check("before any page")
	c.Poll(ctx)
	read := check("a round read")
	if read.Rev == before.Rev || read.Containers[0].Go.Runtime == nil {
		t.Errorf("a page read left the Rev (%d) or showed no runtime", read.Rev)
	}
	if again := check("nothing new"); again.Rev != read.Rev {
		t.Error("the Rev changed with nothing new")
	}
	r.now = r.now.Add(time.Hour) // the page expires
	expired := check("an hour later")
	if expired.Rev == read.Rev || expired.Containers[0].Go.Runtime != nil {
		t.Errorf("an expired page left the Rev or still showed its runtime")
	}
}
