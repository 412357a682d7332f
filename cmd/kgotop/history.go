package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/store"
)

// history keeps usage history across runs of kgotop in the user's cache
// folder, one file per cluster and namespace, so advice made tomorrow rests
// on today's samples too; beside it, the changes kgotop applied, so their
// follow-up outlives the run that made them.
type history struct {
	path    string
	changes string
	saved   map[store.Key]*model.History
	log     *slog.Logger
}

// loadHistory seeds the collector with the saved history of this cluster
// and namespace. A missing, foreign or damaged file costs only the history:
// its warning goes to the log and to warn.
func loadHistory(c *collect.Collector, t *target, log *slog.Logger, warn func(string)) *history {
	path, err := store.DefaultPath(t.server, t.context, t.namespace)
	if err != nil {
		warn(fmt.Sprintf("usage history is not kept between runs: %v", err))
		return nil
	}
	saved, werr := store.Load(path)
	if werr != nil {
		log.Warn("history file ignored", "path", path, "err", werr)
		warn(fmt.Sprintf("ignored the saved usage history: %v", werr))
	}
	for k, h := range saved {
		c.Seed(model.WorkloadRef{Kind: k.Kind, Namespace: k.Namespace, Name: k.Name}, k.Container, h)
	}
	changes := store.ChangesPath(path)
	applied, cerr := store.DefaultChangeLimits.LoadChanges(changes, time.Now())
	if cerr != nil {
		log.Warn("applied changes file ignored", "path", changes, "err", cerr)
		warn(cerr.Error())
	}
	c.SeedChanges(applied)
	return &history{path: path, changes: changes, saved: saved, log: log}
}

// recorder returns what files a change applied from the dashboard: into the
// collector, whose snapshots then carry it, and into the changes file at
// once (nil history: --no-history, in this run only).
func (h *history) recorder(c *collect.Collector) func(model.AppliedChange) {
	return func(ch model.AppliedChange) {
		c.Record(ch)
		if h == nil {
			return
		}
		if err := store.DefaultChangeLimits.SaveChanges(h.changes, c.Changes(), time.Now()); err != nil {
			h.log.Warn("applied change not saved", "err", err)
		}
	}
}

// save writes what this run saw over what was saved.
func (h *history) save(c *collect.Collector) error {
	if h == nil {
		return nil
	}
	current := map[store.Key]*model.History{}
	c.Histories(func(ref model.WorkloadRef, container string, hist *model.History) {
		current[store.KeyOf(ref, container)] = hist
	})
	if err := store.Save(h.path, store.Merge(h.saved, current)); err != nil {
		return fmt.Errorf("saving usage history: %w", err)
	}
	return nil
}
