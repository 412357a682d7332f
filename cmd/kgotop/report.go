package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/charmbracelet/colorprofile"
	"golang.org/x/term"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/demo"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/report"
)

// runReport takes a snapshot of the namespace (or of the demo's), advises on
// it and prints the report.
func runReport(ctx context.Context, o *options, logger *slog.Logger, stdout, stderr io.Writer) error {
	take := clusterSnapshot
	if o.demo {
		take = demoSnapshot
	}
	snap, err := take(ctx, o, logger, stderr)
	if err != nil {
		return err
	}
	advice := advisor.Advise(snap, o.advisorOptions())
	ro := report.Options{Format: o.format, Width: reportWidth(o, stdout)}
	for _, w := range snap.Workloads {
		ro.UnknownGo = append(ro.UnknownGo, advisor.UnknownGoVersions(w, o.advisorOptions())...)
	}
	out := colorprofile.NewWriter(stdout, os.Environ())
	if err := report.Write(out, snap, advice, ro); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return failOn(o, advice)
}

// clusterSnapshot lists the namespace once, samples metrics for --window (or
// takes the newest window) and saves the usage history.
func clusterSnapshot(ctx context.Context, o *options, logger *slog.Logger, stderr io.Writer) (model.Snapshot, error) {
	t, err := connect(o)
	if err != nil {
		return model.Snapshot{}, err
	}
	c, hist := newCollector(t, o, logger, func(msg string) { fmt.Fprintf(stderr, "kgotop: %s\n", msg) })
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.Start(ctx)
	syncCtx, syncCancel := context.WithTimeout(ctx, o.syncTimeout)
	err = c.WaitForSync(syncCtx)
	syncCancel()
	if err != nil {
		return model.Snapshot{}, fmt.Errorf("cannot read the cluster at %s: %w", t.server, err)
	}
	// The past is read while metrics are sampled; the report waits for it
	// at most pastWait more, then says what it could not read.
	past := make(chan struct{})
	go func() {
		defer close(past)
		pctx, pcancel := context.WithTimeout(ctx, max(o.window, 0)+pastWait)
		defer pcancel()
		if err := c.LoadHistory(pctx); err != nil {
			logger.Warn("history not read", "err", err)
		}
	}()
	snap := sample(ctx, c, o.window, wallClock{})
	<-past
	if c.Sources().Past.State == model.PastLoaded {
		snap = c.Snapshot()
	}
	if err := hist.save(c); err != nil {
		logger.Warn("history not saved", "err", err)
		fmt.Fprintf(stderr, "kgotop: %v\n", err)
	}
	return snap, nil
}

// pastWait bounds how long a report waits for the past from Prometheus
// beyond its --window.
const pastWait = time.Minute

// demoSnapshot warms the demo up and moves it on for --window. With a
// fixed seed it is the same every time.
func demoSnapshot(ctx context.Context, o *options, logger *slog.Logger, _ io.Writer) (model.Snapshot, error) {
	d := demo.Open(demo.Config{Seed: o.seed, Log: logger})
	defer d.Close()
	if err := d.Start(ctx); err != nil {
		return model.Snapshot{}, err
	}
	if err := d.Advance(ctx, int(o.window/demo.Window)); err != nil {
		return model.Snapshot{}, err
	}
	return d.Snapshot(), nil
}

// failOn returns a failOnError when --fail-on is set and advice reaches it.
func failOn(o *options, advice []advisor.Advice) error {
	if o.failOnSev != "" {
		if n := len(advisor.AtLeast(advice, o.failOnSev)); n > 0 {
			return failOnError{n: n, sev: o.failOnSev}
		}
	}
	return nil
}

// failOnError says --fail-on found advice: kgotop exits 3.
type failOnError struct {
	n   int
	sev advisor.Severity
}

func (e failOnError) Error() string {
	return fmt.Sprintf("%d pieces of advice at %s or worse (--fail-on %s)", e.n, e.sev, e.sev)
}

// sample polls metrics for the window (at least once) and returns the last
// snapshot. When the window ends before the next metrics window does, the
// Go runtime's pages are read once more at its end: a second page a window
// after the first is what the GC's CPU share is measured from.
func sample(ctx context.Context, c sampler, window time.Duration, clk clock) model.Snapshot {
	end := clk.Now().Add(window)
	for {
		delay := c.Poll(ctx)
		left := end.Sub(clk.Now())
		if left <= 0 {
			return c.Snapshot()
		}
		last := delay > left
		select {
		case <-ctx.Done():
			return c.Snapshot()
		case <-clk.After(min(delay, left)):
		}
		if last {
			c.Scrape(ctx)
			return c.Snapshot()
		}
	}
}

// sampler is the part of the collector a report samples.
type sampler interface {
	Poll(context.Context) time.Duration
	Scrape(context.Context)
	Snapshot() model.Snapshot
}

// clock is the time a report samples by; tests move it by hand.
type clock interface {
	Now() time.Time
	After(time.Duration) <-chan time.Time
}

// wallClock is the real time.
type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// reportWidth is --width, else the terminal's width, else $COLUMNS, else 120.
func reportWidth(o *options, stdout io.Writer) int {
	if o.width > 0 {
		return o.width
	}
	if f, ok := stdout.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		return w
	}
	return 120
}
