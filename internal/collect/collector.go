// Package collect is the only code in kgotop that talks to the API server.
// It watches pods and their controllers with informers, polls the metrics API
// no faster than the metrics pipeline refreshes, reads Go programs' /metrics
// pages through the pod proxy at the same pace (a few pods per workload),
// keeps a bounded usage history per container, and converts all of it into
// model.Snapshot values. It degrades instead of failing: a missing metrics
// API, a forbidden resource or an unreachable API server each become a status
// in the snapshot.
package collect

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sync"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	metricsv1beta1 "k8s.io/metrics/pkg/client/clientset/versioned/typed/metrics/v1beta1"

	"github.com/kgotop/kgotop/internal/model"
)

// Clients are the narrow API clients the collector needs, filled in at the edge.
type Clients struct {
	Kube kubernetes.Interface
	// Metrics lists PodMetrics; nil means there is no metrics client at all.
	Metrics   metricsv1beta1.PodMetricsesGetter
	Discovery discovery.DiscoveryInterface
	// Pages reads pods' /metrics pages; nil reads them through the API
	// server's pod proxy with Kube's REST client (ProxyPages).
	Pages Pages
}

// Options scope and tune a Collector.
type Options struct {
	// Namespace to watch; "" watches all namespaces.
	Namespace string
	// Selector is a label selector for pods ("app=api").
	Selector string
	// Context is the kubeconfig context name, shown in snapshots.
	Context string
	// Window is the metrics window to assume until the metrics API tells its
	// own (metrics-server's default resolution: 15s).
	Window time.Duration
	// PageSize is the page size of metrics lists.
	PageSize int64
	// History sizes the per-container history.
	History model.HistoryConfig
	// Now returns the current time (tests and the demo pass a simulated clock).
	Now func() time.Time
	// Log receives diagnostics; nil discards them.
	Log *slog.Logger
	// MetricsPorts (numbers or names) and MetricsPath say where to read
	// /metrics on pods that have neither prometheus.io annotations nor a
	// port named like "metrics"; MetricsPath defaults to /metrics.
	MetricsPorts []string
	MetricsPath  string
}

func (o *Options) defaults() {
	if o.Window <= 0 {
		o.Window = 15 * time.Second
	}
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Collector watches one namespace (or all) and hands out snapshots.
type Collector struct {
	clients Clients
	opts    Options
	inf     *informers

	mu       sync.Mutex
	api      model.APIStatus
	metrics  model.MetricsStatus
	usage    *usage
	lastDisc time.Time // last discovery check of metrics.k8s.io
	scrapes  *scrapes  // the Go runtime pages read through the pod proxy

	revSeed  maphash.Seed // of model.Workload.Rev
	memo     map[model.WorkloadRef]*memoEntry
	memoPass uint64
}

// New returns a Collector; Start begins watching.
func New(c Clients, opts Options) *Collector {
	opts.defaults()
	return &Collector{
		clients: c,
		opts:    opts,
		inf:     newInformers(c.Kube, opts.Namespace, opts.Selector),
		api:     model.APIStatus{Live: true},
		metrics: model.MetricsStatus{State: model.MetricsUnknown, Window: opts.Window, Interval: opts.Window},
		usage:   newUsage(opts.History),
		scrapes: newScrapes(c),
		revSeed: maphash.MakeSeed(),
		memo:    map[model.WorkloadRef]*memoEntry{},
	}
}

// Start runs the informers until ctx ends. It returns at once.
func (c *Collector) Start(ctx context.Context) {
	c.inf.start(ctx)
}

// WaitForSync blocks until every readable resource has been listed once, or
// ctx ends; it then returns the last list error, if any.
func (c *Collector) WaitForSync(ctx context.Context) error {
	if err := c.inf.waitForSync(ctx, 50*time.Millisecond); err != nil {
		return fmt.Errorf("waiting for the first list of pods and workloads: %w", err)
	}
	return nil
}

// Run polls the metrics API until ctx ends, each poll timed to the metrics
// window, and calls onPoll (if not nil) after each one. The first poll
// waits for the first list of pods and workloads (at most one window):
// samples of pods not listed yet are not counted, and the next poll is a
// window away, so a first poll made too early leaves usage unknown that long.
func (c *Collector) Run(ctx context.Context, onPoll func()) {
	first, cancel := context.WithTimeout(ctx, c.window())
	_ = c.inf.waitForSync(first, 20*time.Millisecond) // on timeout, poll all the same
	cancel()
	for {
		delay := c.Poll(ctx)
		if onPoll != nil {
			onPoll()
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Sources returns the current status of the data sources.
func (c *Collector) Sources() model.Sources {
	c.mu.Lock()
	s := model.Sources{API: c.api, Metrics: c.metrics, Unavailable: c.scrapeUnavailable()}
	c.mu.Unlock()
	s.Synced = c.inf.synced()
	for _, w := range c.inf.all {
		w.mu.Lock()
		if f := w.forbidden; f != nil {
			s.Unavailable = append(s.Unavailable, model.Unavailable{Group: w.group, Resource: w.resource, Verb: verbOf(f), Message: f.ErrStatus.Message})
		}
		w.mu.Unlock()
	}
	s.Unavailable = dedupUnavailable(s.Unavailable)
	return s
}

// dedupUnavailable keeps one entry per verb and resource (two event watches
// are refused with one reason).
func dedupUnavailable(in []model.Unavailable) []model.Unavailable {
	seen := map[string]bool{}
	out := in[:0]
	for _, u := range in {
		if !seen[u.String()] {
			seen[u.String()] = true
			out = append(out, u)
		}
	}
	return out
}
