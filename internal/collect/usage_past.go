package collect

import (
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// span is a stretch of time.
type span struct{ first, last time.Time }

// overlaps reports whether the span has samples in [from, to).
func (s span) overlaps(from, to time.Time) bool {
	return !s.first.IsZero() && from.Before(s.last) && to.After(s.first)
}

// savedSpan returns the span of the history seeded for a workload's
// container from an earlier run, zero when none: a past read from a store
// of metrics leaves it out, since the seeded history counted it already.
func (u *usage) savedSpan(ref model.WorkloadRef, container string) span {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.saved[histKey{ref, container}]
}

// backfill puts a past read from a store of metrics in front of a workload
// container's history (model.History.Backfill): the samples the poller
// ingests are always newer than the pod's newest, so an older past needs
// this call of its own. ev, when not nil, is what the store told beyond
// usage; it replaces what an earlier read told.
func (u *usage) backfill(ref model.WorkloadRef, container string, p model.PastUsage, ev *model.PastEvents) {
	u.mu.Lock()
	defer u.mu.Unlock()
	hk := histKey{ref, container}
	if ev != nil {
		u.past[hk] = ev
		u.touch(ref)
	}
	if p.Samples == 0 && p.Windows == 0 {
		return
	}
	h := u.hist[hk]
	if h == nil {
		h = model.NewHistory(u.cfg)
		u.hist[hk] = h
	}
	h.Backfill(p)
	u.publish(hk, h)
}

// pastEvents returns what the store of metrics told of a workload's
// container beyond usage, or nil.
func (u *usage) pastEvents(ref model.WorkloadRef, container string) *model.PastEvents {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.past[histKey{ref, container}]
}

// config returns the configuration the store's histories are made with.
func (u *usage) config() model.HistoryConfig { return u.cfg }
