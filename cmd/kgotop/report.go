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

	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/report"
)

// runReport lists the namespace once, samples metrics for --window (or takes
// the newest window), and prints the report.
func runReport(ctx context.Context, o *options, logger *slog.Logger, stdout io.Writer) error {
	t, err := connect(o)
	if err != nil {
		return err
	}
	c := collect.New(t.clients, collect.Options{
		Namespace: t.namespace,
		Selector:  o.selector,
		Context:   t.context,
		Log:       logger,
	})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.Start(ctx)
	syncCtx, syncCancel := context.WithTimeout(ctx, o.syncTimeout)
	err = c.WaitForSync(syncCtx)
	syncCancel()
	if err != nil {
		return fmt.Errorf("cannot read the cluster at %s: %w", t.server, err)
	}
	snap := sample(ctx, c, o.window)
	return report.Write(colorprofile.NewWriter(stdout, os.Environ()), snap, report.Options{Format: o.format, Width: reportWidth(o, stdout)})
}

// sample polls metrics for the window (at least once) and returns the last snapshot.
func sample(ctx context.Context, c *collect.Collector, window time.Duration) model.Snapshot {
	end := time.Now().Add(window)
	for {
		delay := c.Poll(ctx)
		if !time.Now().Add(delay).Before(end) {
			return c.Snapshot()
		}
		select {
		case <-ctx.Done():
			return c.Snapshot()
		case <-time.After(delay):
		}
	}
}

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
