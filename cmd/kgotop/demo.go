package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/demo"
	"github.com/kgotop/kgotop/internal/report"
	"github.com/kgotop/kgotop/internal/ui"
)

// demoWarmUp is how much simulated history the demo opens on: enough for
// medium-confidence advice, reached in well under a second.
const demoWarmUp = 8 * time.Hour

// startDemo builds the simulated cluster and a collector on it, warmed up
// with demoWarmUp of history.
func startDemo(ctx context.Context, o *options, logger *slog.Logger) (*demo.Sim, *collect.Collector, error) {
	sim := demo.New(o.seed)
	opts := sim.Options()
	opts.Log = logger
	c := collect.New(sim.Clients(), opts)
	c.Start(ctx)
	if err := c.WaitForSync(ctx); err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	if err := sim.WarmUp(ctx, c, demoWarmUp); err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	settle, cancel := context.WithTimeout(ctx, time.Minute) // milliseconds, but a loaded machine may lag
	defer cancel()
	if err := sim.Settle(settle, c); err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	return sim, c, nil
}

// runDemoReport prints the report of the simulated namespace. With a fixed
// seed it is the same every time.
func runDemoReport(ctx context.Context, o *options, logger *slog.Logger, stdout io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sim, c, err := startDemo(ctx, o, logger)
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
func runDemoDashboard(ctx context.Context, o *options, logger *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sim, c, err := startDemo(ctx, o, logger)
	if err != nil {
		return err
	}
	running := make(chan struct{})
	go func() {
		defer close(running)
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
	}()
	err = ui.Run(ctx, ui.Deps{
		Context:   sim.Options().Context,
		Namespace: sim.Options().Namespace,
		Snapshot:  c.Snapshot,
		Apply:     applyWith(c),
		Advisor:   o.advisorOptions(),
		ReadOnly:  o.readOnly,
		Now:       sim.Now,
		Refresh:   demoTick,
	})
	cancel()
	<-running
	return err
}
