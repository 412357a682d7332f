package collect

import "github.com/kgotop/kgotop/internal/model"

// ingest counts every sample that is newer than the last one counted for its
// pod, so the same metrics window is never counted twice, aggregates them into
// one point per workload container, and forgets pods that are gone. live,
// when not nil, holds every workload that still has pods: items are then a
// full list, so absent pods are forgotten, and so is the history of
// workloads not in live.
func (u *usage) ingest(items []podUsage, lookup func(ns, name string) (podInfo, bool), live map[model.WorkloadRef]bool) (added int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	points := map[histKey]*model.Point{}
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
		u.touch(info.ref)
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
			p := points[hk]
			if p == nil {
				p = &model.Point{}
				points[hk] = p
			}
			p.Unix = max(p.Unix, it.time.Unix())
			p.CPU = max(p.CPU, c.cpu)
			p.Memory = max(p.Memory, c.memory)
		}
	}
	for hk, p := range points {
		h := u.hist[hk]
		h.AddPoint(*p)
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
// their open memory peaks into their workload's history. u.mu must be held.
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
		u.touch(seen.ref)
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
			delete(u.gens, hk.ref)
			delete(u.saved, hk)
			delete(u.past, hk)
		}
	}
}
