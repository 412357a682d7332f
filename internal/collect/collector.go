// Package collect is the only code in kgotop that talks to the API server,
// and it converts what it reads into model types at the boundary.
//
// A Collector is made of parts that each own their state and their lock:
//
//   - the watcher (watcher.go, gather.go, owners.go): one informer per
//     resource, trimmed before caching, and the ownership of pods;
//   - the usage poller (poller.go) and its source, the metrics API
//     (metrics.go), polled no faster than the metrics pipeline refreshes,
//     which feed the usage store (usage.go): a bounded history per
//     workload container and each pod's newest sample;
//   - the history reader (past.go, prom_*.go): the workloads' past read
//     from a store of metrics (Prometheus) with a fixed handful of
//     aggregated queries, in the background, and folded into the usage
//     store's histories (usage_past.go);
//   - the scraper (scraper.go, scrape_*.go): Go programs' /metrics pages
//     read through the pod proxy at the same pace, within a budget;
//   - the patcher (patcher.go, resize.go, changelog.go): template patches
//     and in-place resizes (pods/resize) sent with the few clients they
//     need, and the log of the changes applied from kgotop;
//   - the API server's health (health.go), which every caller reports to.
//
// Each part gives a generation of each workload that changes whenever what
// it contributes to the workload does; Snapshot builds model.Snapshot values
// from the parts' small APIs and keeps (memo.go) the workloads whose
// generations did not move. It degrades instead of failing: a missing
// metrics API, a forbidden resource or an unreachable API server each
// become a status in the snapshot.
package collect

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	metricsv1beta1 "k8s.io/metrics/pkg/client/clientset/versioned/typed/metrics/v1beta1"

	"github.com/kgotop/kgotop/internal/advisor"
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
	// ServiceProxy reaches a store of metrics found in the cluster; nil
	// finds none (PastOptions.URL still reads one).
	ServiceProxy *ServiceProxy
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
	// ScrapeTimeout is how long one /metrics page may take (default 3s).
	ScrapeTimeout time.Duration
	// Past says where the workloads' past is read from (past.go).
	Past PastOptions
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
	if o.ScrapeTimeout <= 0 {
		o.ScrapeTimeout = scrapeTimeout
	}
}

// Collector watches one namespace (or all) and hands out snapshots. It
// holds no state itself: its parts do, each behind its own lock.
type Collector struct {
	opts    Options
	health  *apiHealth
	watch   *watcher
	metrics *metricsAPI
	usage   *usage
	poller  *poller
	scraper *scraper
	patcher *patcher
	past    *pastReader
	memo    *memo
}

// New returns a Collector; Start begins watching.
func New(c Clients, opts Options) *Collector {
	opts.defaults()
	health := newAPIHealth(opts.Now)
	metrics := newMetricsAPI(c, opts, health)
	store := newUsage(opts.History)
	return &Collector{
		opts:    opts,
		health:  health,
		watch:   newWatcher(c.Kube, opts.Namespace, opts.Selector),
		metrics: metrics,
		usage:   store,
		poller:  &poller{src: metrics, store: store},
		scraper: newScraper(c, opts),
		patcher: newPatcher(c.Kube.AppsV1(), c.Kube.CoreV1(), c.Discovery, health),
		past:    newPastReader(c, opts, store),
		memo:    newMemo(),
	}
}

// Start runs the informers until ctx ends. It returns at once.
func (c *Collector) Start(ctx context.Context) {
	c.watch.start(ctx)
}

// WaitForSync blocks until every readable resource has been listed once, or
// ctx ends; it then returns the last list error, if any.
func (c *Collector) WaitForSync(ctx context.Context) error {
	if err := c.watch.waitForSync(ctx, 50*time.Millisecond); err != nil {
		return fmt.Errorf("waiting for the first list of pods and workloads: %w", err)
	}
	return nil
}

// Run polls until ctx ends, each poll timed to the metrics window, and
// calls onPoll (if not nil) after each one. The first poll waits for the
// first list of pods and workloads (at most one window): samples of pods
// not listed yet are not counted, and the next poll is a window away, so a
// first poll made too early leaves usage unknown that long.
func (c *Collector) Run(ctx context.Context, onPoll func()) {
	first, cancel := context.WithTimeout(ctx, c.metrics.window())
	_ = c.watch.waitForSync(first, 20*time.Millisecond) // on timeout, poll all the same
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

// Poll makes one round: the scraper reads the Go runtime pages that are
// due in the background while the usage poller lists and ingests the
// metrics API's samples. It returns how long to wait before the next poll:
// until just after the next metrics window should be ready, never sooner
// than the pipeline refreshes.
func (c *Collector) Poll(ctx context.Context) time.Duration {
	c.patcher.discover()
	pods := c.watch.index()
	scraped := c.scraper.start(ctx, pods, c.opts.Now(), c.metrics.window())
	d := c.poller.poll(ctx, pods)
	if scraped == nil {
		return d
	}
	waited := time.Now()
	<-scraped
	// The time the scrapes took past the metrics list counts against the
	// wait, so that polls stay aligned to the metrics windows.
	return max(d-time.Since(waited), slack)
}

// Scrape reads the Go runtime pages that are due, without polling
// metrics, and returns when they are read: for a report whose --window
// ends before the next metrics window does (the GC's CPU share needs two
// pages a window apart).
func (c *Collector) Scrape(ctx context.Context) {
	if done := c.scraper.start(ctx, c.watch.index(), c.opts.Now(), c.metrics.window()); done != nil {
		<-done
	}
}

// PollMetrics is Poll without the Go runtime pages: for replaying hours of
// metrics windows (the demo's warm-up), where only the last pages matter.
func (c *Collector) PollMetrics(ctx context.Context) time.Duration {
	return c.poller.poll(ctx, c.watch.index())
}

// Sources returns the current status of the data sources.
func (c *Collector) Sources() model.Sources {
	s := model.Sources{API: c.health.get(), Metrics: c.metrics.get(), Synced: c.watch.synced(), InPlaceResize: c.patcher.supported()}
	s.Metrics.Newest, s.Metrics.Windows = c.usage.progress()
	s.Unavailable = append(c.scraper.unavailable(), c.watch.unavailable()...)
	s.Unavailable = dedupUnavailable(s.Unavailable)
	s.Past = c.past.get()
	return s
}

// RunHistory reads the workloads' past from the store of metrics
// (Options.Past) in the background of a dashboard: once the first list of
// pods is in, then again after a failure, and from then on it checks that
// the store still answers. It returns when ctx ends. Snapshots never wait
// for it: their Sources.Past says how it goes.
func (c *Collector) RunHistory(ctx context.Context) {
	if err := c.WaitForSync(ctx); err != nil && ctx.Err() != nil {
		return
	}
	c.past.run(ctx, c.watch.index)
}

// LoadHistory reads the workloads' past once (for a report): it waits for
// the first list of pods, then folds what the store answers into the
// usage history. An error says why the past could not be read; snapshots
// say it too, and advice rests on live samples.
func (c *Collector) LoadHistory(ctx context.Context) error {
	if err := c.WaitForSync(ctx); err != nil {
		return err
	}
	return c.past.load(ctx, c.watch.index())
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

// Seed installs a saved history for a workload's container (from an earlier
// run of kgotop); samples that follow extend it. It does nothing if the
// container already has history in this run.
func (c *Collector) Seed(ref model.WorkloadRef, container string, h *model.History) {
	c.usage.seed(ref, container, h)
}

// Histories calls fn with a copy of every container history, for saving.
func (c *Collector) Histories(fn func(ref model.WorkloadRef, container string, h *model.History)) {
	c.usage.each(fn)
}

// Apply sends the patch to its Deployment, StatefulSet or DaemonSet. With
// dryRun the server validates and admits it without persisting anything (a
// server-side dry run), so a person can see what would change before
// applying it for real. Failures wrap advisor's apply error kinds
// (advisor.ErrConflict, ...) with the server's message.
func (c *Collector) Apply(ctx context.Context, p advisor.Patch, dryRun bool) (ApplyResult, error) {
	return c.patcher.apply(ctx, p, dryRun)
}
