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

	// Past is the store of metrics kgotop reads the past from.
	Past PastStatus
}

// PastState says how reading the past from a store of metrics goes.
type PastState string

// The states of the history store. The zero value is PastOff.
const (
	// PastOff: not asked for (--prometheus off, the demo), or no store found.
	PastOff PastState = ""
	// PastLoading: looking for the store or reading it.
	PastLoading PastState = "loading"
	// PastLoaded: the past was read and feeds the advice.
	PastLoaded PastState = "loaded"
	// PastUnavailable: the store could not be read; advice rests on live samples.
	PastUnavailable PastState = "unavailable"
)

// PastStatus is the state of the store of metrics (Prometheus) kgotop
// reads history from.
type PastStatus struct {
	State PastState
	// Source names the store: "Prometheus (monitoring/prometheus-operated)",
	// "Prometheus at http://127.0.0.1:9090".
	Source string
	// Reason says in one line why the store is off or unavailable, or
	// what is loading.
	Reason string
	// NoStore is true when kgotop looked for a store and none was there:
	// the history is live only, which is how many clusters are, not a
	// failure to show as one.
	NoStore bool
	// Range is how far back kgotop reads; Loaded is when the read ended.
	Range  time.Duration
	Loaded time.Time
	// Containers counts the workload containers the past was found for.
	Containers int
	// Live is false while the store does not answer after the past was
	// read; StaleSince is when that began and Error why.
	Live       bool
	StaleSince time.Time
	Error      string
	// Warnings are the store's warnings of a partial answer.
	Warnings []string
	// Queries and Bytes count the queries sent and the bytes of their answers.
	Queries int
	Bytes   int64
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
