package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/demo"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/ui"
)

// runDashboard watches the namespace and runs the dashboard until the person
// quits or ctx ends. The collector polls metrics in the background; the
// dashboard reads its snapshots, which never touch the network.
func runDashboard(ctx context.Context, o *options, logger *slog.Logger) error {
	if o.demo {
		return runDemoDashboard(ctx, o, logger)
	}
	t, err := connect(o)
	if err != nil {
		return err
	}
	// The terminal belongs to the dashboard from here on: warnings go to the log.
	c, hist := newCollector(t, o, logger, func(msg string) { logger.Warn(msg) })
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.Start(ctx)
	polling := make(chan struct{})
	go func() {
		defer close(polling)
		c.Run(ctx, nil)
	}()
	// The past comes when it comes: the first screen never waits for it.
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		c.RunHistory(ctx)
	}()
	err = ui.Run(ctx, ui.Deps{
		Context:   t.context,
		Namespace: t.namespace,
		Snapshot:  c.Snapshot,
		Apply:     applyWith(c.Apply),
		Resize:    resizeWith(c.Resize),
		Record:    hist.recorder(c),
		Advisor:   o.advisorOptions(),
		ReadOnly:  o.readOnly,
		Theme:     o.theme,
	})
	cancel()
	<-polling
	<-reading
	if serr := hist.save(c); serr != nil {
		logger.Warn("history not saved", "err", serr)
	}
	return err
}

// runDemoDashboard opens the dashboard on the simulated namespace, which
// keeps moving while it is open; patches apply to the simulated cluster.
// The warm-up runs as the dashboard's Load, so the screen says what it is
// doing from the first frame and q stops it.
func runDemoDashboard(ctx context.Context, o *options, logger *slog.Logger) error {
	d := demo.Open(demo.Config{Seed: o.seed, Tick: demo.Tick, Log: logger})
	defer d.Close()
	return ui.Run(ctx, ui.Deps{
		Context:      d.Context(),
		About:        d.About(),
		ShortContext: d.ShortContext(),
		Namespace:    d.Namespace(),
		Snapshot:     d.Snapshot,
		Apply:        applyWith(d.Apply),
		Resize:       resizeWith(d.Resize),
		Record:       d.Record,
		Advisor:      o.advisorOptions(),
		ReadOnly:     o.readOnly,
		Theme:        o.theme,
		Now:          d.Now,
		Refresh:      demo.Tick,
		Load:         d.Start,
		Loading:      fmt.Sprintf("simulating %s of history", model.FormatAge(demo.History)),
	})
}

// resizeWith adapts a cluster's (or the demo's) Resize to the dashboard's,
// which needs the generation the kubelet must reach.
func resizeWith(resize func(context.Context, string, string, []byte, bool) (collect.ResizeResult, error)) func(context.Context, string, string, []byte, bool) (int64, error) {
	return func(ctx context.Context, namespace, pod string, body []byte, dryRun bool) (int64, error) {
		res, err := resize(ctx, namespace, pod, body, dryRun)
		return res.Generation, err
	}
}

// applyWith adapts a cluster's (or the demo's) Apply to the dashboard's,
// which says in one line what the server kept.
func applyWith(apply func(context.Context, advisor.Patch, bool) (collect.ApplyResult, error)) func(context.Context, advisor.Patch, bool) (string, error) {
	return func(ctx context.Context, p advisor.Patch, dryRun bool) (string, error) {
		res, err := apply(ctx, p, dryRun)
		if err != nil {
			return "", err
		}
		return res.Summary(p), nil
	}
}
