package model

// This file holds what a pod says of in-place resize (KEP-1287, GA in
// Kubernetes 1.35): the generation its spec is at and the one the kubelet
// has seen, its resize conditions, and per container what it asks for,
// what the kubelet allocated and what runs.

// The pod QoS classes.
const (
	QoSBestEffort = "BestEffort"
	QoSBurstable  = "Burstable"
	QoSGuaranteed = "Guaranteed"
)

// The reasons of a resize condition.
const (
	// ResizeDeferred: the node has no room for it now; the kubelet retries.
	ResizeDeferred = "Deferred"
	// ResizeInfeasible: the node cannot do it at all (policy or size).
	ResizeInfeasible = "Infeasible"
	// ResizeError: the kubelet failed to apply it (a memory limit below
	// what the container uses, ...); it retries.
	ResizeError = "Error"
)

// Condition is a pod condition kgotop reads: its reason and message, and
// the pod generation it was set for.
type Condition struct {
	Reason             string
	Message            string
	ObservedGeneration int64
}

// PodResize is a pod's resize state.
type PodResize struct {
	// Generation is metadata.generation: a resize moves it on.
	// ObservedGeneration is status.observedGeneration: the generation the
	// kubelet has acted on (0 when the kubelet does not report it).
	Generation, ObservedGeneration int64
	// Pending is PodResizePending (reason Deferred or Infeasible);
	// InProgress is PodResizeInProgress (reason "" while applying, Error
	// when it failed). nil when the pod does not have the condition.
	Pending, InProgress *Condition
}

// Settled reports whether the kubelet has acted on the pod's newest spec
// and no resize is pending or in progress: a resize asked for is done.
func (r PodResize) Settled() bool {
	return r.ObservedGeneration >= r.Generation && r.Pending == nil && r.InProgress == nil
}

// ContainerResources is what one container of a running pod asks for and
// gets: Spec is the pod's own spec (after the API server's defaults, so a
// request left out holds the limit), Allocated the requests the kubelet
// allocated (status.containerStatuses[].allocatedResources) and Applied
// what runs (status.containerStatuses[].resources); nil when the kubelet
// reports none.
type ContainerResources struct {
	Spec      Resources
	Allocated *ResourceList
	Applied   *Resources
}

// QoS returns the QoS class of a pod whose containers have the given
// resources (requests as the pod has them, a left-out request holding its
// limit), as the API server computes it for CPU and memory: no request or
// limit at all is BestEffort; a limit on both and every request equal to
// its limit is Guaranteed; anything else Burstable.
func QoS(rs []Resources) string {
	any, all := false, len(rs) > 0
	for _, r := range rs {
		if r.Requests != (ResourceList{}) || r.Limits != (ResourceList{}) {
			any = true
		}
		if r.Limits.CPU == 0 || r.Limits.Memory == 0 || r.Requests != r.Limits {
			all = false
		}
	}
	switch {
	case !any:
		return QoSBestEffort
	case all:
		return QoSGuaranteed
	}
	return QoSBurstable
}
