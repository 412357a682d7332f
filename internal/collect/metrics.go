package collect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/version"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsv1beta1 "k8s.io/metrics/pkg/client/clientset/versioned/typed/metrics/v1beta1"

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

// discoverer is the part of discovery the metrics source asks: whether
// metrics.k8s.io is served, and the server's version as a cheap ping.
type discoverer interface {
	ServerResourcesForGroupVersion(groupVersion string) (*metav1.APIResourceList, error)
	ServerVersion() (*version.Info, error)
}

// metricsAPI is the usage source of metrics.k8s.io: it lists PodMetrics
// when the API is served (looking for it again now and then when it is
// not) and paces the poller to the metrics windows. Its status has a lock
// of its own.
type metricsAPI struct {
	client    metricsv1beta1.PodMetricsesGetter // nil: no metrics client at all
	discovery discoverer
	health    *apiHealth
	namespace string
	selector  string
	pageSize  int64
	now       func() time.Time

	mu       sync.Mutex
	status   model.MetricsStatus
	lastDisc time.Time // last discovery check of metrics.k8s.io
}

func newMetricsAPI(c Clients, o Options, health *apiHealth) *metricsAPI {
	return &metricsAPI{
		client: c.Metrics, discovery: c.Discovery, health: health,
		namespace: o.Namespace, selector: o.Selector, pageSize: o.PageSize, now: o.Now,
		status: model.MetricsStatus{State: model.MetricsUnknown, Window: o.Window, Interval: o.Window},
	}
}

// fetch lists every pod's newest samples.
func (m *metricsAPI) fetch(ctx context.Context) ([]podUsage, bool, bool) {
	if m.client == nil || !m.served() {
		// Without metrics, a cheap GET /version keeps the API status honest.
		_, err := m.discovery.ServerVersion()
		m.health.observe(err)
		return nil, false, false
	}
	items, err := m.list(ctx)
	m.health.observe(err)
	if err != nil {
		m.failed(err)
		return nil, false, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.status.State, m.status.Reason = model.MetricsAvailable, ""
	m.status.Polls++
	for _, it := range items {
		if it.window > 0 {
			m.status.Window = it.window
			break
		}
	}
	return items, true, true
}

// next aligns the next poll to just after the newest sample's window
// should have been replaced; when samples lag, or none came, it waits a
// whole window.
func (m *metricsAPI) next(newest time.Time, fetched bool) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.status.Window
	if !fetched {
		return w
	}
	m.status.Interval = w
	if newest.IsZero() {
		return w
	}
	d := newest.Add(w + slack).Sub(m.now())
	if d < slack {
		return w
	}
	return min(d, w)
}

// window returns the metrics window, as the metrics API last told it.
func (m *metricsAPI) window() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status.Window
}

// get returns the metrics API's status, its samples' progress aside.
func (m *metricsAPI) get() model.MetricsStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status
}

// served asks discovery whether metrics.k8s.io is served: once at first,
// then at most every rediscoverEvery while it is not.
func (m *metricsAPI) served() bool {
	m.mu.Lock()
	state, last := m.status.State, m.lastDisc
	m.mu.Unlock()
	if state == model.MetricsAvailable {
		return true
	}
	now := m.now()
	if state == model.MetricsUnavailable && now.Sub(last) < rediscoverEvery {
		return false
	}
	_, err := m.discovery.ServerResourcesForGroupVersion(metricsGroupVersion)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastDisc = now
	if err == nil {
		return true
	}
	if unreachable(err) {
		m.status.State, m.status.Reason = model.MetricsUnknown, "metrics API not checked: the API server is unreachable"
		return false
	}
	m.status.State, m.status.Reason = model.MetricsUnavailable, metricsProblem(err, "is not served by this cluster, so usage is unknown")
	return false
}

// failed records why a PodMetrics list failed.
func (m *metricsAPI) failed(err error) {
	if unreachable(err) {
		return // the API status says it; the metrics keep their last state
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.status.State, m.status.Reason = model.MetricsUnavailable, metricsProblem(err, "is not served any more")
	m.lastDisc = m.now()
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

// list lists PodMetrics page by page and converts them.
func (m *metricsAPI) list(ctx context.Context) ([]podUsage, error) {
	api := m.client.PodMetricses(m.namespace)
	opts := metav1.ListOptions{LabelSelector: m.selector, Limit: m.pageSize}
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
