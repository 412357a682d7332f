package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/scenario"
)

// Window is the simulated metrics pipeline's resolution.
const Window = 15 * time.Second

// Clients returns the collector's clients on the simulated cluster; pods'
// /metrics pages come from the simulated Go runtimes.
func (s *Sim) Clients() collect.Clients {
	return collect.Clients{Kube: s.Kube, Metrics: s.Metrics.MetricsV1beta1(), Discovery: s.Kube.Discovery(), Pages: pages{s}}
}

// pages serves the simulated Go programs' /metrics pages to the collector,
// as the API server's pod proxy would.
type pages struct{ s *Sim }

func (p pages) Page(_ context.Context, t collect.ScrapeTarget) (collect.MetricsPage, error) {
	page, ok := p.s.MetricsPage(t.Namespace, t.Pod)
	if !ok || t.Path != "/metrics" {
		return collect.MetricsPage{}, fmt.Errorf("demo: pod %s serves no %s", t.Pod, t.Path)
	}
	return collect.MetricsPage{Body: []byte(page), ContentType: "text/plain; version=0.0.4; charset=utf-8"}, nil
}

// Options returns collector options for the simulated namespace, on the simulated clock.
func (s *Sim) Options() collect.Options {
	return collect.Options{Namespace: "kgotop-demo", Context: "kgotop-demo (simulated)", Window: Window, Now: s.Now}
}

// Advance steps the simulation by one metrics window and lets the collector
// poll, as the collector's own loop would after a window.
func (s *Sim) Advance(ctx context.Context, c *collect.Collector) error {
	if err := s.Step(ctx, Window); err != nil {
		return err
	}
	c.Poll(ctx)
	return nil
}

// warmScrapes is how many of the warm-up's last windows read the Go
// runtime's pages: two pages of each pod give the GC's CPU share, and the
// pages of every earlier window would only be replaced.
const warmScrapes = 4

// WarmUp runs d of simulated time through the collector, so that the demo
// opens on hours of history instead of a single sample, and replays the
// earlier kgotop session the followed-up story rests on (story.go).
func (s *Sim) WarmUp(ctx context.Context, c *collect.Collector, d time.Duration) error {
	end := s.Now().Add(d)
	cut, replayed := end.Add(-scenario.FollowedAgo), d < scenario.FollowedAgo
	for s.Now().Before(end) {
		if !replayed && !s.Now().Before(cut) {
			var err error
			if replayed, err = s.earlierSession(ctx, c); err != nil {
				return err
			}
		}
		if end.Sub(s.Now()) <= warmScrapes*Window {
			if err := s.Advance(ctx, c); err != nil {
				return err
			}
		} else {
			if err := s.Step(ctx, Window); err != nil {
				return err
			}
			c.PollMetrics(ctx)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// Settle waits until the collector's caches show every pod and event as
// the simulation has them (watch events arrive asynchronously), or ctx ends.
func (s *Sim) Settle(ctx context.Context, c *collect.Collector) error {
	want := map[string]int32{}
	s.mu.Lock()
	for _, p := range s.pods {
		want[p.name] = p.restarts
	}
	s.mu.Unlock()
	evs, err := s.Events(ctx)
	if err != nil {
		return err
	}
	var wantEvents int32
	for _, e := range evs {
		wantEvents += e.Count
	}
	for {
		got, gotEvents := 0, int32(0)
		for _, w := range c.Snapshot().Workloads {
			for i, ct := range w.Containers {
				for _, in := range ct.Instances {
					// A pod's restarts are its first container's (a sidecar's stay 0).
					if r, ok := want[in.Pod]; ok && r == in.RestartCount && i == 0 {
						got++
					}
				}
				for _, pf := range ct.ProbeFailures {
					gotEvents += pf.Count + pf.Kills
				}
				for _, e := range ct.Events {
					gotEvents += e.Count
				}
			}
		}
		if got == len(want) && gotEvents == wantEvents {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo: the collector did not catch up with the simulation: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}
