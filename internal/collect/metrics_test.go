package collect

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kgotop/kgotop/internal/model"
)

func TestMetricsDedupByTimestampAndPagination(t *testing.T) {
	var objs []runtime.Object
	for _, n := range []string{"p1", "p2", "p3"} {
		objs = append(objs, pod(n, ctrl("StatefulSet", "db"), nil, container("app", "500m", "")))
	}
	r := newRig(t, objs...).withMetricsAPI()
	r.podMetrics = []metricsapi.PodMetrics{
		podMetrics("p1", t0, "100m", "100Mi"),
		podMetrics("p2", t0, "300m", "200Mi"),
		podMetrics("p3", t0, "200m", "150Mi"),
		podMetrics("not-watched", t0, "1", "1Gi"),
	}
	c := r.start(t, Options{})
	ctx := context.Background()

	c.Poll(ctx)
	if r.lists != 2 {
		t.Fatalf("four items at two a page took %d list calls, want 2", r.lists)
	}
	h := find(t, c.Snapshot(), model.KindStatefulSet, "db").Containers[0].Usage
	if h == nil || h.Samples != 3 || h.CPUPeak.Value != 300 || h.MemoryPeak.Value != 200<<20 {
		t.Fatalf("history after one poll = %+v", h)
	}
	if p, _ := h.LastPoint(); p.CPU != 300 || p.Memory != 200<<20 {
		t.Errorf("aggregated point = %+v, want the largest replica", p)
	}

	// The same windows again: nothing is counted twice.
	c.Poll(ctx)
	h = find(t, c.Snapshot(), model.KindStatefulSet, "db").Containers[0].Usage
	if h.Samples != 3 || len(h.Points()) != 1 {
		t.Fatalf("re-served windows were counted: samples %d points %d", h.Samples, len(h.Points()))
	}

	// One pod moves on to a new window.
	r.podMetrics[0] = podMetrics("p1", t0.Add(15*time.Second), "400m", "120Mi")
	r.now = t0.Add(16 * time.Second)
	c.Poll(ctx)
	s := c.Snapshot()
	db := find(t, s, model.KindStatefulSet, "db")
	if h := db.Containers[0].Usage; h.Samples != 4 || h.CPUPeak.Value != 400 || len(h.Points()) != 2 {
		t.Fatalf("after a new window: samples %d peak %d points %d", h.Samples, h.CPUPeak.Value, len(h.Points()))
	}
	if in := db.Containers[0].Instances[0]; in.Usage == nil || in.Usage.CPU != 400 {
		t.Errorf("latest sample of p1 = %+v", in.Usage)
	}
	if m := s.Sources.Metrics; m.State != model.MetricsAvailable || m.Windows != 2 || m.Polls != 3 || !m.Newest.Equal(t0.Add(15*time.Second)) {
		t.Errorf("metrics status = %+v", m)
	}
}

func TestPollIsAlignedToTheMetricsWindow(t *testing.T) {
	r := newRig(t, pod("p1", nil, nil, container("app", "", ""))).withMetricsAPI()
	r.podMetrics = []metricsapi.PodMetrics{podMetrics("p1", t0, "100m", "100Mi")}
	c := r.start(t, Options{})
	r.now = t0.Add(5 * time.Second)
	if d := c.Poll(context.Background()); d != 12*time.Second {
		t.Errorf("5s into a 15s window the next poll is in %v, want 12s (window end + slack)", d)
	}
	r.now = t0.Add(40 * time.Second) // the pipeline lags: wait a full window, don't spin
	if d := c.Poll(context.Background()); d != 15*time.Second {
		t.Errorf("with lagging samples the next poll is in %v, want one window", d)
	}
}

func TestMetricsAPIMissing(t *testing.T) {
	r := newRig(t, pod("debug", nil, nil, container("app", "", "")))
	c := r.start(t, Options{})
	c.Poll(context.Background())
	s := c.Snapshot()
	if s.Sources.Metrics.State != model.MetricsUnavailable || !strings.Contains(s.Sources.Metrics.Reason, "metrics-server") {
		t.Fatalf("metrics status = %+v", s.Sources.Metrics)
	}
	if r.lists != 0 {
		t.Errorf("listed pod metrics %d times with no metrics API", r.lists)
	}
	if len(s.Workloads) != 1 || !s.Sources.API.Live {
		t.Errorf("without metrics the rest must still work: %+v", s)
	}
	// Installed later: found at the next discovery check, not on every poll.
	r.withMetricsAPI()
	r.podMetrics = []metricsapi.PodMetrics{podMetrics("debug", t0, "10m", "10Mi")}
	r.now = t0.Add(30 * time.Second)
	c.Poll(context.Background())
	if r.lists != 0 {
		t.Fatal("discovery was asked again before rediscoverEvery")
	}
	r.now = t0.Add(2 * time.Minute)
	c.Poll(context.Background())
	if got := c.Snapshot().Sources.Metrics.State; got != model.MetricsAvailable || r.lists != 1 {
		t.Errorf("after install: state %s lists %d", got, r.lists)
	}
}

func TestStaleWhenTheAPIServerGoesAway(t *testing.T) {
	r := newRig(t, pod("debug", nil, nil, container("app", "", ""))).withMetricsAPI()
	r.podMetrics = []metricsapi.PodMetrics{podMetrics("debug", t0, "10m", "10Mi")}
	c := r.start(t, Options{})
	down := true
	r.metrics.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if down {
			return true, nil, &netOpError{}
		}
		return false, nil, nil
	})
	r.now = t0.Add(time.Minute)
	c.Poll(context.Background())
	s := c.Snapshot()
	if s.Sources.API.Live || !s.Sources.API.StaleSince.Equal(t0.Add(time.Minute)) || len(s.Workloads) != 1 {
		t.Fatalf("API status while down = %+v (workloads %d)", s.Sources.API, len(s.Workloads))
	}
	r.now = t0.Add(2 * time.Minute)
	c.Poll(context.Background())
	if got := c.Snapshot().Sources.API.StaleSince; !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("stale-since moved to %v; it must keep when it began", got)
	}
	down = false
	c.Poll(context.Background())
	if api := c.Snapshot().Sources.API; !api.Live || api.Error != "" {
		t.Errorf("after recovery API = %+v", api)
	}
}

// netOpError is what a refused connection looks like to a client.
type netOpError struct{}

func (*netOpError) Error() string { return "dial tcp 127.0.0.1:6443: connect: connection refused" }

func (*netOpError) Unwrap() error { return syscall.ECONNREFUSED }

func TestMetricsAPIRegisteredButDown(t *testing.T) {
	r := newRig(t, pod("debug", nil, nil, container("app", "", "")))
	r.disc.PrependReactor("get", "resource", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewServiceUnavailable("the server is currently unable to handle the request")
	})
	c := r.start(t, Options{})
	c.Poll(context.Background())
	m := c.Snapshot().Sources.Metrics
	if m.State != model.MetricsUnavailable || !strings.Contains(m.Reason, "registered but not answering (503)") {
		t.Errorf("metrics = %+v", m)
	}
}

func TestNanocoresRoundToTheNearestMillicore(t *testing.T) {
	for in, want := range map[string]int64{"50000212n": 50, "50600000n": 51, "150m": 150, "1": 1000, "400n": 0} {
		q := resource.MustParse(in)
		if got := nearestMilli(&q); got != want {
			t.Errorf("%s = %dm, want %dm", in, got, want)
		}
	}
}

func TestSeededHistoryContinues(t *testing.T) {
	r := newRig(t, pod("p1", ctrl("StatefulSet", "db"), nil, container("app", "", ""))).withMetricsAPI()
	r.podMetrics = []metricsapi.PodMetrics{podMetrics("p1", t0, "100m", "100Mi")}
	c := r.start(t, Options{})
	ref := model.WorkloadRef{Kind: model.KindStatefulSet, Namespace: ns, Name: "db"}
	saved := model.NewHistory(model.DefaultHistoryConfig)
	saved.Add("old-pod", model.Sample{Time: t0.Add(-24 * time.Hour), CPU: 900, Memory: 900 << 20}, 0)
	c.Seed(ref, "app", saved)
	c.Poll(context.Background())

	h := find(t, c.Snapshot(), model.KindStatefulSet, "db").Containers[0].Usage
	// The day between the saved sample and the poll was not watched.
	if h.Samples != 2 || h.CPUPeak.Value != 900 || h.Last.Sub(h.First) != 24*time.Hour || h.Span() != 0 {
		t.Errorf("seeded history after a poll: samples %d peak %d first to last %v span %v", h.Samples, h.CPUPeak.Value, h.Last.Sub(h.First), h.Span())
	}
	var got []string
	c.Histories(func(ref model.WorkloadRef, container string, h *model.History) {
		got = append(got, ref.String()+"/"+container)
	})
	if len(got) != 1 || got[0] != "sts/shop/db/app" {
		t.Errorf("histories = %v", got)
	}
}

func TestHistoryOutlivesAPodWithoutMetrics(t *testing.T) {
	r := newRig(t, pod("p1", ctrl("StatefulSet", "db"), nil, container("app", "", ""))).withMetricsAPI()
	r.podMetrics = []metricsapi.PodMetrics{podMetrics("p1", t0, "100m", "100Mi")}
	c := r.start(t, Options{})
	c.Poll(context.Background())
	// The only pod is in back-off: metrics-server has nothing for it.
	r.podMetrics = nil
	c.Poll(context.Background())
	if h := find(t, c.Snapshot(), model.KindStatefulSet, "db").Containers[0].Usage; h == nil || h.Samples != 1 {
		t.Fatalf("history of a workload whose pod is in back-off = %+v", h)
	}
	// The workload is deleted: its history goes.
	if err := r.kube.CoreV1().Pods(ns).Delete(context.Background(), "p1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the pod to go", func() bool { return len(c.Snapshot().Workloads) == 0 })
	c.Poll(context.Background())
	n := 0
	c.Histories(func(model.WorkloadRef, string, *model.History) { n++ })
	if n != 0 {
		t.Errorf("%d histories left for a deleted workload", n)
	}
}
