package main

import (
	"fmt"
	"log/slog"

	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/store"
)

// history keeps usage history across runs of kgotop in the user's cache
// folder, one file per cluster and namespace, so advice made tomorrow rests
// on today's samples too.
type history struct {
	path  string
	saved map[store.Key]*model.History
	log   *slog.Logger
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
	return &history{path: path, saved: saved, log: log}
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
