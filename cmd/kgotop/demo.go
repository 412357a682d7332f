package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/demo"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/report"
	"github.com/kgotop/kgotop/internal/ui"
)

// demoWarmUp is how much simulated history the demo opens on: enough for
// medium-confidence advice, reached in well under a second.
const demoWarmUp = 8 * time.Hour

// startDemo starts a collector on the simulated cluster and warms it up
// with demoWarmUp of history.
func startDemo(ctx context.Context, sim *demo.Sim, logger *slog.Logger) (*collect.Collector, error) {
	opts := sim.Options()
	opts.Log = logger
	c := collect.New(sim.Clients(), opts)
	c.Start(ctx)
	if err := c.WaitForSync(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if err := sim.WarmUp(ctx, c, demoWarmUp); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	settle, cancel := context.WithTimeout(ctx, time.Minute) // milliseconds, but a loaded machine may lag
	defer cancel()
	if err := sim.Settle(settle, c); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return c, nil
}

// runDemoReport prints the report of the simulated namespace. With a fixed
// seed it is the same every time.
func runDemoReport(ctx context.Context, o *options, logger *slog.Logger, stdout io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sim := demo.New(o.seed)
	c, err := startDemo(ctx, sim, logger)
	if err != nil {
		return err
	}
	if o.window > 0 {
		steps := int(o.window / demo.Window)
		for range steps {
			if err := sim.Advance(ctx, c); err != nil {
				return err
			}
		}
	}
	snap := c.Snapshot()
	advice := advisor.Advise(snap, o.advisorOptions())
	out := colorprofile.NewWriter(stdout, os.Environ())
	if err := report.Write(out, snap, advice, report.Options{Format: o.format, Width: reportWidth(o, stdout)}); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return failOn(o, advice)
}

// demoTick is how often the live demo advances one metrics window: the
// simulated cluster runs fifteen times faster than the wall clock.
const demoTick = time.Second

// runDemoDashboard opens the dashboard on the simulated namespace, which
// keeps moving while it is open; patches apply to the simulated cluster.
// The warm-up runs as the dashboard's Load, so the screen says what it is
// doing from the first frame and q stops it.
func runDemoDashboard(ctx context.Context, o *options, logger *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sim := demo.New(o.seed)
	var c *collect.Collector // set by Load, read only after it returned
	// The simulation advances in a goroutine Load starts; stopping waits
	// for it, unless the dashboard ended before Load got that far.
	var (
		mu      sync.Mutex
		stopped bool
		ticking sync.WaitGroup
	)
	load := func(ctx context.Context) error {
		var err error
		if c, err = startDemo(ctx, sim, logger); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return ctx.Err()
		}
		ticking.Go(func() {
			t := time.NewTicker(demoTick)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if err := sim.Advance(ctx, c); err != nil && ctx.Err() == nil {
						logger.Warn("demo step failed", "err", err)
					}
				}
			}
		})
		return nil
	}
	err := ui.Run(ctx, ui.Deps{
		Context:   sim.Options().Context,
		Namespace: sim.Options().Namespace,
		Snapshot:  func() model.Snapshot { return c.Snapshot() },
		Apply: func(ctx context.Context, p advisor.Patch, dryRun bool) (string, error) {
			return applyWith(c.Apply)(ctx, p, dryRun)
		},
		Advisor:  o.advisorOptions(),
		ReadOnly: o.readOnly,
		Now:      sim.Now,
		Refresh:  demoTick,
		Load:     load,
		Loading:  fmt.Sprintf("simulating %s of history", model.FormatAge(demoWarmUp)),
	})
	cancel()
	mu.Lock()
	stopped = true
	mu.Unlock()
	ticking.Wait()
	return err
}
