package collect

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kgotop/kgotop/internal/model"
)

// noTargetMessage is the ScrapeError of a container that looks like Go but
// has no port kgotop knows to read.
const noTargetMessage = `Go runtime unknown: no metrics port (annotate the pod prometheus.io/scrape: "true" and prometheus.io/port, ` +
	`name the port "metrics", or pass --metrics-port)`

// attachGo fills in each container's Go info from the pages read from the
// workload's pods: the newest page within s.keep confirms Go and gives
// the version and runtime numbers (and ScrapeError says if that pod failed
// since); with no page, the newest failure says why. c.mu must be held.
func (c *Collector) attachGo(w *model.Workload, pods []*corev1.Pod) {
	s := c.scrapes
	if s.pages == nil {
		return
	}
	now := c.opts.Now()
	targeted := map[string]bool{}
	for _, p := range pods {
		for _, t := range podTargets(p, c.opts.MetricsPorts, c.opts.MetricsPath) {
			targeted[t.Container] = true
		}
	}
	for i := range w.Containers {
		ct := &w.Containers[i]
		var page, last *scrapeResult
		for _, p := range w.Pods {
			r := s.results[scrapeKey{w.Ref.Namespace, p.Name, ct.Name}]
			if r == nil {
				continue
			}
			if r.runtime != nil && now.Sub(r.runtime.Scraped) <= s.keep && (page == nil || newer(r.runtime, page.runtime)) {
				page = r
			}
			if last == nil || r.at.After(last.at) || r.at.Equal(last.at) && r.err != "" && last.err == "" {
				last = r
			}
		}
		switch {
		case s.forbidden != nil && targeted[ct.Name]:
			ct.Go.ScrapeError = forbiddenMessage
		case page != nil:
			confirm(&ct.Go, page)
			ct.Go.ScrapeError = page.err // its pod failed since, or the page was partial

		case last != nil:
			ct.Go.ScrapeError = last.err
		case !targeted[ct.Name] && ct.Go.Detection == model.GoLikely:
			ct.Go.ScrapeError = noTargetMessage
		}
	}
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
