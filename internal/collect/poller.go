package collect

import (
	"context"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// A usageSource is where the usage poller reads pods' usage from. The
// metrics API (metricsAPI) is the live one, read once a metrics window; a
// source of history (Prometheus) is meant to feed the same store.
type usageSource interface {
	// fetch returns the pods' newest samples, or nothing when the source
	// cannot be read now (it says why in its own status). full says the
	// samples are a full list: pods absent from it are gone.
	fetch(ctx context.Context) (samples []podUsage, full bool, ok bool)
	// next returns how long to wait before fetching again, given whether
	// the last fetch returned samples and the newest sample the store holds.
	next(newest time.Time, fetched bool) time.Duration
}

// poller is the usage poller: it feeds what its source returns into the
// usage store, counting each pod's samples under the workload the watcher
// says owns it. It keeps no state of its own: the store and the source
// have theirs.
type poller struct {
	src   usageSource
	store *usage
}

// poll makes one round and returns how long to wait before the next.
func (p *poller) poll(ctx context.Context, pods podIndex) time.Duration {
	samples, full, ok := p.src.fetch(ctx)
	if ok {
		live := pods.live()
		if !full {
			live = nil
		}
		p.store.ingest(samples, pods.lookup, live)
	}
	newest, _ := p.store.progress()
	return p.src.next(newest, ok)
}

// podIndex resolves the watcher's pods to workloads, for the parts that
// file what they read by workload (the poller and the scraper); the owners
// are read once, the pods whenever asked.
type podIndex struct {
	watch *watcher
	own   *owners
}

// index reads the owners of pods from the watcher's caches.
func (wt *watcher) index() podIndex {
	return podIndex{watch: wt, own: wt.owners()}
}

// live returns the workloads that have pods now.
func (ix podIndex) live() map[model.WorkloadRef]bool {
	out := map[model.WorkloadRef]bool{}
	for _, p := range ix.watch.allPods() {
		out[ix.own.workloadOf(p)] = true
	}
	return out
}

// lookup resolves a pod for ingest: its workload and its containers' CPU requests.
func (ix podIndex) lookup(ns, name string) (podInfo, bool) {
	p, ok := ix.watch.pod(ns, name)
	if !ok {
		return podInfo{}, false
	}
	info := podInfo{ref: ix.own.workloadOf(p), cpuRequest: make(map[string]int64, len(p.Spec.Containers))}
	for _, ct := range p.Spec.Containers {
		info.cpuRequest[ct.Name] = ct.Resources.Requests.Cpu().MilliValue()
	}
	return info, true
}
