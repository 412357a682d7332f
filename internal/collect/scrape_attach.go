package collect

import (
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kgotop/kgotop/internal/model"
)

// The problems of every container kgotop would read while pods/proxy is
// refused, and of a container that looks like Go but has no port kgotop
// knows to read. Snapshots share them: they are never changed.
var (
	forbiddenProblem = &model.ScrapeProblem{Reason: model.ScrapeForbidden}
	noTargetProblem  = &model.ScrapeProblem{Reason: model.ScrapeNoTarget}
)

// generation returns the workload's scrape generation at now: it changes
// whenever attach would fill in something else for the workload (a page
// filed or forgotten, a page past keeping, pods/proxy refused or granted).
func (s *scraper) generation(ref model.WorkloadRef, now time.Time) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	wp := s.byRef[ref]
	if wp == nil {
		return s.epoch
	}
	// Between two changes the pages' read times stay put, so how many are
	// past keeping says which ones are.
	expired := 0
	for _, r := range wp.pages {
		if r.runtime != nil && now.Sub(r.runtime.Scraped) > s.keep {
			expired++
		}
	}
	if expired != wp.expired {
		wp.expired = expired
		s.touch(wp)
	}
	return max(wp.gen, s.epoch)
}

// attach fills in each container's Go info from the pages read from the
// workload's pods: the newest page still kept confirms Go and gives the
// version and runtime numbers (and ScrapeProblem says if that pod failed
// since); with no page, the newest failure says why.
func (s *scraper) attach(w *model.Workload, pods []*corev1.Pod, now time.Time) {
	if s.pages == nil {
		return
	}
	targeted := map[string]bool{}
	for _, p := range pods {
		for _, t := range podTargets(p, s.ports, s.path) {
			targeted[t.Container] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wp := s.byRef[w.Ref]
	for i := range w.Containers {
		ct := &w.Containers[i]
		var page, last *scrapeResult
		for _, p := range w.Pods {
			var r *scrapeResult
			if wp != nil {
				r = wp.pages[pageKey{p.Name, ct.Name}]
			}
			if r == nil {
				continue
			}
			if r.runtime != nil && now.Sub(r.runtime.Scraped) <= s.keep && (page == nil || newer(r.runtime, page.runtime)) {
				page = r
			}
			if last == nil || r.at.After(last.at) || r.at.Equal(last.at) && r.problem != nil && last.problem == nil {
				last = r
			}
		}
		switch {
		case s.forbidden != nil && targeted[ct.Name]:
			ct.Go.ScrapeProblem = forbiddenProblem
		case page != nil:
			confirm(&ct.Go, page)
			ct.Go.ScrapeProblem = page.problem // its pod failed since, or the page was partial
		case last != nil:
			ct.Go.ScrapeProblem = last.problem
		case !targeted[ct.Name] && ct.Go.Detection == model.GoLikely:
			ct.Go.ScrapeProblem = noTargetProblem
		}
	}
}

// filed returns what the last read of one container's page left to say,
// and whether one was read at all.
func (s *scraper) filed(ref model.WorkloadRef, pod, container string) (*model.ScrapeProblem, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if wp := s.byRef[ref]; wp != nil {
		if r := wp.pages[pageKey{pod, container}]; r != nil {
			return r.problem, true
		}
	}
	return nil, false
}

// newer orders pages by when they were read, then by pod name.
func newer(a, b *model.GoRuntime) bool {
	if !a.Scraped.Equal(b.Scraped) {
		return a.Scraped.After(b.Scraped)
	}
	return a.Pod < b.Pod
}

// confirm makes a page's numbers the container's Go info.
func confirm(g *model.GoInfo, r *scrapeResult) {
	rt := *r.runtime
	rt.DB = append([]model.DBStats(nil), rt.DB...)
	g.Runtime = &rt
	g.Detection = model.GoConfirmed
	if rt.Version != "" {
		g.Version = strings.TrimPrefix(rt.Version, "go")
		g.Evidence = "go_info from pod " + rt.Pod
	} else {
		g.Evidence = "Go runtime metrics from pod " + rt.Pod
	}
}
