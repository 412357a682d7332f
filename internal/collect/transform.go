package collect

import (
	"slices"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// transform trims every watched object to what kgotop reads before it enters
// the informer cache, so that memory scales with what kgotop shows and not
// with what the objects carry (managedFields, last-applied annotations,
// volumes, affinity, ...).
func transform(obj any) (any, error) {
	switch o := obj.(type) {
	case *corev1.Pod:
		return trimPod(o), nil
	case *appsv1.ReplicaSet:
		o.ObjectMeta = trimMeta(o.ObjectMeta)
		o.Spec = appsv1.ReplicaSetSpec{Replicas: o.Spec.Replicas}
		o.Status = appsv1.ReplicaSetStatus{}
		return o, nil
	case *appsv1.Deployment:
		o.ObjectMeta = trimMeta(o.ObjectMeta)
		o.Spec = appsv1.DeploymentSpec{Replicas: o.Spec.Replicas, Template: trimTemplate(o.Spec.Template),
			Strategy: appsv1.DeploymentStrategy{Type: o.Spec.Strategy.Type}}
		o.Status = appsv1.DeploymentStatus{Replicas: o.Status.Replicas, ReadyReplicas: o.Status.ReadyReplicas}
		return o, nil
	case *appsv1.StatefulSet:
		o.ObjectMeta = trimMeta(o.ObjectMeta)
		o.Spec = appsv1.StatefulSetSpec{Replicas: o.Spec.Replicas, Template: trimTemplate(o.Spec.Template),
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: o.Spec.UpdateStrategy.Type, RollingUpdate: trimRollingUpdate(o.Spec.UpdateStrategy.RollingUpdate)}}
		o.Status = appsv1.StatefulSetStatus{Replicas: o.Status.Replicas, ReadyReplicas: o.Status.ReadyReplicas}
		return o, nil
	case *appsv1.DaemonSet:
		o.ObjectMeta = trimMeta(o.ObjectMeta)
		o.Spec = appsv1.DaemonSetSpec{Template: trimTemplate(o.Spec.Template),
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: o.Spec.UpdateStrategy.Type}}
		o.Status = appsv1.DaemonSetStatus{DesiredNumberScheduled: o.Status.DesiredNumberScheduled, NumberReady: o.Status.NumberReady}
		return o, nil
	case *batchv1.Job:
		o.ObjectMeta = trimMeta(o.ObjectMeta)
		o.Spec = batchv1.JobSpec{Parallelism: o.Spec.Parallelism, Template: trimTemplate(o.Spec.Template)}
		o.Status = batchv1.JobStatus{Active: o.Status.Active, Ready: o.Status.Ready}
		return o, nil
	case *autoscalingv2.HorizontalPodAutoscaler:
		o.ObjectMeta = trimMeta(o.ObjectMeta)
		o.Status.Conditions = nil
		return o, nil
	case *corev1.Event:
		o.ObjectMeta = trimMeta(o.ObjectMeta)
		o.Source, o.Related = corev1.EventSource{}, nil
		o.ReportingController, o.ReportingInstance, o.Action = "", "", ""
		o.InvolvedObject.APIVersion, o.InvolvedObject.ResourceVersion = "", ""
		return o, nil
	}
	return obj, nil
}

// trimRollingUpdate keeps a StatefulSet's rolling update partition, the
// part of it kgotop reads.
func trimRollingUpdate(r *appsv1.RollingUpdateStatefulSetStrategy) *appsv1.RollingUpdateStatefulSetStrategy {
	if r == nil || r.Partition == nil {
		return nil
	}
	return &appsv1.RollingUpdateStatefulSetStrategy{Partition: r.Partition}
}

// trimMeta keeps identity, owners and the few annotations kgotop reads.
func trimMeta(m metav1.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{
		Name:              m.Name,
		Namespace:         m.Namespace,
		UID:               m.UID,
		ResourceVersion:   m.ResourceVersion,
		CreationTimestamp: m.CreationTimestamp,
		OwnerReferences:   m.OwnerReferences,
	}
	for k, v := range m.Annotations {
		if strings.HasPrefix(k, "prometheus.io/") {
			if out.Annotations == nil {
				out.Annotations = map[string]string{}
			}
			out.Annotations[k] = v
		}
	}
	return out
}

// trimTemplate keeps the containers of a pod template.
func trimTemplate(t corev1.PodTemplateSpec) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: trimContainers(t.Spec.Containers)}}
}

func trimContainers(cs []corev1.Container) []corev1.Container {
	out := make([]corev1.Container, len(cs))
	for i, c := range cs {
		out[i] = corev1.Container{
			Name:           c.Name,
			Image:          c.Image,
			Ports:          c.Ports,
			Env:            c.Env,
			Resources:      corev1.ResourceRequirements{Requests: lists.intern(c.Resources.Requests), Limits: lists.intern(c.Resources.Limits)},
			LivenessProbe:  c.LivenessProbe,
			ReadinessProbe: c.ReadinessProbe,
			StartupProbe:   c.StartupProbe,
			ResizePolicy:   c.ResizePolicy,
		}
	}
	return out
}

// trimPod keeps the spec and status kgotop shows. The pod-template-hash label
// stays: it finds a pod's Deployment when ReplicaSets cannot be read. So
// does what an in-place resize is followed by: the generations, the QoS
// class, the resize conditions and each container's allocated and applied
// resources.
func trimPod(p *corev1.Pod) *corev1.Pod {
	meta := trimMeta(p.ObjectMeta)
	meta.Generation = p.Generation
	if h, ok := p.Labels[appsv1.DefaultDeploymentUniqueLabelKey]; ok {
		meta.Labels = map[string]string{appsv1.DefaultDeploymentUniqueLabelKey: h}
	}
	out := &corev1.Pod{
		ObjectMeta: meta,
		Spec:       corev1.PodSpec{NodeName: p.Spec.NodeName, Containers: trimContainers(p.Spec.Containers)},
		Status: corev1.PodStatus{
			Phase:              p.Status.Phase,
			PodIP:              p.Status.PodIP,
			StartTime:          p.Status.StartTime,
			Reason:             p.Status.Reason,
			QOSClass:           p.Status.QOSClass,
			ObservedGeneration: p.Status.ObservedGeneration,
		},
	}
	for _, c := range p.Status.Conditions {
		switch c.Type {
		case corev1.PodReady:
			out.Status.Conditions = append(out.Status.Conditions, corev1.PodCondition{Type: c.Type, Status: c.Status, LastTransitionTime: c.LastTransitionTime})
		case corev1.PodResizePending, corev1.PodResizeInProgress:
			out.Status.Conditions = append(out.Status.Conditions, corev1.PodCondition{Type: c.Type, Status: c.Status,
				Reason: c.Reason, Message: c.Message, ObservedGeneration: c.ObservedGeneration})
		}
	}
	out.Status.ContainerStatuses = make([]corev1.ContainerStatus, len(p.Status.ContainerStatuses))
	for i, s := range p.Status.ContainerStatuses {
		out.Status.ContainerStatuses[i] = corev1.ContainerStatus{
			Name:                 s.Name,
			Ready:                s.Ready,
			RestartCount:         s.RestartCount,
			State:                s.State,
			LastTerminationState: s.LastTerminationState,
			ImageID:              s.ImageID,
			AllocatedResources:   lists.intern(s.AllocatedResources),
		}
		if r := s.Resources; r != nil {
			out.Status.ContainerStatuses[i].Resources = &corev1.ResourceRequirements{Requests: lists.intern(r.Requests), Limits: lists.intern(r.Limits)}
		}
	}
	return out
}

// lists interns the requests and limits of the cached containers: the pods
// of one template have the same ones, and a ResourceList is a map of
// Quantities, about 700 bytes, so ten thousand pods kept 14 MB of copies.
// Cached objects are read-only, so sharing is safe.
var lists = &resourceLists{m: map[string]corev1.ResourceList{}}

// resourceLists is a bounded intern table of ResourceLists.
type resourceLists struct {
	mu sync.Mutex
	m  map[string]corev1.ResourceList
}

// internMax bounds the table; past it, it starts again (lists interned
// before stay shared by the objects that have them).
const internMax = 4096

func (r *resourceLists) intern(l corev1.ResourceList) corev1.ResourceList {
	if len(l) == 0 {
		return l
	}
	names := make([]string, 0, len(l))
	for n := range l {
		names = append(names, string(n))
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		q := l[corev1.ResourceName(n)]
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(q.String())
		b.WriteByte(';')
	}
	key := b.String()
	r.mu.Lock()
	defer r.mu.Unlock()
	if shared, ok := r.m[key]; ok {
		return shared
	}
	if len(r.m) >= internMax {
		clear(r.m)
	}
	r.m[key] = l
	return l
}
