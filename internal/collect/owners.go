package collect

import (
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kgotop/kgotop/internal/model"
)

// owners resolves pods to the workloads that own them: ReplicaSet ->
// Deployment, Job -> CronJob, StatefulSet, DaemonSet; bare pods stand alone.
type owners struct {
	// rsOwner and jobOwner map "namespace/name" to the owner above a
	// ReplicaSet or a Job; a present key with an empty ref means "no owner".
	rsOwner  map[string]model.WorkloadRef
	jobOwner map[string]model.WorkloadRef
}

func newOwners(rs, jobs []any) *owners {
	o := &owners{
		rsOwner:  make(map[string]model.WorkloadRef, len(rs)),
		jobOwner: make(map[string]model.WorkloadRef, len(jobs)),
	}
	for _, obj := range rs {
		r := obj.(*appsv1.ReplicaSet)
		o.rsOwner[r.Namespace+"/"+r.Name] = refOf(r.Namespace, metav1.GetControllerOf(r))
	}
	for _, obj := range jobs {
		j := obj.(*batchv1.Job)
		o.jobOwner[j.Namespace+"/"+j.Name] = refOf(j.Namespace, metav1.GetControllerOf(j))
	}
	return o
}

func refOf(ns string, c *metav1.OwnerReference) model.WorkloadRef {
	if c == nil {
		return model.WorkloadRef{}
	}
	return model.WorkloadRef{Kind: model.Kind(c.Kind), Namespace: ns, Name: c.Name}
}

// workloadOf returns the workload that owns the pod.
func (o *owners) workloadOf(p *corev1.Pod) model.WorkloadRef {
	c := metav1.GetControllerOf(p)
	if c == nil {
		return model.WorkloadRef{Kind: model.KindPod, Namespace: p.Namespace, Name: p.Name}
	}
	ref := refOf(p.Namespace, c)
	switch ref.Kind {
	case model.KindReplicaSet:
		return o.aboveReplicaSet(ref, p.Labels[appsv1.DefaultDeploymentUniqueLabelKey])
	case model.KindJob:
		if up, ok := o.jobOwner[p.Namespace+"/"+ref.Name]; ok && up.Kind != "" {
			return up
		}
	}
	return ref
}

// aboveReplicaSet returns the Deployment above a ReplicaSet. When
// ReplicaSets cannot be read (forbidden, or not seen yet), a ReplicaSet named
// "<deployment>-<pod-template-hash>" is taken to belong to that Deployment.
func (o *owners) aboveReplicaSet(rs model.WorkloadRef, hash string) model.WorkloadRef {
	if up, ok := o.rsOwner[rs.Namespace+"/"+rs.Name]; ok {
		if up.Kind != "" {
			return up
		}
		return rs
	}
	if hash != "" && strings.HasSuffix(rs.Name, "-"+hash) {
		return model.WorkloadRef{Kind: model.KindDeployment, Namespace: rs.Namespace, Name: strings.TrimSuffix(rs.Name, "-"+hash)}
	}
	return rs
}

// ofObject returns the workload an event's involved object belongs to, if
// the object is a workload or one of its ReplicaSets.
func (o *owners) ofObject(ns string, ref corev1.ObjectReference) (model.WorkloadRef, bool) {
	switch model.Kind(ref.Kind) {
	case model.KindDeployment, model.KindStatefulSet, model.KindDaemonSet, model.KindCronJob:
		return model.WorkloadRef{Kind: model.Kind(ref.Kind), Namespace: ns, Name: ref.Name}, true
	case model.KindReplicaSet:
		return o.aboveReplicaSet(model.WorkloadRef{Kind: model.KindReplicaSet, Namespace: ns, Name: ref.Name}, ""), true
	case model.KindJob:
		if up, ok := o.jobOwner[ns+"/"+ref.Name]; ok && up.Kind != "" {
			return up, true
		}
		return model.WorkloadRef{Kind: model.KindJob, Namespace: ns, Name: ref.Name}, true
	}
	return model.WorkloadRef{}, false
}
