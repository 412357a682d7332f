package collect

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kgotop/kgotop/internal/gometrics"
	"github.com/kgotop/kgotop/internal/model"
)

// outcome is one target's result in a round.
type outcome struct {
	target planned
	page   gometrics.Page
	err    error
	parsed bool // a page arrived and was parsed (err may still say it was partial)
}

// fetch reads the targets' pages, scrapeConcurrency at a time, each within
// the scrape timeout; targets not started within scrapeRound are left for later.
func (s *scraper) fetch(ctx context.Context, targets []planned) []outcome {
	round, cancel := context.WithTimeout(ctx, scrapeRound)
	defer cancel()
	out := make([]outcome, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(scrapeConcurrency, len(targets)) {
		wg.Go(func() {
			for i := range next {
				out[i] = s.fetchOne(round, targets[i])
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

func (s *scraper) fetchOne(ctx context.Context, t planned) outcome {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	o := outcome{target: t}
	page, err := s.pages.Page(ctx, t.ScrapeTarget)
	if err != nil && len(page.Body) == 0 {
		if ctx.Err() != nil {
			err = fmt.Errorf("no answer within %s", s.timeout)
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

// record files a round's outcomes; a failed target waits twice as long
// each time, starting from window.
func (s *scraper) record(outs []outcome, window time.Duration) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running = false
	forbidden := false
	for _, o := range outs {
		if !o.parsed && (o.err == nil || unreachable(o.err)) {
			// Not attempted, or the API server itself is down: that is
			// the API status's to say, and no reason to back off the pod.
			continue
		}
		if st, ok := proxyForbidden(o.err); ok && !o.parsed {
			forbidden = true
			if s.forbidden == nil {
				s.epoch, s.counter = s.counter+1, s.counter+1
			}
			s.forbidden = &model.Unavailable{Resource: "pods/proxy", Verb: "get", Message: st.ErrStatus.Message}
			s.forbiddenAt = now
			continue
		}
		s.file(o, now, window)
	}
	if !forbidden && s.forbidden != nil && len(outs) > 0 {
		s.forbidden = nil // the retry got through: RBAC changed
		s.epoch, s.counter = s.counter+1, s.counter+1
	}
}

// file records one target's outcome; s.mu must be held.
func (s *scraper) file(o outcome, now time.Time, window time.Duration) {
	wp := s.byRef[o.target.ref]
	if wp == nil {
		wp = &workloadPages{pages: map[pageKey]*scrapeResult{}}
		s.byRef[o.target.ref] = wp
	}
	k := pageKey{o.target.Pod, o.target.Container}
	r := wp.pages[k]
	if r == nil {
		r = &scrapeResult{}
		wp.pages[k] = r
	}
	s.touch(wp)
	r.target, r.at = o.target.ScrapeTarget, now
	if o.parsed && !errors.Is(o.err, gometrics.ErrNoGo) && !errors.Is(o.err, gometrics.ErrFormat) && hasRuntime(o.page.Runtime) {
		rt := o.page.Runtime
		rt.Scraped, rt.Pod = now, o.target.Pod
		if r.runtime != nil {
			rt.GCCPUFraction = gometrics.CPUShare(r.cpu, o.page.CPU)
			rt.KeepFirst(r.runtime) // pool counters are judged over the time watched
		}
		r.runtime, r.cpu = &rt, o.page.CPU
		r.failures, r.retryAt, r.problem = 0, time.Time{}, nil
		if o.err != nil {
			r.problem = &model.ScrapeProblem{Reason: model.ScrapePartial, Target: o.target.String(), Error: o.err.Error()}
		}
		return
	}
	r.failures++
	r.retryAt = now.Add(min(window<<min(r.failures-1, 10), scrapeBackoffMax))
	r.problem = problemOf(o)
}

// hasRuntime reports whether a page said anything about the Go runtime.
func hasRuntime(r model.GoRuntime) bool {
	return r.Version != "" || r.Goroutines >= 0 || r.HeapAlloc >= 0 || r.GCCycles >= 0 || len(r.DB) > 0
}

// problemOf says why a page gave no Go numbers.
func problemOf(o outcome) *model.ScrapeProblem {
	p := &model.ScrapeProblem{Target: o.target.String()}
	switch {
	case errors.Is(o.err, gometrics.ErrNoGo):
		p.Reason = model.ScrapeNotGo
	case o.err == nil:
		p.Reason = model.ScrapeSilent
	default:
		p.Reason, p.Error = model.ScrapeFailed, o.err.Error()
	}
	return p
}
