package collect

import (
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// podUsage is one PodMetrics item converted at the boundary.
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

// usage is the bounded usage store. It is not safe for concurrent use; the
// Collector guards it.
type usage struct {
	cfg model.HistoryConfig
	// hist are the histories being written; published are read-only copies
	// handed to snapshots, refreshed after every poll.
	hist      map[histKey]*model.History
	published map[histKey]*model.History
	// pubGen says when each published history was last replaced (a count
	// of publications), so a snapshot can tell a changed history cheaply.
	pubGen  map[histKey]uint64
	gen     uint64
	pods    map[string]*podSeen
	newest  time.Time
	windows int
}

func newUsage(cfg model.HistoryConfig) *usage {
	return &usage{
		cfg:       cfg,
		hist:      map[histKey]*model.History{},
		published: map[histKey]*model.History{},
		pubGen:    map[histKey]uint64{},
		pods:      map[string]*podSeen{},
	}
}

// publish hands a copy of a history to the snapshots that follow.
func (u *usage) publish(hk histKey, h *model.History) {
	u.gen++
	u.published[hk], u.pubGen[hk] = h.Clone(), u.gen
}

// podInfo is what ingest needs to know of a pod from the informer cache.
type podInfo struct {
	ref        model.WorkloadRef
	cpuRequest map[string]int64 // per container, millicores
}

// ingest counts every sample that is newer than the last one counted for its
// pod, so the same metrics window is never counted twice, aggregates them into
// one point per workload container, and forgets pods that are gone. live,
// when not nil, holds every workload that still has pods: items are then a
// full list, so absent pods are forgotten, and so is the history of
// workloads not in live.
func (u *usage) ingest(items []podUsage, lookup func(ns, name string) (podInfo, bool), live map[model.WorkloadRef]bool) (added int) {
	type agg struct {
		p     model.Point
		found bool
	}
	points := map[histKey]*agg{}
	present := make(map[string]bool, len(items))
	for _, it := range items {
		key := it.namespace + "/" + it.name
		present[key] = true
		info, ok := lookup(it.namespace, it.name)
		if !ok {
			continue // not a pod kgotop watches (selector, or not listed yet)
		}
		seen := u.pods[key]
		if seen != nil && !it.time.After(seen.last) {
			continue // this window was counted already
		}
		if seen == nil || seen.ref != info.ref {
			seen = &podSeen{ref: info.ref, latest: map[string]model.Sample{}}
			u.pods[key] = seen
		}
		seen.last = it.time
		added++
		if it.time.After(u.newest) {
			u.newest = it.time
		}
		for _, c := range it.containers {
			s := model.Sample{Time: it.time, Window: it.window, CPU: c.cpu, Memory: c.memory}
			seen.latest[c.name] = s
			hk := histKey{info.ref, c.name}
			h := u.hist[hk]
			if h == nil {
				h = model.NewHistory(u.cfg)
				u.hist[hk] = h
			}
			h.Add(it.name, s, info.cpuRequest[c.name])
			a := points[hk]
			if a == nil {
				a = &agg{}
				points[hk] = a
			}
			a.p.Unix = max(a.p.Unix, it.time.Unix())
			a.p.CPU = max(a.p.CPU, c.cpu)
			a.p.Memory = max(a.p.Memory, c.memory)
		}
	}
	for hk, a := range points {
		h := u.hist[hk]
		h.AddPoint(a.p)
		u.publish(hk, h)
	}
	if added > 0 {
		u.windows++
	}
	if live != nil {
		u.forgetAbsent(present, live)
	}
	return added
}

// forgetAbsent drops pods that the last full list no longer had, folding
// their open memory peaks into their workload's history.
func (u *usage) forgetAbsent(present map[string]bool, live map[model.WorkloadRef]bool) {
	touched := map[histKey]bool{}
	for key, seen := range u.pods {
		if present[key] {
			continue
		}
		name := key[len(seen.ref.Namespace)+1:]
		for c := range seen.latest {
			hk := histKey{seen.ref, c}
			if h := u.hist[hk]; h != nil {
				h.Forget(name)
				touched[hk] = true
			}
		}
		delete(u.pods, key)
	}
	for hk := range touched {
		u.publish(hk, u.hist[hk])
	}
	// A workload with no pod left (a finished Job, a deleted Deployment)
	// takes its history with it, so churn cannot grow the store. A pod
	// without metrics for a while (in back-off) keeps its workload's.
	for hk := range u.hist {
		if !live[hk.ref] {
			delete(u.hist, hk)
			delete(u.published, hk)
			delete(u.pubGen, hk)
		}
	}
}

// latest returns the newest sample of a pod's container.
func (u *usage) latest(ns, pod, container string) (model.Sample, bool) {
	seen := u.pods[ns+"/"+pod]
	if seen == nil {
		return model.Sample{}, false
	}
	s, ok := seen.latest[container]
	return s, ok
}

// Seed installs a saved history for a workload's container (from an earlier
// run of kgotop); samples that follow extend it. It does nothing if the
// container already has history in this run.
func (c *Collector) Seed(ref model.WorkloadRef, container string, h *model.History) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hk := histKey{ref, container}
	if _, ok := c.usage.hist[hk]; ok || h == nil {
		return
	}
	c.usage.hist[hk] = h
	c.usage.publish(hk, h)
}

// Histories calls fn with a copy of every container history, for saving.
func (c *Collector) Histories(fn func(ref model.WorkloadRef, container string, h *model.History)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for hk, h := range c.usage.published {
		fn(hk.ref, hk.container, h)
	}
}
