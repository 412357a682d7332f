package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
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
	err = ui.Run(ctx, ui.Deps{
		Context:   t.context,
		Namespace: t.namespace,
		Snapshot:  c.Snapshot,
		Apply:     applyWith(c),
		Advisor:   o.advisorOptions(),
		ReadOnly:  o.readOnly,
	})
	cancel()
	<-polling
	if serr := hist.save(c); serr != nil {
		logger.Warn("history not saved", "err", serr)
	}
	return err
}

// applyWith adapts the collector's ApplyPatch to the dashboard: it names the
// object from the patch, turns the collector's errors into the ones the
// dashboard explains, and says in one line what the server kept.
func applyWith(c *collect.Collector) func(context.Context, advisor.Patch, bool) (string, error) {
	return func(ctx context.Context, p advisor.Patch, dryRun bool) (string, error) {
		target := collect.PatchTarget{Group: p.Group, Resource: p.Resource, Namespace: p.Namespace, Name: p.Name}
		res, err := c.ApplyPatch(ctx, target, p.Data, dryRun)
		if err != nil {
			return "", uiError(err)
		}
		return summarize(res, p), nil
	}
}

// uiError marks a collector error with the dashboard's error of the same meaning.
func uiError(err error) error {
	for _, pair := range []struct{ from, to error }{
		{collect.ErrConflict, ui.ErrConflict},
		{collect.ErrForbidden, ui.ErrForbidden},
		{collect.ErrInvalidPatch, ui.ErrInvalid},
		{collect.ErrNotFound, ui.ErrNotFound},
	} {
		if errors.Is(err, pair.from) {
			return fmt.Errorf("%w: %w", pair.to, err)
		}
	}
	return err
}

// summarize reads back, from the template the server returned, every field
// the patch set: "the server keeps orders resources.limits.memory=484Mi,
// env[GOMEMLIMIT]=435MiB (generation 7)".
func summarize(res collect.ApplyResult, p advisor.Patch) string {
	var kept []string
	for _, f := range p.Fields {
		i := -1
		for j := range res.Containers {
			if res.Containers[j].Name == f.Container {
				i = j
			}
		}
		if i < 0 {
			kept = append(kept, f.Container+" is missing from the result")
			continue
		}
		kept = append(kept, f.Container+" "+f.Field+"="+fieldValue(res.Containers[i], f.Field))
	}
	verb := "the server keeps "
	if res.DryRun {
		verb = "the server would keep "
	}
	return fmt.Sprintf("%s%s (generation %d)", verb, strings.Join(kept, ", "), res.Generation)
}

// fieldValue reads one field, named as advisor.Change.Field names it, from a container.
func fieldValue(c model.Container, field string) string {
	r := c.Resources
	switch field {
	case "resources.requests.cpu":
		return model.FormatCPU(r.Requests.CPU)
	case "resources.requests.memory":
		return model.FormatBytes(r.Requests.Memory)
	case "resources.limits.cpu":
		return model.FormatCPU(r.Limits.CPU)
	case "resources.limits.memory":
		return model.FormatBytes(r.Limits.Memory)
	case "image":
		return c.Image
	}
	if name, ok := strings.CutPrefix(field, "env["); ok {
		e, set := c.LookupEnv(strings.TrimSuffix(name, "]"))
		switch {
		case !set:
			return "(unset)"
		case e.From != nil:
			return "from " + e.From.String()
		}
		return e.Value
	}
	if p := c.Probes.Get(model.ProbeType(strings.TrimSuffix(field, "Probe"))); p != nil {
		return p.String()
	}
	return "(unset)"
}
