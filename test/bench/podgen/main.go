// Command podgen fills a sandbox namespace with N running pods for
// scripts/bench: it adds large kwok nodes, creates Deployments of ten
// replicas (or bare pods bound to a node with --bare) with kwok usage
// annotations, many at a time, and waits until every pod runs and the
// metrics API reports each of them. It only ever adds: run it with 1000,
// then 5000, then 10000 and each run creates the difference.
//
//	go run ./test/bench/podgen --kubeconfig .sandbox/bench/run/kubeconfig --pods 5000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"
)

type options struct {
	kubeconfig  string
	namespace   string
	pods        int
	replicas    int
	bare        bool
	nodes       int
	nodePods    int
	concurrency int
	timeout     time.Duration
	noMetrics   bool
}

func main() {
	var o options
	flag.StringVar(&o.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the sandbox (an admin user)")
	flag.StringVar(&o.namespace, "namespace", "bench", "namespace to fill")
	flag.IntVar(&o.pods, "pods", 1000, "pods the namespace must have in all")
	flag.IntVar(&o.replicas, "replicas", 10, "replicas of each Deployment")
	flag.BoolVar(&o.bare, "bare", false, "create bare pods bound to the bench nodes instead of Deployments (no controller or scheduler work)")
	flag.IntVar(&o.nodes, "nodes", 12, "kwok nodes bench-node-0.. to have")
	flag.IntVar(&o.nodePods, "node-pods", 1000, "pod capacity of each bench node")
	flag.IntVar(&o.concurrency, "concurrency", 16, "requests in flight when creating")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "how long to wait for the pods and their metrics")
	flag.BoolVar(&o.noMetrics, "no-metrics-wait", false, "do not wait for the metrics API to report every pod")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintf(os.Stderr, "podgen: %v\n", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "podgen: [%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, o options) error {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: o.kubeconfig}, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return err
	}
	cfg.UserAgent = "kgotop-bench-podgen"
	cfg.QPS, cfg.Burst = 1000, 2000
	proto := rest.CopyConfig(cfg)
	proto.ContentType = "application/vnd.kubernetes.protobuf"
	k, err := kubernetes.NewForConfig(proto)
	if err != nil {
		return err
	}
	m, err := metricsclient.NewForConfig(cfg)
	if err != nil {
		return err
	}
	began := time.Now()
	if err := ensureNodes(ctx, k, o); err != nil {
		return err
	}
	if err := ensureNamespace(ctx, k, o.namespace); err != nil {
		return err
	}
	n, err := create(ctx, k, o)
	if err != nil {
		return err
	}
	logf("created %d objects in %s", n, time.Since(began).Round(time.Second))
	if err := waitRunning(ctx, k, o); err != nil {
		return err
	}
	logf("%d pods run, %s after start", o.pods, time.Since(began).Round(time.Second))
	if o.noMetrics {
		return nil
	}
	if err := waitMetrics(ctx, m, o); err != nil {
		return err
	}
	logf("the metrics API reports %d pods, %s after start", o.pods, time.Since(began).Round(time.Second))
	return nil
}

// ensureNodes adds the bench's kwok nodes: large pod capacity, each with its
// own /22 of pod IPs, the annotations kwok and metrics-server look for.
func ensureNodes(ctx context.Context, k kubernetes.Interface, o options) error {
	for i := range o.nodes {
		name := fmt.Sprintf("bench-node-%d", i)
		cidr := fmt.Sprintf("10.244.%d.0/22", 16+4*i)
		capacity := corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("512"),
			corev1.ResourceMemory: resource.MustParse("2Ti"),
			corev1.ResourcePods:   *resource.NewQuantity(int64(o.nodePods), resource.DecimalSI),
		}
		n := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name: name,
				Annotations: map[string]string{
					"kwok.x-k8s.io/node":                   "fake",
					"node.alpha.kubernetes.io/ttl":         "0",
					"metrics.k8s.io/resource-metrics-path": "/metrics/nodes/" + name + "/metrics/resource",
				},
				Labels: map[string]string{
					"kubernetes.io/hostname":           name,
					"kubernetes.io/os":                 "linux",
					"kubernetes.io/arch":               "amd64",
					"node.kubernetes.io/instance-type": "bench-512x2048",
					"topology.kubernetes.io/zone":      fmt.Sprintf("bench-%c", 'a'+i%3),
					"type":                             "kwok",
				},
			},
			Spec: corev1.NodeSpec{PodCIDR: cidr, PodCIDRs: []string{cidr}},
			Status: corev1.NodeStatus{
				Capacity: capacity, Allocatable: capacity,
				NodeInfo: corev1.NodeSystemInfo{Architecture: "amd64", OperatingSystem: "linux", KubeletVersion: "fake", KubeProxyVersion: "fake"},
			},
		}
		// A Node keeps the status it is created with (kwok adds conditions).
		if _, err := k.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating node %s: %w", name, err)
		}
	}
	// kwok marks them Ready; the scheduler ignores them until then.
	return poll(ctx, time.Second, func() (bool, error) {
		for i := range o.nodes {
			n, err := k.CoreV1().Nodes().Get(ctx, fmt.Sprintf("bench-node-%d", i), metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			ready := false
			for _, c := range n.Status.Conditions {
				ready = ready || c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue
			}
			if !ready || n.Status.Allocatable.Pods().Value() != int64(o.nodePods) {
				return false, nil
			}
		}
		return true, nil
	})
}

func ensureNamespace(ctx context.Context, k kubernetes.Interface, ns string) error {
	_, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", ns, err)
	}
	// The ServiceAccount admission refuses pods until the namespace's default
	// ServiceAccount exists (the controller-manager makes it).
	return poll(ctx, 500*time.Millisecond, func() (bool, error) {
		_, err := k.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
}

// create makes the Deployments (or bare pods) that are missing, o.concurrency at a time.
func create(ctx context.Context, k kubernetes.Interface, o options) (int, error) {
	units, per := o.pods/o.replicas, o.replicas
	if o.bare {
		units, per = o.pods, 1
	}
	if units*per != o.pods {
		return 0, fmt.Errorf("--pods %d is not a multiple of --replicas %d", o.pods, o.replicas)
	}
	work := make(chan int)
	var created atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, o.concurrency)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range o.concurrency {
		wg.Go(func() {
			for i := range work {
				var err error
				if o.bare {
					_, err = k.CoreV1().Pods(o.namespace).Create(ctx, barePod(o, i), metav1.CreateOptions{})
				} else {
					_, err = k.AppsV1().Deployments(o.namespace).Create(ctx, deployment(o, i), metav1.CreateOptions{})
				}
				switch {
				case apierrors.IsAlreadyExists(err):
				case err != nil:
					select {
					case errc <- err:
					default:
					}
					cancel()
					return
				default:
					created.Add(1)
				}
			}
		})
	}
feed:
	for i := range units {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errc:
		return int(created.Load()), fmt.Errorf("creating: %w", err)
	default:
	}
	return int(created.Load()), ctx.Err()
}

// usageOf spreads usage over the workloads, deterministically: CPU 20m to
// 400m (request 100m), memory 40Mi to 250Mi (limit 256Mi), so some
// workloads sit near their memory limit and some far over their CPU request.
func usageOf(i int) (cpu, mem string) {
	return fmt.Sprintf("%dm", 20+(i*37)%381), fmt.Sprintf("%dMi", 40+(i*53)%211)
}

func podSpec() corev1.PodSpec {
	return corev1.PodSpec{
		Containers: []corev1.Container{{
			Name:  "app",
			Image: "registry.example/bench/api:1.0",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}, {Name: "metrics", ContainerPort: 9090}},
			Env:   []corev1.EnvVar{{Name: "GOMEMLIMIT", Value: "230MiB"}, {Name: "GOMAXPROCS", Value: "1"}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
			},
			ReadinessProbe: &corev1.Probe{
				ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromString("http")}},
				PeriodSeconds: 10,
			},
		}},
		TerminationGracePeriodSeconds: new(int64),
	}
}

func deployment(o options, i int) *appsv1.Deployment {
	name := fmt.Sprintf("bench-%05d", i)
	cpu, mem := usageOf(i)
	labels := map[string]string{"app": name, "kgotop.dev/bench": "true"}
	replicas := int32(o.replicas)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels:      labels,
					Annotations: map[string]string{"kwok.x-k8s.io/usage-cpu": cpu, "kwok.x-k8s.io/usage-memory": mem},
				},
				Spec: podSpec(),
			},
		},
	}
}

func barePod(o options, i int) *corev1.Pod {
	name := fmt.Sprintf("bench-pod-%05d", i)
	cpu, mem := usageOf(i)
	spec := podSpec()
	spec.NodeName = fmt.Sprintf("bench-node-%d", i%o.nodes)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Labels:      map[string]string{"app": name, "kgotop.dev/bench": "true"},
			Annotations: map[string]string{"kwok.x-k8s.io/usage-cpu": cpu, "kwok.x-k8s.io/usage-memory": mem},
		},
		Spec: spec,
	}
}

// waitRunning waits until the namespace has o.pods running, ready pods,
// reading the API server's watch cache (resourceVersion 0) every 2 s.
func waitRunning(ctx context.Context, k kubernetes.Interface, o options) error {
	last := -1
	return poll(ctx, 2*time.Second, func() (bool, error) {
		list, err := k.CoreV1().Pods(o.namespace).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return false, err
		}
		running := 0
		for i := range list.Items {
			p := &list.Items[i]
			if p.Status.Phase != corev1.PodRunning {
				continue
			}
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
					running++
				}
			}
		}
		if running != last && (running-last >= 500 || running >= o.pods) {
			logf("%d of %d pods running (%d exist)", running, o.pods, len(list.Items))
			last = running
		}
		return running >= o.pods, nil
	})
}

// waitMetrics waits until the metrics API reports every pod of the namespace.
func waitMetrics(ctx context.Context, m metricsclient.Interface, o options) error {
	return poll(ctx, 3*time.Second, func() (bool, error) {
		list, err := m.MetricsV1beta1().PodMetricses(o.namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			if apierrors.IsServiceUnavailable(err) || apierrors.IsNotFound(err) {
				return false, nil
			}
			return false, err
		}
		return len(list.Items) >= o.pods, nil
	})
}

// poll calls f every interval until it is done, fails, or ctx ends.
func poll(ctx context.Context, interval time.Duration, f func() (bool, error)) error {
	for {
		done, err := f()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), errors.New("gave up waiting"))
		case <-time.After(interval):
		}
	}
}
