package collect

import (
	"cmp"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kgotop/kgotop/internal/model"
)

// Snapshot returns what the collector knows now. It is built from the
// parts' small APIs: the watcher's cached objects by workload, the usage
// store's histories, the scraper's pages and each part's generation of each
// workload (its Rev), and never calls the API server.
func (c *Collector) Snapshot() model.Snapshot {
	now := c.opts.Now()
	snap := model.Snapshot{
		Taken:     now,
		Context:   c.opts.Context,
		Namespace: c.opts.Namespace,
		Selector:  c.opts.Selector,
		Sources:   c.Sources(),
	}
	b := c.watch.gather(c.watch.owners(), c.opts.Selector == "")
	gens := func(ref model.WorkloadRef) generations {
		return generations{usage: c.usage.generation(ref), scrape: c.scraper.generation(ref, now), patch: c.patcher.generation(ref)}
	}
	build := func(ref model.WorkloadRef, wb *workloadBuild) model.Workload {
		w := c.buildWorkload(ref, wb, now)
		fileEvents(&w, wb.events)
		return w
	}
	snap.Workloads = c.memo.build(b, gens, build)
	slices.SortFunc(snap.Workloads, byName)
	return snap
}

// buildWorkload converts one workload, its events aside.
func (c *Collector) buildWorkload(ref model.WorkloadRef, wb *workloadBuild, now time.Time) model.Workload {
	w := model.Workload{Ref: ref, HPA: wb.hpa, Desired: wb.desired, UpdateStrategy: wb.strategy, Partition: wb.partition, Changes: c.patcher.log.of(ref)}
	if !wb.hasDesired {
		w.Desired = int32(len(wb.pods))
	}
	for _, ct := range templateOf(wb) {
		mc := convertContainer(ct)
		mc.Go = model.DetectGo(mc)
		if h := c.usage.history(ref, ct.Name); h != nil {
			mc.Usage = h
		}
		if mc.Past = c.usage.pastEvents(ref, ct.Name); mc.Past != nil {
			mc.Go.FromStore(mc.Past.Runtime) // a page the scraper reads wins (attach)
		}
		w.Containers = append(w.Containers, mc)
	}
	for _, p := range wb.pods {
		mp := convertPod(p)
		if mp.Ready {
			w.Ready++
		}
		w.Pods = append(w.Pods, mp)
		for _, st := range p.Status.ContainerStatuses {
			i := slices.IndexFunc(w.Containers, func(mc model.Container) bool { return mc.Name == st.Name })
			if i < 0 {
				continue // a container the template no longer has (mid-rollout)
			}
			in := convertStatus(p.Name, st)
			if k := slices.IndexFunc(p.Spec.Containers, func(c corev1.Container) bool { return c.Name == st.Name }); k >= 0 {
				in.Resources = convertInstanceResources(p.Spec.Containers[k].Resources, st)
			}
			if s, ok := c.usage.latest(p.Namespace, p.Name, st.Name); ok {
				in.Usage = &s
			}
			w.Containers[i].Instances = append(w.Containers[i].Instances, in)
		}
	}
	c.scraper.attach(&w, wb.pods, now)
	return w
}

// fileEvents files a workload's events under the container they are about:
// probe failures are counted per probe, liveness kills counted, Killing
// events and the other warnings kept newest first.
func fileEvents(w *model.Workload, evs []*corev1.Event) {
	for _, e := range evs {
		fileEvent(w, convertEvent(e))
	}
	sortEvents(w.Events)
	for j := range w.Containers {
		c := &w.Containers[j]
		sortEvents(c.Events)
		sortEvents(c.Killings)
		slices.SortFunc(c.ProbeFailures, func(a, b model.ProbeFailure) int { return cmp.Compare(a.Probe, b.Probe) })
	}
}

func fileEvent(w *model.Workload, ev model.Event) {
	ci := slices.IndexFunc(w.Containers, func(c model.Container) bool { return c.Name == ev.Container })
	if ci < 0 {
		w.Events = append(w.Events, ev)
		return
	}
	c := &w.Containers[ci]
	if ev.Reason == "Killing" {
		c.Killings = append(c.Killings, ev)
	}
	switch {
	case ev.Reason == "Unhealthy" && model.ProbeTypeOfMessage(ev.Message) != "":
		pf := probeFailure(c, model.ProbeTypeOfMessage(ev.Message))
		pf.Count += ev.Count
		if ev.LastSeen.After(pf.LastSeen) || pf.LastMessage == "" {
			pf.LastSeen, pf.LastMessage = ev.LastSeen, ev.Message
		}
	case ev.Reason == "Killing" && strings.Contains(ev.Message, "failed liveness probe"):
		probeFailure(c, model.Liveness).Kills += ev.Count
	case ev.Reason == "Killing" && strings.Contains(ev.Message, "failed startup probe"):
		probeFailure(c, model.Startup).Kills += ev.Count
	case ev.Type == corev1.EventTypeWarning:
		c.Events = append(c.Events, ev)
	}
}

func probeFailure(c *model.Container, t model.ProbeType) *model.ProbeFailure {
	for i := range c.ProbeFailures {
		if c.ProbeFailures[i].Probe == t {
			return &c.ProbeFailures[i]
		}
	}
	c.ProbeFailures = append(c.ProbeFailures, model.ProbeFailure{Probe: t})
	return &c.ProbeFailures[len(c.ProbeFailures)-1]
}

func sortEvents(evs []model.Event) {
	slices.SortFunc(evs, func(a, b model.Event) int {
		return cmp.Or(b.LastSeen.Compare(a.LastSeen), cmp.Compare(a.Reason, b.Reason), cmp.Compare(a.Message, b.Message))
	})
}
