package collect

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"

	"github.com/kgotop/kgotop/internal/gometrics"
	"github.com/kgotop/kgotop/internal/model"
)

// The load the Go runtime scrapes put on the API server's pod proxy: per
// round (one per metrics window at most), at most scrapePodsPerWorkload
// pods per workload and scrapeBudget pages in all, scrapeConcurrency at a
// time, each cut at scrapeTimeout and gometrics.MaxPageBytes. A target that
// fails waits twice as long each time before it is tried again, up to
// scrapeBackoffMax; a refused pods/proxy stops all scraping for forbiddenRetry.
const (
	scrapePodsPerWorkload = 2
	scrapeBudget          = 64
	scrapeConcurrency     = 4
	scrapeTimeout         = 3 * time.Second
	scrapeRound           = 10 * time.Second
	scrapeBackoffMax      = 5 * time.Minute
	forbiddenRetry        = 5 * time.Minute
	// scrapeKeep is how long a page's numbers are shown after it was read,
	// at least: in a namespace whose targets take longer than that to go
	// round the budget, twice that time.
	scrapeKeep = 5 * time.Minute
)

// pageKey names the page of one container of one pod of a workload.
type pageKey struct{ pod, container string }

// scrapeResult is what kgotop knows from reading one container's page.
type scrapeResult struct {
	target ScrapeTarget
	// at is the last attempt; problem its failure (nil when it succeeded).
	// A problem is never changed once filed: snapshots share it.
	at      time.Time
	problem *model.ScrapeProblem
	// runtime and cpu are from the last page read (runtime nil if none was).
	runtime *model.GoRuntime
	cpu     gometrics.CPUCounters
	// failures counts failed attempts in a row; retryAt is when to try again.
	failures int
	retryAt  time.Time
}

// workloadPages are the pages read from one workload's pods.
type workloadPages struct {
	pages map[pageKey]*scrapeResult
	// gen is the workload's scrape generation; expired is how many of its
	// pages were past keeping when it was last asked for.
	gen     uint64
	expired int
}

// scraper is the part of the collector that reads Go programs' /metrics
// pages through the pod proxy, within its budget, and files what they say
// by workload. It has a lock of its own; its configuration is fixed at New.
type scraper struct {
	pages   Pages // nil: nothing is scraped
	ports   []string
	path    string
	timeout time.Duration
	now     func() time.Time

	mu       sync.Mutex
	byRef    map[model.WorkloadRef]*workloadPages
	rotation map[model.WorkloadRef]int
	cursor   int       // where the next over-budget round starts
	last     time.Time // start of the last round
	running  bool
	// forbidden is set while the API server refuses pods/proxy.
	forbidden   *model.Unavailable
	forbiddenAt time.Time
	// keep is how long a page's numbers are shown (see scrapeKeep).
	keep time.Duration
	// counter hands out generations; epoch is its value when pods/proxy
	// was last refused or granted, which changes every workload.
	counter, epoch uint64
	// rounds and requests count rounds made and pages asked for.
	rounds, requests int
}

// newScraper returns the scraper; with no Pages of the clients', the pod
// proxy of Kube's REST client. Without either (a fake clientset has no
// REST client) nothing is scraped.
func newScraper(c Clients, o Options) *scraper {
	s := &scraper{pages: c.Pages, ports: o.MetricsPorts, path: o.MetricsPath, timeout: o.ScrapeTimeout, now: o.Now,
		byRef: map[model.WorkloadRef]*workloadPages{}, rotation: map[model.WorkloadRef]int{}, keep: scrapeKeep}
	if s.pages == nil && c.Kube != nil {
		if rc, ok := c.Kube.CoreV1().RESTClient().(*rest.RESTClient); ok && rc != nil {
			s.pages = ProxyPages(rc)
		}
	}
	return s
}

// start starts a round in the background when one is due and returns a
// channel closed when it is over, or nil when none is due.
func (s *scraper) start(ctx context.Context, ix podIndex, now time.Time, window time.Duration) <-chan struct{} {
	if s.pages == nil {
		return nil
	}
	targets := s.due(ix.watch.allPods(), ix.own, now, window)
	if targets == nil {
		return nil
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.record(s.fetch(ctx, targets), window)
	}()
	return done
}

// due plans a round, or returns nil when none is due: one running, the
// last less than a window ago, or pods/proxy refused less than
// forbiddenRetry ago (then one target tries again).
func (s *scraper) due(pods []*corev1.Pod, own *owners, now time.Time, window time.Duration) []planned {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running || (!s.last.IsZero() && now.Sub(s.last) < window-slack) {
		return nil
	}
	if s.forbidden != nil && now.Sub(s.forbiddenAt) < forbiddenRetry {
		return nil
	}
	s.last = now
	byRef := byWorkload(pods, own)
	s.prune(byRef)
	all := plan(byRef, s.ports, s.path, s.rotation)
	rounds := (len(all) + scrapeBudget - 1) / scrapeBudget
	s.keep = max(scrapeKeep, 2*time.Duration(rounds)*window)
	var due []planned
	for _, t := range all {
		if r := s.result(t); r == nil || !now.Before(r.retryAt) {
			due = append(due, t)
		}
	}
	if s.forbidden != nil && len(due) > 1 {
		due = due[:1] // one request tells whether RBAC changed
	}
	if len(due) > scrapeBudget {
		start := s.cursor % len(due)
		due = append(due[start:], due[:start]...)[:scrapeBudget]
		s.cursor = start + scrapeBudget
	}
	if len(due) == 0 {
		return nil
	}
	s.running = true
	s.rounds++
	s.requests += len(due)
	return due
}

// result returns what was filed for a target; s.mu must be held.
func (s *scraper) result(t planned) *scrapeResult {
	if wp := s.byRef[t.ref]; wp != nil {
		return wp.pages[pageKey{t.Pod, t.Container}]
	}
	return nil
}

// touch moves a workload's generation on; s.mu must be held.
func (s *scraper) touch(wp *workloadPages) {
	s.counter++
	wp.gen = s.counter
}

// prune forgets the pages of pods that are gone or now belong to another
// workload, and the workloads with no pod left; s.mu must be held.
func (s *scraper) prune(byRef map[model.WorkloadRef][]*corev1.Pod) {
	for ref, wp := range s.byRef {
		pods := byRef[ref]
		if len(pods) == 0 {
			delete(s.byRef, ref)
			continue
		}
		live := make(map[string]bool, len(pods))
		for _, p := range pods {
			live[p.Name] = true
		}
		for k := range wp.pages {
			if !live[k.pod] {
				delete(wp.pages, k)
				s.touch(wp)
			}
		}
	}
}

// unavailable returns pods/proxy when it is refused.
func (s *scraper) unavailable() []model.Unavailable {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.forbidden; f != nil {
		return []model.Unavailable{*f}
	}
	return nil
}

// load returns how many rounds were made and pages asked for.
func (s *scraper) load() (rounds, requests int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rounds, s.requests
}
