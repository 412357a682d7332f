package demo

import (
	"context"
	"time"

	"github.com/kgotop/kgotop/internal/collect"
)

// Window is the simulated metrics pipeline's resolution.
const Window = 15 * time.Second

// Clients returns the collector's clients on the simulated cluster.
func (s *Sim) Clients() collect.Clients {
	return collect.Clients{Kube: s.Kube, Metrics: s.Metrics.MetricsV1beta1(), Discovery: s.Kube.Discovery()}
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

// WarmUp runs d of simulated time through the collector, so that the demo
// opens on hours of history instead of a single sample.
func (s *Sim) WarmUp(ctx context.Context, c *collect.Collector, d time.Duration) error {
	for end := s.Now().Add(d); s.Now().Before(end); {
		if err := s.Advance(ctx, c); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// Settle waits until the collector's caches show every pod as the
// simulation has it (watch events arrive asynchronously), or ctx ends.
func (s *Sim) Settle(ctx context.Context, c *collect.Collector) error {
	want := map[string]int32{}
	s.mu.Lock()
	for _, p := range s.pods {
		want[p.name] = p.restarts
	}
	s.mu.Unlock()
	for {
		got := 0
		for _, w := range c.Snapshot().Workloads {
			for _, in := range w.Containers[0].Instances {
				if r, ok := want[in.Pod]; ok && r == in.RestartCount {
					got++
				}
			}
		}
		if got == len(want) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
