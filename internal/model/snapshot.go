package model

import (
	"time"
)

// Snapshot is everything kgotop knows about a namespace at one moment. It is
// a value: the collector hands out a fresh one and never changes it afterwards.
type Snapshot struct {
	Taken time.Time
	// Context is the kubeconfig context; Namespace is "" for all namespaces.
	Context   string
	Namespace string
	Selector  string
	// Workloads are sorted by namespace, then kind, then name.
	Workloads []Workload
	Sources   Sources
}

// Sources tells how complete and fresh a snapshot is.
type Sources struct {
	// Synced is true once every available resource has been listed once.
	Synced  bool
	API     APIStatus
	Metrics MetricsStatus
	// Unavailable lists what kgotop may not read, and why.
	Unavailable []Unavailable
	// InPlaceResize is true when the API server serves the pods/resize
	// subresource: running pods' CPU and memory can change in place.
	InPlaceResize bool
}

// APIStatus is the health of the connection to the API server.
type APIStatus struct {
	// Live is false while the API server cannot be reached; StaleSince is
	// when that began. The last state is kept meanwhile.
	Live       bool
	StaleSince time.Time
	Error      string
}

// MetricsState says whether metrics.k8s.io can be read.
type MetricsState string

// The states of the metrics API.
const (
	MetricsUnknown     MetricsState = "unknown"
	MetricsAvailable   MetricsState = "available"
	MetricsUnavailable MetricsState = "unavailable"
)

// MetricsStatus is the health of the metrics pipeline as kgotop sees it.
type MetricsStatus struct {
	State MetricsState
	// Reason says why metrics are unavailable, in one line, with what to do.
	Reason string
	// Newest is the timestamp of the newest sample; Window the metrics
	// pipeline's window (metrics-server's resolution); Interval how often kgotop polls.
	Newest   time.Time
	Window   time.Duration
	Interval time.Duration
	// Polls counts metrics lists made; Windows counts distinct windows ingested.
	Polls   int
	Windows int
}

// Unavailable names a resource kgotop may not read.
type Unavailable struct {
	Group    string
	Resource string
	Verb     string
	Message  string
}

// String returns "list events" or "list horizontalpodautoscalers.autoscaling".
func (u Unavailable) String() string {
	r := u.Resource
	if u.Group != "" {
		r += "." + u.Group
	}
	return u.Verb + " " + r
}

// Counts returns the number of workloads and containers in the snapshot.
func (s Snapshot) Counts() (workloads, containers int) {
	for _, w := range s.Workloads {
		containers += len(w.Containers)
	}
	return len(s.Workloads), containers
}
