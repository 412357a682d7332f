// Package demo is kgotop's instant demo: a simulated cluster, made of the
// scenario library's workloads, served to the real collector through
// client-go's fake clientsets and a simulated clock. Pods' usage moves,
// memory creeps to OOMKills, liveness probes kill a slow starter, and Go
// runtimes answer /metrics, so everything downstream of the clients (the
// collector, the advisor, the report and the dashboard) runs as it does
// against a cluster. A Demo (lifecycle.go) is the simulation with the
// collector watching it, as kgotop --demo runs it: Open, Start (the warm-up,
// then a tick that keeps it moving), Snapshot and Apply, Close.
package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
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

	"github.com/kgotop/kgotop/internal/scenario"
)

// stories are the scenarios the demo simulates: the library's, and the one
// only the demo can tell (a change kgotop applied before it opened).
func stories() []scenario.Scenario { return append(scenario.All(), scenario.Followed()) }

// Start is when the demo's simulated clock starts, the same every run.
var Start = time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)

// Sim is a simulated namespace. It is safe for concurrent use.
type Sim struct {
	Kube    *fake.Clientset
	Metrics *metricsfake.Clientset

	mu   sync.Mutex
	now  time.Time
	rng  *rand.Rand
	pods []*pod
	// changed is set when a Deployment or StatefulSet may have a new pod
	// template (a patch or update went through): the next step starts a
	// rollout of each scenario whose pods run another template.
	changed atomic.Bool
	// rolling are the rollouts under way, by scenario (see rollout.go).
	rolling map[string]*rollout
	// podsMade counts the pods made, to give each its own IP.
	podsMade int
}

// New builds the simulated namespace at Start, with noise drawn from seed.
func New(seed uint64) *Sim { return NewAt(Start, seed) }

// NewAt builds the simulated namespace with its clock at start.
func NewAt(start time.Time, seed uint64) *Sim {
	// Each scenario's pods draw their start times from a source of its own,
	// and the run from another, so that a scenario added to the library
	// leaves the others' stories as they were.
	s := &Sim{now: start, rolling: map[string]*rollout{}}
	var objs []runtime.Object
	objs = append(objs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: scenario.Namespace}})
	for _, sc := range stories() {
		h := fnv.New64a()
		h.Write([]byte(sc.Name))
		s.rng = rand.New(rand.NewPCG(seed, h.Sum64()))
		objs = append(objs, s.workload(sc)...)
	}
	s.rng = rand.New(rand.NewPCG(seed^0x6a09e667f3bcc908, seed))
	s.Kube = fake.NewClientset(objs...)
	s.Kube.PrependReactor("patch", "*", s.patchWorkload)
	s.Kube.PrependReactor("patch", "pods", s.resizePod)
	s.Kube.PrependReactor("update", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if r := a.GetResource().Resource; r == "deployments" || r == "statefulsets" {
			s.changed.Store(true)
		}
		return false, nil, nil // the tracker stores it
	})
	disc := s.Kube.Discovery().(*fakediscovery.FakeDiscovery)
	disc.Resources = append(disc.Resources, &metav1.APIResourceList{
		GroupVersion: "metrics.k8s.io/v1beta1",
		APIResources: []metav1.APIResource{{Name: "pods", Namespaced: true, Kind: "PodMetrics"}},
	}, &metav1.APIResourceList{
		GroupVersion: "v1",
		APIResources: []metav1.APIResource{{Name: "pods", Namespaced: true, Kind: "Pod"}, {Name: "pods/resize", Namespaced: true, Kind: "Pod"}},
	})
	s.Metrics = &metricsfake.Clientset{}
	s.Metrics.AddReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, s.podMetrics(), nil
	})
	return s
}

// workload returns the controller, ReplicaSet, pods and HPA of a scenario.
func (s *Sim) workload(sc scenario.Scenario) []runtime.Object {
	var objs []runtime.Object
	yes := true
	owner := metav1.OwnerReference{APIVersion: "apps/v1", Controller: &yes}
	deploy, sts := sc.Controller()
	var podLabels map[string]string
	var names []string
	switch {
	case deploy != nil:
		deploy.UID, deploy.Generation = types.UID("deploy-"+sc.Name), 1
		deploy.Status = appsv1.DeploymentStatus{Replicas: sc.Replicas, ReadyReplicas: sc.Replicas}
		hash := sc.TemplateHash()
		rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: sc.Name + "-" + hash, Namespace: scenario.Namespace,
			UID: types.UID("rs-" + sc.Name), OwnerReferences: []metav1.OwnerReference{withKind(owner, "Deployment", sc.Name, deploy.UID)}}}
		objs = append(objs, deploy, rs)
		owner = withKind(owner, "ReplicaSet", rs.Name, rs.UID)
		podLabels = map[string]string{appsv1.DefaultDeploymentUniqueLabelKey: hash}
		for i := range sc.Replicas {
			names = append(names, fmt.Sprintf("%s-%s-%s", sc.Name, hash, suffix(sc.Name, i)))
		}
	default:
		sts.UID, sts.Generation = types.UID("sts-"+sc.Name), 1
		sts.Status = appsv1.StatefulSetStatus{Replicas: sc.Replicas, ReadyReplicas: sc.Replicas}
		objs = append(objs, sts)
		owner = withKind(owner, "StatefulSet", sc.Name, sts.UID)
		for i := range sc.Replicas {
			names = append(names, fmt.Sprintf("%s-%d", sc.Name, i))
		}
	}
	if h := sc.HPAObject(); h != nil {
		// The utilization the HPA controller would report: mean usage over the request.
		c := sc.Containers[0]
		util := int32((c.CPU.Base + c.CPU.Swing/2) * 100 / max(c.Requests.CPU, 1))
		h.Status = autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: sc.Replicas, DesiredReplicas: sc.Replicas,
			CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: &util}}}}}
		objs = append(objs, h)
	}
	tmpl := sc.PodTemplate()
	for i, name := range names {
		// Pods started at different times before the demo, so waves differ.
		started := s.now.Add(-time.Duration(2+i*7) * time.Hour).Add(-time.Duration(s.rng.IntN(120)) * time.Second)
		p := s.newPod(sc, name, int(i), owner, podLabels, tmpl.Spec.Containers, started)
		p.ready, p.readySince = true, started.Add(5*time.Second)
		if c := p.main(); c.CrashExit != 0 {
			// It never got past its start: crashed, backing off.
			p.runStart, p.ready = s.now.Add(-3*time.Second), false
			p.terminate(s.now.Add(-time.Second), "Error", c.CrashExit)
			p.last.Message = c.CrashMessage
			p.restarts, p.backoffs = 11, 11
		}
		if st := p.main().Stopped; st != nil && i == 0 {
			// Its previous run ended before the demo began; the kubelet started it again.
			end := s.now.Add(-st.Ago)
			p.last = &corev1.ContainerStateTerminated{Reason: st.Reason, ExitCode: st.Exit,
				StartedAt: metav1.Time{Time: end.Add(-st.Run)}, FinishedAt: metav1.Time{Time: end}}
			p.restarts, p.runStart, p.creepStart, p.readySince = 1, end, end, end.Add(5*time.Second)
			if first := end.Add(-st.Run); first.Before(p.started) {
				p.started = first // the pod outlived that run
				p.spec.CreationTimestamp = metav1.Time{Time: first}
			}
		}
		if p.main().StartSeconds > 0 {
			// Just rolled out: the slow starter is on its first start, and
			// its liveness probe is about to have its say.
			p.runStart, p.ready = s.now.Add(-20*time.Second), false
			p.startNeeds = time.Duration(p.main().StartSeconds) * time.Second
		}
		p.applyStatus()
		s.pods = append(s.pods, p)
		objs = append(objs, p.spec)
	}
	return objs
}

// newPod makes the simulated pod name of a scenario, its index-th (which
// picks its node), owned by owner, with the template's labels and extra,
// created at created.
func (s *Sim) newPod(sc scenario.Scenario, name string, index int, owner metav1.OwnerReference, extra map[string]string, containers []corev1.Container, created time.Time) *pod {
	tmpl := sc.PodTemplate()
	labels := map[string]string{}
	for k, v := range tmpl.Labels {
		labels[k] = v
	}
	for k, v := range extra {
		labels[k] = v
	}
	p := &pod{sc: sc, name: name, index: index, ip: fmt.Sprintf("10.244.%d.%d", 1+index%3, 10+s.podsMade), started: created, runStart: created, creepStart: created,
		tmplHash: templateHash(sc.Name, containers), gen: 1, observed: 1, qos: qosOf(containers)}
	p.takeResources(containers)
	s.podsMade++
	p.spec = &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: scenario.Namespace, Labels: labels, Annotations: tmpl.Annotations,
			UID: types.UID("pod-" + name), OwnerReferences: []metav1.OwnerReference{owner}, CreationTimestamp: metav1.Time{Time: created}},
		Spec: corev1.PodSpec{Containers: containers, NodeName: fmt.Sprintf("kwok-node-%d", index%3)},
	}
	return p
}

func withKind(o metav1.OwnerReference, kind, name string, uid types.UID) metav1.OwnerReference {
	o.Kind, o.Name, o.UID = kind, name, uid
	return o
}

// suffix is a stable five-letter pod name suffix.
func suffix(name string, i int32) string {
	const letters = "bcdfghjklmnpqrstvwxz2456789"
	r := rand.New(rand.NewPCG(uint64(len(name))*7919+uint64(i), uint64(name[0])))
	b := make([]byte, 5)
	for j := range b {
		b[j] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

// Now returns the simulated time.
func (s *Sim) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Step advances the simulated time by d, letting pods crash, restart and
// become ready as their scenarios say; what changes is written to the fake
// API server, where the collector's informers see it.
func (s *Sim) Step(ctx context.Context, d time.Duration) error {
	if err := s.rollouts(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	s.now = s.now.Add(d)
	now := s.now
	var changed []*pod
	var events []eventChange
	for _, p := range s.pods {
		ev, ok := p.step(now, s.rng)
		if p.resizeStep(now) || ok {
			changed = append(changed, p)
			events = append(events, ev...)
		}
	}
	s.mu.Unlock()
	for _, p := range changed {
		if _, err := s.Kube.CoreV1().Pods(scenario.Namespace).UpdateStatus(ctx, p.snapshot(), metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("demo: updating pod %s: %w", p.name, err)
		}
	}
	for _, ev := range events {
		if err := s.record(ctx, ev, now); err != nil {
			return err
		}
	}
	return nil
}

// podMetrics serves the usage of every running pod at the simulated time.
// Samples are stamped at the start of the current 15 s window, as
// metrics-server stamps the kubelet's scrape.
func (s *Sim) podMetrics() *metricsapi.PodMetricsList {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.now.Truncate(15 * time.Second)
	list := &metricsapi.PodMetricsList{}
	for _, p := range s.pods {
		if p.waiting != "" {
			continue // a container in back-off has no usage
		}
		m := metricsapi.PodMetrics{
			ObjectMeta: metav1.ObjectMeta{Name: p.name, Namespace: scenario.Namespace, Labels: p.spec.Labels},
			Timestamp:  metav1.Time{Time: ts}, Window: metav1.Duration{Duration: 15 * time.Second},
		}
		for _, c := range p.sc.Containers {
			cpu, mem := p.usage(c, ts)
			m.Containers = append(m.Containers, metricsapi.ContainerMetrics{Name: c.Name, Usage: corev1.ResourceList{
				corev1.ResourceCPU:    *resource.NewMilliQuantity(cpu, resource.DecimalSI),
				corev1.ResourceMemory: *resource.NewQuantity(mem, resource.BinarySI),
			}})
		}
		list.Items = append(list.Items, m)
	}
	slices.SortFunc(list.Items, func(a, b metricsapi.PodMetrics) int { return compare(a.Name, b.Name) })
	return list
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MetricsPage returns the /metrics page of a pod's Go program, or false when
// the pod has none or is not running.
func (s *Sim) MetricsPage(namespace, podName string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pods {
		if p.name != podName || namespace != scenario.Namespace || p.waiting != "" {
			continue
		}
		c := p.main()
		if c.Runtime == nil {
			return "", false
		}
		_, mem := p.usage(c, s.now)
		return c.Effective().Page(s.now.Sub(p.runStart), mem), true
	}
	return "", false
}
