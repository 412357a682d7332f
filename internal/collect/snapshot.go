package collect

import (
	"cmp"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kgotop/kgotop/internal/model"
)

// Snapshot returns what the collector knows now. It reads the informer caches
// and the published usage histories and never calls the API server.
func (c *Collector) Snapshot() model.Snapshot {
	snap := model.Snapshot{
		Taken:     c.opts.Now(),
		Context:   c.opts.Context,
		Namespace: c.opts.Namespace,
		Selector:  c.opts.Selector,
		Sources:   c.Sources(),
	}
	own := c.owners()
	b := &builder{byRef: map[model.WorkloadRef]*workloadBuild{}}

	pods := c.inf.pods.list()
	for _, x := range pods {
		p := x.(*corev1.Pod)
		w := b.get(own.workloadOf(p))
		w.pods = append(w.pods, p)
	}
	// Controllers with no pod (scaled to zero, all pending deletion) still
	// show, unless a selector narrows the view to some pods.
	addControllers := c.opts.Selector == ""
	for _, x := range c.inf.deployments.list() {
		d := x.(*appsv1.Deployment)
		b.controller(model.WorkloadRef{Kind: model.KindDeployment, Namespace: d.Namespace, Name: d.Name}, addControllers,
			replicas(d.Spec.Replicas), d.Spec.Template.Spec.Containers, d.ResourceVersion)
	}
	for _, x := range c.inf.statefulSets.list() {
		s := x.(*appsv1.StatefulSet)
		b.controller(model.WorkloadRef{Kind: model.KindStatefulSet, Namespace: s.Namespace, Name: s.Name}, addControllers,
			replicas(s.Spec.Replicas), s.Spec.Template.Spec.Containers, s.ResourceVersion)
	}
	for _, x := range c.inf.daemonSets.list() {
		d := x.(*appsv1.DaemonSet)
		b.controller(model.WorkloadRef{Kind: model.KindDaemonSet, Namespace: d.Namespace, Name: d.Name}, addControllers,
			d.Status.DesiredNumberScheduled, d.Spec.Template.Spec.Containers, d.ResourceVersion)
	}
	for _, x := range c.inf.jobs.list() {
		j := x.(*batchv1.Job)
		if metav1.GetControllerOf(j) == nil { // a CronJob's Jobs show as the CronJob
			b.controller(model.WorkloadRef{Kind: model.KindJob, Namespace: j.Namespace, Name: j.Name}, false,
				replicas(j.Spec.Parallelism), j.Spec.Template.Spec.Containers, j.ResourceVersion)
		}
	}
	for _, x := range c.inf.hpas.list() {
		h := x.(*autoscalingv2.HorizontalPodAutoscaler)
		ref := model.WorkloadRef{Kind: model.Kind(h.Spec.ScaleTargetRef.Kind), Namespace: h.Namespace, Name: h.Spec.ScaleTargetRef.Name}
		if w := b.byRef[ref]; w != nil {
			w.hpa, w.hpaRV = convertHPA(h), h.ResourceVersion
		}
	}

	events := b.route(own, c.events())
	c.mu.Lock()
	snap.Workloads = c.buildAll(b, events)
	c.mu.Unlock()
	slices.SortFunc(snap.Workloads, func(a, b model.Workload) int {
		return cmp.Or(cmp.Compare(a.Ref.Namespace, b.Ref.Namespace), cmp.Compare(a.Ref.Kind, b.Ref.Kind), cmp.Compare(a.Ref.Name, b.Ref.Name))
	})
	return snap
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// builder gathers pods and controllers by workload.
type builder struct {
	byRef map[model.WorkloadRef]*workloadBuild
}

type workloadBuild struct {
	pods       []*corev1.Pod
	desired    int32
	hasDesired bool
	template   []corev1.Container
	hpa        *model.HPA
	// ctrlRV and hpaRV are the resource versions of the controller and the
	// HPA, for the workload's Rev.
	ctrlRV, hpaRV string
}

func (b *builder) get(ref model.WorkloadRef) *workloadBuild {
	w := b.byRef[ref]
	if w == nil {
		w = &workloadBuild{}
		b.byRef[ref] = w
	}
	return w
}

// controller records a controller's desired count, template and resource
// version; add says whether it shows even with no pods.
func (b *builder) controller(ref model.WorkloadRef, add bool, desired int32, template []corev1.Container, rv string) {
	w := b.byRef[ref]
	if w == nil {
		if !add {
			return
		}
		w = b.get(ref)
	}
	w.desired, w.hasDesired, w.template, w.ctrlRV = desired, true, template, rv
}

// templateOf returns the containers a workload shows: the controller's
// template is what the next pods get and what patches change; a bare pod
// (or an unreadable controller) has its own spec. wb.pods must be sorted.
func templateOf(wb *workloadBuild) []corev1.Container {
	if wb.template == nil && len(wb.pods) > 0 {
		return wb.pods[len(wb.pods)-1].Spec.Containers
	}
	return wb.template
}

// buildWorkload converts one workload, its events aside; wb.pods must be
// sorted by name. c.mu must be held (it reads usage and scrapes).
func (c *Collector) buildWorkload(ref model.WorkloadRef, wb *workloadBuild) model.Workload {
	w := model.Workload{Ref: ref, HPA: wb.hpa, Desired: wb.desired}
	if !wb.hasDesired {
		w.Desired = int32(len(wb.pods))
	}
	for _, ct := range templateOf(wb) {
		mc := convertContainer(ct)
		mc.Go = model.DetectGo(mc)
		if h := c.usage.published[histKey{ref, ct.Name}]; h != nil {
			mc.Usage = h
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
			if s, ok := c.usage.latest(p.Namespace, p.Name, st.Name); ok {
				in.Usage = &s
			}
			w.Containers[i].Instances = append(w.Containers[i].Instances, in)
		}
	}
	c.attachGo(&w, wb.pods)
	return w
}

// events returns the watched events once each (the two event watches can
// overlap where a server ignores a field selector).
func (c *Collector) events() []*corev1.Event {
	seen := map[types.UID]bool{}
	var out []*corev1.Event
	for _, w := range []*watched{c.inf.warnings, c.inf.kills} {
		for _, x := range w.list() {
			e := x.(*corev1.Event)
			if !seen[e.UID] {
				seen[e.UID] = true
				out = append(out, e)
			}
		}
	}
	return out
}

// route sorts events by the workload they are about: one of its pods, the
// workload itself or one of its ReplicaSets. Events about nothing shown are
// dropped.
func (b *builder) route(own *owners, evs []*corev1.Event) map[model.WorkloadRef][]*corev1.Event {
	podOwner := map[string]model.WorkloadRef{}
	for ref, wb := range b.byRef {
		for _, p := range wb.pods {
			podOwner[p.Namespace+"/"+p.Name] = ref
		}
	}
	out := map[model.WorkloadRef][]*corev1.Event{}
	for _, e := range evs {
		ref, ok := model.WorkloadRef{}, false
		if e.InvolvedObject.Kind == "Pod" {
			ref, ok = podOwner[e.Namespace+"/"+e.InvolvedObject.Name]
		} else if ref, ok = own.ofObject(e.Namespace, e.InvolvedObject); ok {
			_, ok = b.byRef[ref]
		}
		if ok {
			out[ref] = append(out[ref], e)
		}
	}
	return out
}

// fileEvents files a workload's events under the container they are about:
// probe failures are counted per probe, liveness kills counted, and the rest
// kept newest first.
func fileEvents(w *model.Workload, evs []*corev1.Event) {
	for _, e := range evs {
		fileEvent(w, convertEvent(e))
	}
	sortEvents(w.Events)
	for j := range w.Containers {
		c := &w.Containers[j]
		sortEvents(c.Events)
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
