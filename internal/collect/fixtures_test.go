package collect

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsfake "k8s.io/metrics/pkg/client/clientset/versioned/fake"
)

const ns = "shop"

var t0 = time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)

func ctrl(kind, name string) []metav1.OwnerReference {
	yes := true
	return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name, UID: types.UID(kind + name), Controller: &yes}}
}

func container(name string, cpuReq, memLim string) corev1.Container {
	c := corev1.Container{Name: name, Image: "registry.example/" + name + ":1.0"}
	if cpuReq != "" {
		c.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpuReq)}
	}
	if memLim != "" {
		c.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(memLim)}
	}
	return c
}

func pod(name string, owner []metav1.OwnerReference, labels map[string]string, cs ...corev1.Container) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, UID: types.UID("uid-" + name), OwnerReferences: owner, Labels: labels,
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
			Annotations:   map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{...}", "prometheus.io/port": "9090"}},
		Spec: corev1.PodSpec{Containers: cs, NodeName: "node-1", Volumes: []corev1.Volume{{Name: "data"}}},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			StartTime:  &metav1.Time{Time: t0},
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Time{Time: t0.Add(20 * time.Second)}}},
		},
	}
	for _, c := range cs {
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: c.Name, Ready: true})
	}
	return p
}

func deployment(name string, replicas int32, cs ...corev1.Container) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, UID: types.UID("Deployment" + name)},
		Spec:       appsv1.DeploymentSpec{Replicas: &replicas, Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: cs}}},
	}
}

func replicaSet(name string, owner []metav1.OwnerReference) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, UID: types.UID("ReplicaSet" + name), OwnerReferences: owner}}
}

func podMetrics(name string, ts time.Time, cpu, mem string) metricsapi.PodMetrics {
	return metricsapi.PodMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Timestamp:  metav1.Time{Time: ts},
		Window:     metav1.Duration{Duration: 15 * time.Second},
		Containers: []metricsapi.ContainerMetrics{{Name: "app", Usage: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}}},
	}
}

// rig is a collector over fake clientsets.
type rig struct {
	kube    *fake.Clientset
	metrics *metricsfake.Clientset
	disc    *fakediscovery.FakeDiscovery
	c       *Collector
	now     time.Time
	// podMetrics is what the metrics reactor serves, two items a page.
	podMetrics []metricsapi.PodMetrics
	lists      int // metrics list calls
}

// withMetricsAPI makes discovery serve metrics.k8s.io.
func (r *rig) withMetricsAPI() *rig {
	r.disc.Resources = append(r.disc.Resources, &metav1.APIResourceList{
		GroupVersion: metricsGroupVersion,
		APIResources: []metav1.APIResource{{Name: "pods", Namespaced: true, Kind: "PodMetrics"}},
	})
	return r
}

func newRig(t *testing.T, objs ...runtime.Object) *rig {
	t.Helper()
	r := &rig{kube: fake.NewClientset(objs...), metrics: &metricsfake.Clientset{}, now: t0}
	r.disc = r.kube.Discovery().(*fakediscovery.FakeDiscovery)
	// The metrics fake files PodMetrics under "podmetricses" while the client
	// asks for "pods", so it needs a reactor; this one pages two items at a time.
	r.metrics.AddReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		r.lists++
		opts := a.(k8stesting.ListActionImpl).ListOptions
		start := 0
		if opts.Continue != "" {
			fmt.Sscanf(opts.Continue, "page-%d", &start)
		}
		end := min(start+2, len(r.podMetrics))
		list := &metricsapi.PodMetricsList{Items: r.podMetrics[start:end]}
		if end < len(r.podMetrics) {
			list.Continue = fmt.Sprintf("page-%d", end)
		}
		return true, list, nil
	})
	return r
}

// start runs the collector and waits for its caches.
func (r *rig) start(t *testing.T, opts Options) *Collector {
	t.Helper()
	opts.Namespace = ns
	opts.Now = func() time.Time { return r.now }
	opts.PageSize = 2
	r.c = New(Clients{Kube: r.kube, Metrics: r.metrics.MetricsV1beta1(), Discovery: r.disc}, opts)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r.c.Start(ctx)
	syncCtx, syncCancel := context.WithTimeout(ctx, 10*time.Second)
	defer syncCancel()
	if err := r.c.WaitForSync(syncCtx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	return r.c
}

// eventually polls cond until it holds or a generous deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
