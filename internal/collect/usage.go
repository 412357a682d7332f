package collect

import (
	"sync"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// podUsage is one pod's samples of one metrics window, converted at the
// boundary from whichever source read them.
type podUsage struct {
	namespace, name string
	time            time.Time
	window          time.Duration
	containers      []containerUsage
}

type containerUsage struct {
	name   string
	cpu    int64 // millicores
	memory int64 // bytes
}

// histKey names the history of one container of one workload: history is
// kept per workload, not per pod, so it survives rollouts and reschedules.
type histKey struct {
	ref       model.WorkloadRef
	container string
}

// podSeen is what the usage store remembers of a pod between polls.
type podSeen struct {
	last   time.Time // timestamp of the newest sample counted
	ref    model.WorkloadRef
	latest map[string]model.Sample // per container
}

// podInfo is what ingest needs to know of a pod from the watcher.
type podInfo struct {
	ref        model.WorkloadRef
	cpuRequest map[string]int64 // per container, millicores
}

// usage is the usage store: a bounded history per workload container and
// the newest sample of each pod, fed by the usage poller's sources and
// read by snapshots. It has a lock of its own.
type usage struct {
	cfg model.HistoryConfig

	mu sync.Mutex
	// hist are the histories being written; published are read-only copies
	// handed to snapshots, refreshed after every ingest.
	hist      map[histKey]*model.History
	published map[histKey]*model.History
	pods      map[string]*podSeen
	// saved is the span of each history seeded from an earlier run, which
	// a past read from a store must not count again; past is what the
	// store told of each container beyond usage (usage_past.go).
	saved map[histKey]span
	past  map[histKey]*model.PastEvents
	// gens is each workload's generation: a value of counter taken each
	// time something a snapshot reads of it (a published history, a pod's
	// newest sample) changes.
	gens    map[model.WorkloadRef]uint64
	counter uint64
	newest  time.Time
	windows int
}

func newUsage(cfg model.HistoryConfig) *usage {
	return &usage{
		cfg:       cfg,
		hist:      map[histKey]*model.History{},
		published: map[histKey]*model.History{},
		pods:      map[string]*podSeen{},
		saved:     map[histKey]span{},
		past:      map[histKey]*model.PastEvents{},
		gens:      map[model.WorkloadRef]uint64{},
	}
}

// touch moves a workload's generation on; u.mu must be held.
func (u *usage) touch(ref model.WorkloadRef) {
	u.counter++
	u.gens[ref] = u.counter
}

// publish hands a copy of a history to the snapshots that follow; u.mu must be held.
func (u *usage) publish(hk histKey, h *model.History) {
	u.published[hk] = h.Clone()
	u.touch(hk.ref)
}

// generation returns the workload's usage generation: it changes whenever
// history or latest returns something new for the workload.
func (u *usage) generation(ref model.WorkloadRef) uint64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.gens[ref]
}

// history returns the published history of a workload's container, or nil.
func (u *usage) history(ref model.WorkloadRef, container string) *model.History {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.published[histKey{ref, container}]
}

// latest returns the newest sample of a pod's container.
func (u *usage) latest(ns, pod, container string) (model.Sample, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	seen := u.pods[ns+"/"+pod]
	if seen == nil {
		return model.Sample{}, false
	}
	s, ok := seen.latest[container]
	return s, ok
}

// progress returns the time of the newest sample counted and how many
// windows brought new samples.
func (u *usage) progress() (newest time.Time, windows int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.newest, u.windows
}

// seed installs a saved history for a workload's container; it does nothing
// if the container already has history in this run.
func (u *usage) seed(ref model.WorkloadRef, container string, h *model.History) {
	u.mu.Lock()
	defer u.mu.Unlock()
	hk := histKey{ref, container}
	if _, ok := u.hist[hk]; ok || h == nil {
		return
	}
	u.hist[hk] = h
	u.saved[hk] = span{h.First, h.Last}
	u.publish(hk, h)
}

// each calls fn with every published history.
func (u *usage) each(fn func(ref model.WorkloadRef, container string, h *model.History)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for hk, h := range u.published {
		fn(hk.ref, hk.container, h)
	}
}
