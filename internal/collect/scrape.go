package collect

import (
	"context"
	"errors"
	"fmt"
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

// forbiddenMessage is the ScrapeError of every container kgotop would read
// when the API server refuses pods/proxy.
const forbiddenMessage = "Go runtime unknown: pods/proxy is forbidden (grant get on pods/proxy)"

// scrapeKey names the page of one container of one pod.
type scrapeKey struct{ namespace, pod, container string }

// scrapeResult is what kgotop knows from reading one container's page.
type scrapeResult struct {
	target ScrapeTarget
	// at is the last attempt; err its failure ("" when it succeeded).
	at  time.Time
	err string
	// runtime and cpu are from the last page read (runtime nil if none was).
	runtime *model.GoRuntime
	cpu     gometrics.CPUCounters
	// failures counts failed attempts in a row; retryAt is when to try again.
	failures int
	retryAt  time.Time
}

// scrapes is the Go runtime scraping state; Collector.mu guards it.
type scrapes struct {
	pages    Pages
	results  map[scrapeKey]*scrapeResult
	rotation map[model.WorkloadRef]int
	cursor   int       // where the next over-budget round starts
	last     time.Time // start of the last round
	running  bool
	// forbidden is set while the API server refuses pods/proxy.
	forbidden   *model.Unavailable
	forbiddenAt time.Time
	// rounds and requests count rounds made and pages asked for.
	rounds, requests int
	// timeout is scrapeTimeout (tests shorten it).
	timeout time.Duration
	// keep is how long a page's numbers are shown (see scrapeKeep).
	keep time.Duration
}

// newScrapes returns the scrape state; with no Pages of the clients', the
// pod proxy of Kube's REST client. Without either (a fake clientset has no
// REST client) nothing is scraped.
func newScrapes(c Clients) *scrapes {
	s := &scrapes{pages: c.Pages, results: map[scrapeKey]*scrapeResult{}, rotation: map[model.WorkloadRef]int{}, timeout: scrapeTimeout, keep: scrapeKeep}
	if s.pages == nil && c.Kube != nil {
		if rc, ok := c.Kube.CoreV1().RESTClient().(*rest.RESTClient); ok && rc != nil {
			s.pages = ProxyPages(rc)
		}
	}
	return s
}

// outcome is one target's result in a round.
type outcome struct {
	target ScrapeTarget
	page   gometrics.Page
	err    error
	parsed bool // a page arrived and was parsed (err may still say it was partial)
}

// scrape starts a round in the background when one is due and returns a
// channel closed when it is over, or nil when none is due.
func (c *Collector) scrape(ctx context.Context) <-chan struct{} {
	targets := c.dueTargets()
	if targets == nil {
		return nil
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.record(c.fetch(ctx, targets))
	}()
	return done
}

// dueTargets plans a round, or returns nil when none is due: no way to
// scrape, one running, the last less than a window ago, or pods/proxy
// refused less than forbiddenRetry ago (then one target tries again).
func (c *Collector) dueTargets() []ScrapeTarget {
	c.mu.Lock()
	s := c.scrapes
	now := c.opts.Now()
	if s.pages == nil || s.running || (!s.last.IsZero() && now.Sub(s.last) < c.metrics.Window-slack) {
		c.mu.Unlock()
		return nil
	}
	if s.forbidden != nil && now.Sub(s.forbiddenAt) < forbiddenRetry {
		c.mu.Unlock()
		return nil
	}
	s.running, s.last = true, now
	c.mu.Unlock()

	pods := c.inf.pods.list()
	typed := make([]*corev1.Pod, 0, len(pods))
	for _, x := range pods {
		typed = append(typed, x.(*corev1.Pod))
	}
	own := c.owners()

	c.mu.Lock()
	defer c.mu.Unlock()
	all := plan(typed, own, c.opts.MetricsPorts, c.opts.MetricsPath, s.rotation)
	s.prune(typed)
	rounds := (len(all) + scrapeBudget - 1) / scrapeBudget
	s.keep = max(scrapeKeep, 2*time.Duration(rounds)*c.metrics.Window)
	var due []ScrapeTarget
	for _, t := range all {
		if r := s.results[keyOf(t)]; r == nil || !now.Before(r.retryAt) {
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
		s.running = false
		return nil
	}
	s.rounds++
	s.requests += len(due)
	return due
}

func keyOf(t ScrapeTarget) scrapeKey { return scrapeKey{t.Namespace, t.Pod, t.Container} }

// prune forgets the pages of pods that are gone.
func (s *scrapes) prune(pods []*corev1.Pod) {
	live := make(map[string]bool, len(pods))
	for _, p := range pods {
		live[p.Namespace+"/"+p.Name] = true
	}
	for k := range s.results {
		if !live[k.namespace+"/"+k.pod] {
			delete(s.results, k)
		}
	}
}

// fetch reads the targets' pages, scrapeConcurrency at a time, each within
// scrapeTimeout; targets not started within scrapeRound are left for later.
func (c *Collector) fetch(ctx context.Context, targets []ScrapeTarget) []outcome {
	round, cancel := context.WithTimeout(ctx, scrapeRound)
	defer cancel()
	out := make([]outcome, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(scrapeConcurrency, len(targets)) {
		wg.Go(func() {
			for i := range next {
				out[i] = c.fetchOne(round, targets[i])
			}
		})
	}
feed:
	for i := range targets {
		select {
		case next <- i:
		case <-round.Done():
			for j := i; j < len(targets); j++ {
				out[j] = outcome{target: targets[j]} // not attempted
			}
			break feed
		}
	}
	close(next)
	wg.Wait()
	return out
}

func (c *Collector) fetchOne(ctx context.Context, t ScrapeTarget) outcome {
	timeout := c.scrapes.timeout
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	o := outcome{target: t}
	page, err := c.scrapes.pages.Page(ctx, t)
	if err != nil && len(page.Body) == 0 {
		if ctx.Err() != nil {
			err = fmt.Errorf("no answer within %s", timeout)
		}
		o.err = err
		return o
	}
	o.page, o.err = gometrics.Parse(page.Body, page.ContentType)
	o.parsed = true
	if err != nil && o.err == nil {
		o.err = err // a page cut short that still parsed
	}
	return o
}

// record files a round's outcomes.
func (c *Collector) record(outs []outcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.scrapes
	s.running = false
	now := c.opts.Now()
	forbidden := false
	for _, o := range outs {
		if !o.parsed && (o.err == nil || unreachable(o.err)) {
			// Not attempted, or the API server itself is down: that is
			// the API status's to say, and no reason to back off the pod.
			continue
		}
		if st, ok := proxyForbidden(o.err); ok && !o.parsed {
			forbidden = true
			s.forbidden = &model.Unavailable{Resource: "pods/proxy", Verb: "get", Message: st.ErrStatus.Message}
			s.forbiddenAt = now
			continue
		}
		k := keyOf(o.target)
		r := s.results[k]
		if r == nil {
			r = &scrapeResult{}
			s.results[k] = r
		}
		r.target, r.at = o.target, now
		if o.parsed && !errors.Is(o.err, gometrics.ErrNoGo) && !errors.Is(o.err, gometrics.ErrFormat) && hasRuntime(o.page.Runtime) {
			rt := o.page.Runtime
			rt.Scraped, rt.Pod = now, o.target.Pod
			if r.runtime != nil {
				rt.GCCPUFraction = gometrics.CPUShare(r.cpu, o.page.CPU)
				rt.KeepFirst(r.runtime) // pool counters are judged over the time watched
			}
			r.runtime, r.cpu = &rt, o.page.CPU
			r.failures, r.retryAt, r.err = 0, time.Time{}, ""
			if o.err != nil {
				r.err = fmt.Sprintf("%s read in part: %v", o.target, o.err)
			}
			continue
		}
		r.failures++
		r.retryAt = now.Add(min(c.metrics.Window<<min(r.failures-1, 10), scrapeBackoffMax))
		r.err = scrapeMessage(o)
	}
	if !forbidden && s.forbidden != nil && len(outs) > 0 {
		s.forbidden = nil // the retry got through: RBAC changed
	}
}

// hasRuntime reports whether a page said anything about the Go runtime.
func hasRuntime(r model.GoRuntime) bool {
	return r.Version != "" || r.Goroutines >= 0 || r.HeapAlloc >= 0 || r.GCCycles >= 0 || len(r.DB) > 0
}

// scrapeMessage says in one line why a page gave no Go numbers.
func scrapeMessage(o outcome) string {
	switch {
	case errors.Is(o.err, gometrics.ErrNoGo):
		return fmt.Sprintf("Go runtime unknown: %s has no Go runtime metrics", o.target)
	case o.err == nil:
		return fmt.Sprintf("Go runtime unknown: %s said nothing of the Go runtime", o.target)
	}
	return fmt.Sprintf("Go runtime unknown: %s: %v", o.target, o.err)
}

// scrapeUnavailable returns pods/proxy when it is refused; c.mu must be held.
func (c *Collector) scrapeUnavailable() []model.Unavailable {
	if f := c.scrapes.forbidden; f != nil {
		return []model.Unavailable{*f}
	}
	return nil
}
