package collect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kgotop/kgotop/internal/model"
)

const (
	metricsGroupVersion = "metrics.k8s.io/v1beta1"
	// metricsInstallHint is what a person needs when metrics.k8s.io is missing.
	metricsInstallHint = "install metrics-server (kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml)"
	// rediscoverEvery is how often a missing metrics API is looked for again.
	rediscoverEvery = time.Minute
	// slack is how long after a window should close kgotop asks for it, so
	// that the metrics pipeline has scraped it.
	slack = 2 * time.Second
)

// Poll makes one round: it lists PodMetrics when the metrics API is served
// (looking for it again now and then when it is not), ingests new samples,
// reads the Go runtime pages that are due meanwhile (see scrape.go), and
// returns how long to wait before the next poll: until just after the next
// metrics window should be ready, never sooner than the pipeline refreshes.
func (c *Collector) Poll(ctx context.Context) time.Duration {
	scraped := c.scrape(ctx)
	d := c.pollMetrics(ctx)
	if scraped == nil {
		return d
	}
	waited := time.Now()
	<-scraped
	// The time the scrapes took past the metrics list counts against the
	// wait, so that polls stay aligned to the metrics windows.
	return max(d-time.Since(waited), slack)
}

// PollMetrics is Poll without the Go runtime pages: for replaying hours of
// metrics windows (the demo's warm-up), where only the last pages matter.
func (c *Collector) PollMetrics(ctx context.Context) time.Duration { return c.pollMetrics(ctx) }

// pollMetrics lists and ingests PodMetrics and returns the wait until the next poll.
func (c *Collector) pollMetrics(ctx context.Context) time.Duration {
	if c.clients.Metrics == nil || !c.metricsServed() {
		// Without metrics, a cheap GET /version keeps the API status honest.
		_, err := c.clients.Discovery.ServerVersion()
		c.markReachable(err)
		return c.window()
	}
	items, err := c.listPodMetrics(ctx)
	c.markReachable(err)
	if err != nil {
		c.metricsFailed(err)
		return c.window()
	}
	lookup, live := c.podLookup()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.usage.ingest(items, lookup, live)
	c.metrics.State, c.metrics.Reason = model.MetricsAvailable, ""
	c.metrics.Polls++
	c.metrics.Newest, c.metrics.Windows = c.usage.newest, c.usage.windows
	for _, it := range items {
		if it.window > 0 {
			c.metrics.Window = it.window
			break
		}
	}
	return c.nextPoll()
}

// nextPoll aligns the next poll to just after the newest sample's window
// should have been replaced; when samples lag, it waits a whole window.
// c.mu must be held.
func (c *Collector) nextPoll() time.Duration {
	w := c.metrics.Window
	c.metrics.Interval = w
	if c.metrics.Newest.IsZero() {
		return w
	}
	d := c.metrics.Newest.Add(w + slack).Sub(c.opts.Now())
	if d < slack {
		return w
	}
	return min(d, w)
}

func (c *Collector) window() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.metrics.Window
}

// metricsServed asks discovery whether metrics.k8s.io is served: once at
// first, then at most every rediscoverEvery while it is not.
func (c *Collector) metricsServed() bool {
	c.mu.Lock()
	state, last := c.metrics.State, c.lastDisc
	c.mu.Unlock()
	if state == model.MetricsAvailable {
		return true
	}
	now := c.opts.Now()
	if state == model.MetricsUnavailable && now.Sub(last) < rediscoverEvery {
		return false
	}
	_, err := c.clients.Discovery.ServerResourcesForGroupVersion(metricsGroupVersion)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastDisc = now
	if err == nil {
		return true
	}
	if unreachable(err) {
		c.metrics.State, c.metrics.Reason = model.MetricsUnknown, "metrics API not checked: the API server is unreachable"
		return false
	}
	c.metrics.State, c.metrics.Reason = model.MetricsUnavailable, metricsProblem(err, "is not served by this cluster, so usage is unknown")
	return false
}

// metricsFailed records why a PodMetrics list failed.
func (c *Collector) metricsFailed(err error) {
	if unreachable(err) {
		return // the API status says it; the metrics keep their last state
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.metrics.State, c.metrics.Reason = model.MetricsUnavailable, metricsProblem(err, "is not served any more")
	c.lastDisc = c.opts.Now()
}

// metricsProblem says in one line why metrics cannot be read and what to do;
// notServed completes "metrics.k8s.io ..." for a 404.
func metricsProblem(err error, notServed string) string {
	var status *apierrors.StatusError
	switch {
	case apierrors.IsForbidden(err) && errors.As(err, &status):
		return fmt.Sprintf("metrics are forbidden (%s): grant get/list on pods.metrics.k8s.io", verbOf(status))
	case apierrors.IsNotFound(err):
		return "metrics.k8s.io " + notServed + ": " + metricsInstallHint
	case apierrors.IsServiceUnavailable(err):
		return "metrics.k8s.io is registered but not answering (503): check the metrics-server pod and its APIService"
	}
	return "reading pod metrics failed: " + err.Error()
}

// listPodMetrics lists PodMetrics page by page and converts them.
func (c *Collector) listPodMetrics(ctx context.Context) ([]podUsage, error) {
	api := c.clients.Metrics.PodMetricses(c.opts.Namespace)
	opts := metav1.ListOptions{LabelSelector: c.opts.Selector, Limit: c.opts.PageSize}
	var out []podUsage
	for {
		list, err := api.List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing pod metrics: %w", err)
		}
		for i := range list.Items {
			out = append(out, convertPodMetrics(&list.Items[i]))
		}
		if list.Continue == "" {
			return out, nil
		}
		opts.Continue = list.Continue
	}
}

func convertPodMetrics(m *metricsapi.PodMetrics) podUsage {
	out := podUsage{namespace: m.Namespace, name: m.Name, time: m.Timestamp.Time, window: m.Window.Duration}
	for _, cm := range m.Containers {
		out.containers = append(out.containers, containerUsage{
			name:   cm.Name,
			cpu:    nearestMilli(cm.Usage.Cpu()),
			memory: cm.Usage.Memory().Value(),
		})
	}
	return out
}

// nearestMilli rounds a CPU rate to the nearest millicore. metrics-server
// reports nanocores ("50000212n"); MilliValue would round that up to 51m.
func nearestMilli(q *resource.Quantity) int64 {
	return int64(math.Round(float64(q.ScaledValue(resource.Nano)) / 1e6))
}

// podLookup resolves pods from the informer cache for ingest, and returns
// the workloads that have pods.
func (c *Collector) podLookup() (func(ns, name string) (podInfo, bool), map[model.WorkloadRef]bool) {
	own := c.owners()
	store := c.inf.pods.inf.GetStore()
	live := map[model.WorkloadRef]bool{}
	for _, x := range store.List() {
		live[own.workloadOf(x.(*corev1.Pod))] = true
	}
	return func(ns, name string) (podInfo, bool) {
		obj, ok, _ := store.GetByKey(ns + "/" + name)
		if !ok {
			return podInfo{}, false
		}
		p := obj.(*corev1.Pod)
		info := podInfo{ref: own.workloadOf(p), cpuRequest: make(map[string]int64, len(p.Spec.Containers))}
		for _, ct := range p.Spec.Containers {
			info.cpuRequest[ct.Name] = ct.Resources.Requests.Cpu().MilliValue()
		}
		return info, true
	}, live
}

// owners builds the ownership index from the ReplicaSet and Job caches.
func (c *Collector) owners() *owners {
	return newOwners(c.inf.replicaSets.list(), c.inf.jobs.list())
}
