package ui

import (
	"sync"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// rowCache keeps each workload's table row, with the advice in it, from one
// refresh to the next while the workload's Rev says it is unchanged. Advising
// and building rows is most of a refresh, and between two metrics windows
// almost every workload stays the same: at ten thousand workloads a refresh
// then costs milliseconds instead of half a second and hundreds of MB of
// garbage. It is safe for concurrent use: a refresh asked for with r may
// overlap the one in flight.
type rowCache struct {
	mu        sync.Mutex
	namespace string
	// last are the rows of the last build (the table holds the same
	// array); rows finds a workload's row there, with the Rev it was built for.
	last []workloadRow
	rows map[model.WorkloadRef]cachedRow
	pass uint64 // numbers the builds, to drop the workloads gone
}

type cachedRow struct {
	rev  uint64
	i    int    // in last
	pass uint64 // the last build that saw the workload
	// sensitive says the advice could change with the clock when it was
	// made: it is made again even once the clock stops mattering.
	sensitive bool
}

func newRowCache() *rowCache { return &rowCache{rows: map[model.WorkloadRef]cachedRow{}} }

// buildRows advises on every workload of the snapshot and turns each into a
// table row, and returns the rows (in snapshot order) with the advice counts
// of them all. With a cache (c may be nil), a workload keeps its advice when
// its Rev is unchanged and that advice cannot change with the clock alone
// (advisor.TimeSensitive), and keeps its row too unless a cell of it shows an
// age (a restart's "3m ago").
func (c *rowCache) buildRows(s model.Snapshot, opts advisor.Options) ([]workloadRow, adviceCounts) {
	if opts.Now.IsZero() {
		opts.Now = s.Taken // as advisor.Advise does
	}
	if c != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.namespace != s.Namespace { // the name column shows the namespace under -A
			c.namespace, c.last, c.rows = s.Namespace, nil, map[model.WorkloadRef]cachedRow{}
		}
		c.pass++
	}
	sensitive := func(w model.Workload) bool { return advisor.TimeSensitive(w, opts.Now) }
	rows := make([]workloadRow, 0, len(s.Workloads))
	var total adviceCounts
	for _, w := range s.Workloads {
		var prev *workloadRow
		if c != nil && w.Rev != 0 {
			if e, ok := c.rows[w.Ref]; ok && e.rev == w.Rev && !e.sensitive && !sensitive(w) {
				prev = &c.last[e.i]
			}
		}
		var r workloadRow
		switch {
		case prev != nil && !showsAge(w):
			r = *prev
		case prev != nil:
			r = buildRow(w, prev.advice, prev.patch, s)
		default:
			as := advisor.AdviseWorkload(w, opts)
			r = buildRow(w, as, availability(w, as), s)
		}
		if c != nil && w.Rev != 0 {
			c.rows[w.Ref] = cachedRow{rev: w.Rev, i: len(rows), pass: c.pass, sensitive: sensitive(w)}
		}
		rows = append(rows, r)
		total = total.plus(r.counts)
	}
	if c != nil {
		c.last = rows
		for ref, e := range c.rows {
			if e.pass != c.pass {
				delete(c.rows, ref)
			}
		}
	}
	return rows, total
}

// showsAge reports whether a workload's row shows how long ago something
// happened (RestartSummary: the last termination's age), so it changes
// with the clock alone.
func showsAge(w model.Workload) bool {
	if len(w.Changes) > 0 { // "resized 12m ago"
		return true
	}
	for _, c := range w.Containers {
		if c.LastTermination() != nil {
			return true
		}
	}
	return false
}
