// Package model holds the plain types of what kgotop observed in a namespace:
// workloads, their containers with spec and status, usage history, probe
// failures and events, and the health of the data sources, with the words
// the dashboard and the report both say them in (summary.go: each fact a
// Cell with a Level, which each front end styles). It has no client code;
// internal/collect fills it and internal/advisor, internal/ui and
// internal/report read it.
package model

import (
	"time"
)

// Kind names the kind of object that owns a set of pods.
type Kind string

// The workload kinds kgotop resolves pods to.
const (
	KindDeployment  Kind = "Deployment"
	KindStatefulSet Kind = "StatefulSet"
	KindDaemonSet   Kind = "DaemonSet"
	KindJob         Kind = "Job"
	KindCronJob     Kind = "CronJob"
	KindReplicaSet  Kind = "ReplicaSet" // a ReplicaSet with no Deployment above it
	KindPod         Kind = "Pod"        // a bare pod with no controller
)

// Short returns the abbreviation kubectl users know for the kind.
func (k Kind) Short() string {
	switch k {
	case KindDeployment:
		return "deploy"
	case KindStatefulSet:
		return "sts"
	case KindDaemonSet:
		return "ds"
	case KindJob:
		return "job"
	case KindCronJob:
		return "cronjob"
	case KindReplicaSet:
		return "rs"
	case KindPod:
		return "pod"
	}
	return string(k)
}

// WorkloadRef identifies a workload.
type WorkloadRef struct {
	Kind      Kind
	Namespace string
	Name      string
}

// String returns "kind/namespace/name".
func (r WorkloadRef) String() string {
	return r.Kind.Short() + "/" + r.Namespace + "/" + r.Name
}

// Workload is one controller (or bare pod) with the pods it owns and the
// containers of its pod template.
type Workload struct {
	Ref WorkloadRef
	// Desired is the replica count the controller asks for (1 for a bare pod).
	Desired int32
	// Ready counts pods whose Ready condition is true.
	Ready int32
	// Pods are the pods resolved to this workload, sorted by name.
	Pods []Pod
	// Containers are the template's containers in spec order, each with
	// the status of its instances in Pods and its usage history.
	Containers []Container
	// HPA is the HorizontalPodAutoscaler that targets the workload, if any.
	HPA *HPA
	// Events are warnings about the workload or its pods that no container
	// owns (FailedScheduling, FailedCreate, ...), newest first.
	Events []Event
	// UpdateStrategy is a StatefulSet's or DaemonSet's updateStrategy type
	// (RollingUpdate, OnDelete) or a Deployment's strategy (RollingUpdate,
	// Recreate); "" when unknown.
	UpdateStrategy string
	// Partition is a StatefulSet's rollingUpdate.partition: a rolling
	// update replaces only the pods whose ordinal is at least this; 0 when
	// none is set.
	Partition int32
	// Changes are the changes kgotop applied to the workload, newest first
	// (see AppliedChange).
	Changes []AppliedChange
	// Rev identifies what the workload was built from: two snapshots of one
	// collector that hold a workload with the same non-zero Rev hold the
	// same workload, so what was computed from it may be kept. 0 means
	// unknown (a hand-built workload): nothing may be kept.
	Rev uint64
}

// Pod is one pod of a workload.
type Pod struct {
	Name    string
	Node    string
	Phase   string
	Ready   bool
	Created time.Time
	// Started is status.startTime; ReadySince is when the Ready condition last
	// turned true (zero when not ready). Their difference is the start-to-ready time.
	Started    time.Time
	ReadySince time.Time
	// RunStarted is when the pod's containers last (re)started: the latest
	// running startedAt. After a restart, readiness counts from there.
	RunStarted time.Time
	// Annotations holds only the annotations kgotop reads (prometheus.io/*).
	Annotations map[string]string
	// IP is the pod IP, used to reach its metrics through the pod proxy.
	IP string
	// UID tells a pod from one made again under its name.
	UID string
	// QoS is status.qosClass (BestEffort, Burstable, Guaranteed).
	QoS string
	// Resize is the pod's in-place resize state.
	Resize PodResize
}

// StartToReady returns how long the pod's current run took from start to
// ready, or 0 when unknown: from the pod's start, or from its containers'
// last restart when they restarted since.
func (p Pod) StartToReady() time.Duration {
	from := p.Started
	if p.RunStarted.After(from) {
		from = p.RunStarted
	}
	if from.IsZero() || p.ReadySince.IsZero() || p.ReadySince.Before(from) {
		return 0
	}
	return p.ReadySince.Sub(from)
}

// Container is one container of a workload's pod template together with the
// observed state of its instances across replicas.
type Container struct {
	Name      string
	Image     string
	Resources Resources
	Env       []EnvVar
	Probes    Probes
	Ports     []Port
	// Instances holds the container's status in each pod, in Pods order.
	Instances []ContainerInstance
	// ProbeFailures counts the kubelet's probe failure events per probe type.
	ProbeFailures []ProbeFailure
	// Events are the kubelet's other warnings for this container (BackOff, ...), newest first.
	Events []Event
	// Killings are the kubelet's Killing events for this container (Normal:
	// a probe's kill, a stop), newest first: which pod's run they ended.
	Killings []Event
	// Usage is the usage history of this container across all replicas.
	// It is nil when no metrics were ever seen.
	Usage *History
	// Go is what kgotop knows about the Go runtime inside the container.
	Go GoInfo
	// RestartOnResize marks the resources whose resizePolicy is
	// RestartContainer: resizing them in place restarts the container.
	RestartOnResize ResourceFlags
	// Past is what a store of metrics (Prometheus) tells of the
	// container's past beyond usage: OOM kills, restarts, throttling. Nil
	// when none was read.
	Past *PastEvents
}

// Resources are a container's requests and limits. CPU is in millicores,
// memory in bytes; zero means not set.
type Resources struct {
	Requests ResourceList
	Limits   ResourceList
	// Implied marks requests the pod template leaves out while it sets the
	// limit: the API server makes each pod's request the limit, and
	// Requests holds that value.
	Implied ResourceFlags
}

// ResourceFlags holds a yes or no for CPU and for memory.
type ResourceFlags struct {
	CPU, Memory bool
}

// ResourceList is an amount of CPU (millicores) and memory (bytes); zero means not set.
type ResourceList struct {
	CPU    int64
	Memory int64
}

// Port is a container port.
type Port struct {
	Name     string
	Port     int32
	Protocol string
}

// EnvVar is one environment variable of a container spec: Value holds a
// literal value, From the valueFrom source when the value is not literal.
type EnvVar struct {
	Name  string
	Value string
	From  *EnvSource
}

// EnvSourceKind names the kind of a valueFrom source.
type EnvSourceKind string

// The valueFrom sources of an env var.
const (
	EnvResourceField EnvSourceKind = "resourceFieldRef"
	EnvField         EnvSourceKind = "fieldRef"
	EnvSecretKey     EnvSourceKind = "secretKeyRef"
	EnvConfigMapKey  EnvSourceKind = "configMapKeyRef"
)

// EnvSource is where an env var's valueFrom takes its value.
type EnvSource struct {
	Kind EnvSourceKind
	// Resource is a resourceFieldRef's resource ("limits.memory") or a
	// fieldRef's field path ("metadata.name").
	Resource string
	// Divisor is a resourceFieldRef's divisor as a quantity ("1Mi"), "" when
	// it is 1: the value is then the amount in bytes or cores.
	Divisor string
	// Name and Key are a Secret's or ConfigMap's name and key.
	Name, Key string
}

// String describes the source for people: "resourceFieldRef limits.memory
// divisor 1Mi", "secretKeyRef db/pool".
func (s EnvSource) String() string {
	switch s.Kind {
	case EnvResourceField, EnvField:
		out := string(s.Kind) + " " + s.Resource
		if s.Divisor != "" {
			out += " divisor " + s.Divisor
		}
		return out
	case EnvSecretKey, EnvConfigMapKey:
		return string(s.Kind) + " " + s.Name + "/" + s.Key
	}
	return "valueFrom"
}

// FromLimit reports whether the source is the container's own limit of the
// named resource ("memory", "cpu") through the downward API.
func (s *EnvSource) FromLimit(resource string) bool {
	return s != nil && s.Kind == EnvResourceField && s.Resource == "limits."+resource
}

// LookupEnv returns the named variable and whether the spec sets it.
func (c Container) LookupEnv(name string) (EnvVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return EnvVar{}, false
}

// RestartCount returns the sum of restarts across instances.
func (c Container) RestartCount() int32 {
	var n int32
	for _, in := range c.Instances {
		n += in.RestartCount
	}
	return n
}

// Down reports whether none of the pods the workload wants is ready: it
// serves nothing. Within one urgency of advice, a workload that is down
// sorts first (the table and the report).
func (w Workload) Down() bool { return w.Desired > 0 && w.Ready == 0 }

// PodRestarts returns the restarts of each of w's pods, its containers'
// summed (0 for a pod with no container reported).
func (w Workload) PodRestarts() map[string]int32 {
	out := make(map[string]int32, len(w.Pods))
	for _, p := range w.Pods {
		out[p.Name] = 0
	}
	for _, c := range w.Containers {
		for _, in := range c.Instances {
			out[in.Pod] += in.RestartCount
		}
	}
	return out
}

// LastTermination returns the most recent termination across instances, or nil.
func (c Container) LastTermination() *Termination {
	var last *Termination
	for i := range c.Instances {
		t := c.Instances[i].LastTermination
		if t != nil && (last == nil || t.FinishedAt.After(last.FinishedAt)) {
			last = t
		}
	}
	return last
}

// Terminations counts the instances whose last termination had the given reason.
func (c Container) Terminations(reason string) int {
	n := 0
	for _, in := range c.Instances {
		if in.LastTermination != nil && in.LastTermination.Reason == reason {
			n++
		}
	}
	return n
}

// Waiting returns the first waiting reason among instances ("CrashLoopBackOff", ...), or "".
func (c Container) Waiting() string {
	for _, in := range c.Instances {
		if in.Waiting != "" {
			return in.Waiting
		}
	}
	return ""
}

// ContainerInstance is a container's status in one pod.
type ContainerInstance struct {
	Pod          string
	Ready        bool
	RestartCount int32
	// StartedAt is when the current run started (zero if not running).
	StartedAt time.Time
	// Waiting is the current waiting reason (CrashLoopBackOff, ImagePullBackOff, ...).
	Waiting        string
	WaitingMessage string
	// LastTermination is lastState.terminated, or state.terminated when the
	// container is terminated now.
	LastTermination *Termination
	// ImageID is the resolved image digest reported by the kubelet.
	ImageID string
	// Usage is the latest metrics sample of this instance, if any.
	Usage *Sample
	// Resources are what the pod's container asks for, was allocated and runs with.
	Resources ContainerResources
}

// Termination is how a container run ended.
type Termination struct {
	Reason     string
	ExitCode   int32
	Signal     int32
	Message    string
	StartedAt  time.Time
	FinishedAt time.Time
}

// Event is a summarised Kubernetes event.
type Event struct {
	Type      string // Warning or Normal
	Reason    string
	Message   string
	Count     int32
	LastSeen  time.Time
	Object    string // "Pod/name", "Deployment/name", ...
	Container string
}
