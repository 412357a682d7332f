package collect

import (
	"context"
	"fmt"
	goruntime "runtime"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// bigNamespace makes pods in deployments of ten replicas each, with realistic
// spec weight (env, probes, volumes, managedFields) for the transforms to
// trim, and resource versions as an API server sets them.
func bigNamespace(pods int) ([]runtime.Object, []metricsapi.PodMetrics) {
	return bigNamespaceOf(pods, 10, false)
}

// bigNamespaceOf is bigNamespace in Deployments of the given replicas,
// each pod with a second container (a proxy) when sidecar is set.
func bigNamespaceOf(pods, replicas int, sidecar bool) ([]runtime.Object, []metricsapi.PodMetrics) {
	var objs []runtime.Object
	var pms []metricsapi.PodMetrics
	var rv versioned
	for d := 0; d < pods/replicas; d++ {
		name := fmt.Sprintf("svc-%04d", d)
		ct := container("app", "250m", "512Mi")
		ct.Env = []corev1.EnvVar{{Name: "GOMEMLIMIT", Value: "460MiB"}, {Name: "PORT", Value: "8080"}}
		ct.LivenessProbe = &corev1.Probe{PeriodSeconds: 10}
		cs := []corev1.Container{ct}
		if sidecar {
			cs = append(cs, container("proxy", "100m", "128Mi"))
		}
		dep, rs := deployment(name, int32(replicas), cs...), replicaSet(name+"-abc", ctrl("Deployment", name))
		rv.set(dep, rs)
		objs = append(objs, dep, rs)
		for i := 0; i < replicas; i++ {
			p := pod(fmt.Sprintf("%s-abc-%02d", name, i), ctrl("ReplicaSet", name+"-abc"),
				map[string]string{appsv1.DefaultDeploymentUniqueLabelKey: "abc", "app": name}, slices.Clone(cs)...)
			rv.set(p)
			objs = append(objs, p)
			pms = append(pms, podMetrics(p.Name, t0, "120m", "300Mi"))
		}
	}
	return objs, pms
}

func heapInUse() uint64 {
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkSnapshot10k measures one snapshot of 10,000 pods in 1,000
// Deployments with metrics history, and the collector's heap (informer caches
// plus usage history, without the fake API server's own copies): "rebuilt"
// builds every workload, "kept" is a snapshot after one with nothing new,
// what most of the dashboard's refreshes are.
// Targets: under 50 ms a snapshot, under 100 MB of heap.
func BenchmarkSnapshot10k(b *testing.B) {
	objs, pms := bigNamespace(10_000)
	r := newRig(&testing.T{}, objs...).withMetricsAPI()
	r.podMetrics = pms
	before := heapInUse()

	r.c = New(Clients{Kube: r.kube, Metrics: r.metrics.MetricsV1beta1(), Discovery: r.disc},
		Options{Namespace: ns, PageSize: 500, Now: func() time.Time { return r.now }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.c.Start(ctx)
	if err := r.c.WaitForSync(ctx); err != nil {
		b.Fatal(err)
	}
	// Two hours of 15 s windows of history for every container.
	for i := 0; i < 480; i++ {
		ts := metav1.Time{Time: t0.Add(time.Duration(i) * 15 * time.Second)}
		for j := range r.podMetrics {
			r.podMetrics[j].Timestamp = ts
		}
		r.now = ts.Time
		r.c.Poll(ctx)
		r.metrics.ClearActions() // the fake keeps every request it served
	}
	heap := heapInUse() - before

	for _, keep := range []bool{false, true} {
		b.Run(map[bool]string{false: "rebuilt", true: "kept"}[keep], func(b *testing.B) {
			var s int
			for b.Loop() {
				if !keep {
					r.c.memo.forget()
				}
				snap := r.c.Snapshot()
				s = len(snap.Workloads)
			}
			if s != 1000 {
				b.Fatalf("snapshot has %d workloads, want 1000", s)
			}
			b.ReportMetric(float64(heap)/(1<<20), "collector-heap-MB")
		})
	}
}

// BenchmarkPoll10k measures one metrics poll (list, dedup, history) at 10,000 pods.
func BenchmarkPoll10k(b *testing.B) {
	objs, pms := bigNamespace(10_000)
	r := newRig(&testing.T{}, objs...).withMetricsAPI()
	r.podMetrics = pms
	r.c = New(Clients{Kube: r.kube, Metrics: r.metrics.MetricsV1beta1(), Discovery: r.disc},
		Options{Namespace: ns, PageSize: 500, Now: func() time.Time { return r.now }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.c.Start(ctx)
	if err := r.c.WaitForSync(ctx); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		ts := metav1.Time{Time: t0.Add(time.Duration(i) * 15 * time.Second)}
		for j := range r.podMetrics {
			r.podMetrics[j].Timestamp = ts
		}
		r.c.Poll(ctx)
		r.metrics.ClearActions()
	}
}
