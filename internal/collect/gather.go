package collect

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kgotop/kgotop/internal/model"
)

// workloadBuild is what the watcher's caches hold of one workload: its pods
// (sorted by name), its controller's desired count and template, its HPA
// and the events about it, each with its resource version.
type workloadBuild struct {
	pods       []*corev1.Pod
	desired    int32
	hasDesired bool
	template   []corev1.Container
	strategy   string // the controller's update strategy type
	partition  int32  // a StatefulSet's rolling update partition
	hpa        *model.HPA
	events     []*corev1.Event
	// ctrlRV and hpaRV are the resource versions of the controller and the HPA.
	ctrlRV, hpaRV string
}

// builder gathers pods, controllers and events by workload.
type builder struct {
	byRef map[model.WorkloadRef]*workloadBuild
}

// gather sorts the cached objects by the workload they belong to.
// Controllers with no pod (scaled to zero, all pending deletion) are
// workloads of their own when withIdle is set (no selector narrows the view).
func (wt *watcher) gather(own *owners, withIdle bool) *builder {
	b := &builder{byRef: map[model.WorkloadRef]*workloadBuild{}}
	for _, p := range wt.allPods() {
		w := b.get(own.workloadOf(p))
		w.pods = append(w.pods, p)
	}
	for _, obj := range wt.deployments.list() {
		d := obj.(*appsv1.Deployment)
		b.controller(model.WorkloadRef{Kind: model.KindDeployment, Namespace: d.Namespace, Name: d.Name}, withIdle,
			replicas(d.Spec.Replicas), d.Spec.Template.Spec.Containers, d.ResourceVersion, string(d.Spec.Strategy.Type))
	}
	for _, obj := range wt.statefulSets.list() {
		s := obj.(*appsv1.StatefulSet)
		ref := model.WorkloadRef{Kind: model.KindStatefulSet, Namespace: s.Namespace, Name: s.Name}
		b.controller(ref, withIdle, replicas(s.Spec.Replicas), s.Spec.Template.Spec.Containers, s.ResourceVersion, string(s.Spec.UpdateStrategy.Type))
		if ru, w := s.Spec.UpdateStrategy.RollingUpdate, b.byRef[ref]; w != nil && ru != nil && ru.Partition != nil {
			w.partition = *ru.Partition
		}
	}
	for _, obj := range wt.daemonSets.list() {
		d := obj.(*appsv1.DaemonSet)
		b.controller(model.WorkloadRef{Kind: model.KindDaemonSet, Namespace: d.Namespace, Name: d.Name}, withIdle,
			d.Status.DesiredNumberScheduled, d.Spec.Template.Spec.Containers, d.ResourceVersion, string(d.Spec.UpdateStrategy.Type))
	}
	for _, obj := range wt.jobs.list() {
		j := obj.(*batchv1.Job)
		if metav1.GetControllerOf(j) == nil { // a CronJob's Jobs show as the CronJob
			b.controller(model.WorkloadRef{Kind: model.KindJob, Namespace: j.Namespace, Name: j.Name}, false,
				replicas(j.Spec.Parallelism), j.Spec.Template.Spec.Containers, j.ResourceVersion, "")
		}
	}
	for _, obj := range wt.hpas.list() {
		h := obj.(*autoscalingv2.HorizontalPodAutoscaler)
		ref := model.WorkloadRef{Kind: model.Kind(h.Spec.ScaleTargetRef.Kind), Namespace: h.Namespace, Name: h.Spec.ScaleTargetRef.Name}
		if w := b.byRef[ref]; w != nil {
			w.hpa, w.hpaRV = convertHPA(h), h.ResourceVersion
		}
	}
	for _, wb := range b.byRef {
		slices.SortFunc(wb.pods, func(a, b *corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	}
	b.route(own, wt.events())
	return b
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

func (b *builder) get(ref model.WorkloadRef) *workloadBuild {
	w := b.byRef[ref]
	if w == nil {
		w = &workloadBuild{}
		b.byRef[ref] = w
	}
	return w
}

// controller records a controller's desired count, template, resource
// version and update strategy; add says whether it shows even with no pods.
func (b *builder) controller(ref model.WorkloadRef, add bool, desired int32, template []corev1.Container, rv, strategy string) {
	w := b.byRef[ref]
	if w == nil {
		if !add {
			return
		}
		w = b.get(ref)
	}
	w.desired, w.hasDesired, w.template, w.ctrlRV, w.strategy = desired, true, template, rv, strategy
}

// route files events under the workload they are about: one of its pods,
// the workload itself or one of its ReplicaSets. Events about nothing shown
// are dropped.
func (b *builder) route(own *owners, evs []*corev1.Event) {
	podOwner := map[string]*workloadBuild{}
	for _, wb := range b.byRef {
		for _, p := range wb.pods {
			podOwner[p.Namespace+"/"+p.Name] = wb
		}
	}
	for _, e := range evs {
		var wb *workloadBuild
		if e.InvolvedObject.Kind == "Pod" {
			wb = podOwner[e.Namespace+"/"+e.InvolvedObject.Name]
		} else if ref, ok := own.ofObject(e.Namespace, e.InvolvedObject); ok {
			wb = b.byRef[ref]
		}
		if wb != nil {
			wb.events = append(wb.events, e)
		}
	}
}

// templateOf returns the containers a workload shows: the controller's
// template is what the next pods get and what patches change; a bare pod
// (or an unreadable controller) has its own spec.
func templateOf(wb *workloadBuild) []corev1.Container {
	if wb.template == nil && len(wb.pods) > 0 {
		return wb.pods[len(wb.pods)-1].Spec.Containers
	}
	return wb.template
}

// version is the watcher's generation of a workload: a hash of the
// resource versions of its controller, HPA, pods and events, which change
// whenever anything the snapshot reads of them does. An object without a
// resource version (a fake clientset's, as in the demo) makes it 0: unknown.
func (wb *workloadBuild) version(seed maphash.Seed) uint64 {
	if wb.hasDesired && wb.ctrlRV == "" || wb.hpa != nil && wb.hpaRV == "" {
		return 0
	}
	var h maphash.Hash
	h.SetSeed(seed)
	str := func(s string) {
		h.WriteString(s)
		h.WriteByte(0)
	}
	str(wb.ctrlRV)
	str(wb.hpaRV)
	for _, p := range wb.pods {
		if p.ResourceVersion == "" {
			return 0
		}
		str(p.Name)
		str(p.ResourceVersion)
	}
	var sum uint64 // added, so that the order events come in does not matter
	for _, e := range wb.events {
		if e.ResourceVersion == "" {
			return 0
		}
		sum += maphash.String(seed, string(e.UID)+"/"+e.ResourceVersion)
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], sum)
	h.Write(b[:])
	return h.Sum64() | 1 // 0 means unknown
}

// byName orders workloads by namespace, kind and name.
func byName(a, b model.Workload) int {
	return cmp.Or(cmp.Compare(a.Ref.Namespace, b.Ref.Namespace), cmp.Compare(a.Ref.Kind, b.Ref.Kind), cmp.Compare(a.Ref.Name, b.Ref.Name))
}
