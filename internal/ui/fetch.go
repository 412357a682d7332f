package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// snapshotMsg answers fetchCmd: a snapshot and the table rows built from it
// with their advice, for the refresh numbered seq.
type snapshotMsg struct {
	seq    uint64
	now    time.Time
	snap   model.Snapshot
	rows   []workloadRow
	counts adviceCounts // of all the rows' advice
	widths widths
	// index finds a workload: snap.Workloads[i] and rows[i] are the same one.
	index map[model.WorkloadRef]int
	// took is how long the command ran, to pace the next refresh.
	took time.Duration
}

// fetchCmd takes a snapshot, advises on it and builds the table rows, all
// off the UI goroutine, keeping what is unchanged since the last refresh in
// cache (which may be nil). It captures values and the cache, which is safe
// for concurrent use, never the model.
func fetchCmd(snapshot func() model.Snapshot, opts advisor.Options, now func() time.Time, seq uint64, cache *rowCache) tea.Cmd {
	return func() tea.Msg {
		began := time.Now()
		s := snapshot()
		rows, counts := cache.buildRows(s, opts)
		index := make(map[model.WorkloadRef]int, len(s.Workloads))
		for i, w := range s.Workloads {
			index[w.Ref] = i
		}
		return snapshotMsg{seq: seq, now: now(), snap: s, rows: rows, counts: counts, widths: contentWidths(rows), index: index, took: time.Since(began)}
	}
}

// pace is the wait before the next refresh: the configured interval, or
// four times what the last one took when that is longer, so that advising
// a very large namespace never takes more than a fifth of a core.
func pace(refresh, took time.Duration) time.Duration {
	return max(refresh, 4*took)
}

// Until the first complete picture (everything listed once and the first
// metrics in, or known to be missing), the dashboard refreshes every
// loadingRefresh instead of every Deps.Refresh, so that it shows the
// namespace as soon as it is read rather than up to a refresh later; for
// at most loadingFor, so that a cluster that never answers costs no more.
const (
	loadingRefresh = 200 * time.Millisecond
	loadingFor     = 30 * time.Second
)

// loading reports whether a snapshot still lacks the first list or the
// first metrics.
func loading(s model.Snapshot) bool {
	src := s.Sources
	return !src.Synced || (src.Metrics.State != model.MetricsUnavailable && src.Metrics.Newest.IsZero())
}

// tickMsg asks for the refresh numbered seq; a tick whose number is not the
// current one is dropped, so at most one refresh loop runs.
type tickMsg struct{ seq uint64 }

// tickCmd schedules the next refresh after d.
func tickCmd(d time.Duration, seq uint64) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return tickMsg{seq: seq} })
}
