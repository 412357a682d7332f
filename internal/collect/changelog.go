package collect

import (
	"cmp"
	"slices"
	"sync"

	"github.com/kgotop/kgotop/internal/model"
)

// maxChanges bounds the changes the log keeps (the newest), as the store
// bounds what it saves.
const maxChanges = 200

// changeLog is the patcher's log of the changes applied from kgotop: those
// of earlier runs (seeded from the store) and this run's, newest first.
type changeLog struct {
	mu  sync.Mutex
	all []model.AppliedChange
}

// add files changes, keeping the newest maxChanges.
func (l *changeLog) add(chs ...model.AppliedChange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, chs...)
	slices.SortStableFunc(l.all, func(a, b model.AppliedChange) int { return cmp.Compare(b.At.UnixNano(), a.At.UnixNano()) })
	if len(l.all) > maxChanges {
		l.all = l.all[:maxChanges]
	}
}

// of returns a workload's changes, newest first.
func (l *changeLog) of(ref model.WorkloadRef) []model.AppliedChange {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []model.AppliedChange
	for _, ch := range l.all {
		if ch.Ref == ref {
			out = append(out, ch)
		}
	}
	return out
}

// list returns every change, newest first.
func (l *changeLog) list() []model.AppliedChange {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.all)
}

// record files a change and bumps its workload's patch generation, so the
// next snapshot builds the workload with it.
func (p *patcher) record(chs ...model.AppliedChange) {
	p.log.add(chs...)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ch := range chs {
		p.counter++
		p.gens[ch.Ref] = p.counter
	}
}

// Record files a change applied from kgotop (a rollout or a resize), so
// that snapshots carry it with its workload (model.Workload.Changes) and
// the advisor follows it up.
func (c *Collector) Record(ch model.AppliedChange) { c.patcher.record(ch) }

// SeedChanges files the changes earlier runs of kgotop applied (from the store).
func (c *Collector) SeedChanges(chs []model.AppliedChange) { c.patcher.record(chs...) }

// Changes returns every change filed, newest first, for saving.
func (c *Collector) Changes() []model.AppliedChange { return c.patcher.log.list() }
