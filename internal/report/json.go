package report

import (
	"encoding/json"
	"io"
	"math"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// The JSON report's shape is part of kgotop's interface: fields are added,
// never renamed or removed, and SchemaVersion changes if that ever must
// happen. CPU is in millicores, memory in bytes, durations in seconds;
// absent values are omitted. Advice and patches use internal/advisor's
// JSON names. README.md documents the shape.

// SchemaVersion is the version of the JSON report's shape.
const SchemaVersion = 1

// JSONReport is the top level of `kgotop --report -o json`.
type JSONReport struct {
	SchemaVersion int            `json:"schema_version"`
	Generated     time.Time      `json:"generated"`
	Context       string         `json:"context,omitempty"`
	Namespace     string         `json:"namespace"` // "" for all namespaces
	Selector      string         `json:"selector,omitempty"`
	Sources       JSONSources    `json:"sources"`
	Workloads     []JSONWorkload `json:"workloads"`
	// AppliedChanges are the changes kgotop applied from the dashboard
	// that it still keeps, newest first (changes.go).
	AppliedChanges []JSONChange `json:"applied_changes,omitempty"`
	Summary        JSONSummary  `json:"summary"`
}

// JSONSummary counts what the report holds.
type JSONSummary struct {
	Workloads  int `json:"workloads"`
	Containers int `json:"containers"`
	Critical   int `json:"critical"`
	Warning    int `json:"warning"`
	Info       int `json:"info"`
}

// JSONSources tells how complete the data is.
type JSONSources struct {
	Synced         bool      `json:"synced"`
	APILive        bool      `json:"api_live"`
	APIStaleSince  time.Time `json:"api_stale_since,omitzero"`
	APIError       string    `json:"api_error,omitempty"`
	Metrics        string    `json:"metrics"` // available, unavailable, unknown
	MetricsReason  string    `json:"metrics_reason,omitempty"`
	MetricsNewest  time.Time `json:"metrics_newest,omitzero"`
	MetricsWindowS float64   `json:"metrics_window_seconds,omitempty"`
	MetricsWindows int       `json:"metrics_windows"`
	Forbidden      []string  `json:"forbidden,omitempty"` // "list events"
	// History is the store of metrics the past was read from (Prometheus);
	// absent when none was asked for (the demo).
	History *JSONHistory `json:"history,omitempty"`
}

// JSONHistory is the state of the store of metrics kgotop reads the past from.
type JSONHistory struct {
	State      string    `json:"state"`            // off, loading, loaded, unavailable
	Source     string    `json:"source,omitempty"` // "Prometheus (monitoring/prometheus-operated)"
	Reason     string    `json:"reason,omitempty"`
	RangeS     float64   `json:"range_seconds,omitempty"`
	Containers int       `json:"containers"`
	Live       bool      `json:"live"`
	StaleSince time.Time `json:"stale_since,omitzero"`
	Error      string    `json:"error,omitempty"`
	Warnings   []string  `json:"warnings,omitempty"`
	Queries    int       `json:"queries"`
	Bytes      int64     `json:"bytes"`
}

// jsonHistory converts the history store's status, nil when it is off
// with nothing to say.
func jsonHistory(p model.PastStatus) *JSONHistory {
	state := string(p.State)
	if p.State == model.PastOff {
		if p.Reason == "" {
			return nil
		}
		state = "off"
	}
	return &JSONHistory{State: state, Source: p.Source, Reason: p.Reason, RangeS: p.Range.Seconds(), Containers: p.Containers,
		Live: p.Live, StaleSince: p.StaleSince, Error: p.Error, Warnings: p.Warnings, Queries: p.Queries, Bytes: p.Bytes}
}

// JSONWorkload is one workload.
type JSONWorkload struct {
	Kind       string          `json:"kind"`
	Namespace  string          `json:"namespace"`
	Name       string          `json:"name"`
	Desired    int32           `json:"desired"`
	Ready      int32           `json:"ready"`
	Pods       []string        `json:"pods"`
	HPA        *JSONHPA        `json:"hpa,omitempty"`
	Events     []JSONEvent     `json:"events,omitempty"`
	Containers []JSONContainer `json:"containers"`
	// Advice is the advisor's output for the workload (see internal/advisor:
	// Advice); Patch applies its patchable part, NoPatch says why there is none.
	Advice  []advisor.Advice `json:"advice,omitempty"`
	Patch   *advisor.Patch   `json:"patch,omitempty"`
	NoPatch string           `json:"no_patch,omitempty"`
	// ResizeCommands resize the running pods in place, each in turn, before
	// the patch, when it answers an emergency (an OOMKill's raise) and the
	// pods can take it without a restart.
	ResizeCommands []string `json:"resize_commands,omitempty"`
}

// JSONHPA is the autoscaler of a workload.
type JSONHPA struct {
	Name                     string `json:"name"`
	MinReplicas              int32  `json:"min_replicas"`
	MaxReplicas              int32  `json:"max_replicas"`
	CurrentReplicas          int32  `json:"current_replicas"`
	CPUTargetUtilization     int32  `json:"cpu_target_utilization,omitempty"`
	CPUCurrentUtilization    int32  `json:"cpu_current_utilization,omitempty"`
	MemoryTargetUtilization  int32  `json:"memory_target_utilization,omitempty"`
	MemoryCurrentUtilization int32  `json:"memory_current_utilization,omitempty"`
}

// JSONContainer is one container of a workload, across its replicas.
type JSONContainer struct {
	Name  string `json:"name"`
	Image string `json:"image"`
	// Requests and limits: CPU millicores, memory bytes; 0 = not set.
	CPURequest    int64 `json:"cpu_request_millicores"`
	CPULimit      int64 `json:"cpu_limit_millicores"`
	MemoryRequest int64 `json:"memory_request_bytes"`
	MemoryLimit   int64 `json:"memory_limit_bytes"`
	// Usage: the largest current value across replicas, and the peaks seen.
	Usage          *JSONUsage        `json:"usage,omitempty"`
	Env            map[string]string `json:"go_env,omitempty"` // GOGC, GOMEMLIMIT, GOMAXPROCS, GODEBUG
	Go             JSONGo            `json:"go"`
	Restarts       int32             `json:"restarts"`
	Waiting        string            `json:"waiting,omitempty"`
	LastTerminated *JSONTermination  `json:"last_terminated,omitempty"`
	ProbeFailures  []JSONProbe       `json:"probe_failures,omitempty"`
	Events         []JSONEvent       `json:"events,omitempty"`
}

// JSONUsage is a container's usage: now (absent when no replica has a
// current sample) and over the history kept.
type JSONUsage struct {
	CPUMillicores *int64  `json:"cpu_millicores,omitempty"`
	MemoryBytes   *int64  `json:"memory_bytes,omitempty"`
	CPUPeak       int64   `json:"cpu_peak_millicores"`
	MemoryPeak    int64   `json:"memory_peak_bytes"`
	Samples       int64   `json:"samples"`
	SpanSeconds   float64 `json:"span_seconds"`
	// CPU percentiles and the P90 of the memory peaks (one per replica per
	// day), as the advice reads them; Source says where the history came
	// from when part of it was read from Prometheus.
	CPUP50        int64  `json:"cpu_p50_millicores,omitempty"`
	CPUP90        int64  `json:"cpu_p90_millicores,omitempty"`
	CPUP95        int64  `json:"cpu_p95_millicores,omitempty"`
	MemoryPeakP90 int64  `json:"memory_peak_p90_bytes,omitempty"`
	Source        string `json:"history_source,omitempty"`
}

// JSONGo is what kgotop knows of the Go runtime.
type JSONGo struct {
	Detection string `json:"detection"` // confirmed, likely, unknown
	Version   string `json:"version,omitempty"`
	Evidence  string `json:"evidence,omitempty"`
	// Runtime is what the container's /metrics page said; ScrapeError why
	// it could not be read (or why the newest read failed).
	Runtime     *JSONGoRuntime `json:"runtime,omitempty"`
	ScrapeError string         `json:"scrape_error,omitempty"`
}

// JSONTermination is the last way a container ended.
type JSONTermination struct {
	Reason   string    `json:"reason"`
	ExitCode int32     `json:"exit_code"`
	Finished time.Time `json:"finished,omitzero"`
}

// JSONProbe counts a probe's failures.
type JSONProbe struct {
	Probe       string    `json:"probe"`
	Failures    int32     `json:"failures"`
	Kills       int32     `json:"kills,omitempty"`
	LastMessage string    `json:"last_message,omitempty"`
	LastSeen    time.Time `json:"last_seen,omitzero"`
}

// JSONEvent is a summarised event.
type JSONEvent struct {
	Type     string    `json:"type"`
	Reason   string    `json:"reason"`
	Message  string    `json:"message"`
	Count    int32     `json:"count"`
	LastSeen time.Time `json:"last_seen,omitzero"`
	Object   string    `json:"object"`
}

// NewJSONReport converts a snapshot into the JSON report's shape.
func NewJSONReport(s model.Snapshot, advice []advisor.Advice) JSONReport {
	m := s.Sources.Metrics
	r := JSONReport{
		SchemaVersion: SchemaVersion,
		Generated:     s.Taken.UTC(),
		Context:       s.Context,
		Namespace:     s.Namespace,
		Selector:      s.Selector,
		Sources: JSONSources{
			Synced: s.Sources.Synced, APILive: s.Sources.API.Live, APIStaleSince: s.Sources.API.StaleSince, APIError: s.Sources.API.Error,
			Metrics: string(m.State), MetricsReason: m.Reason, MetricsNewest: m.Newest, MetricsWindowS: m.Window.Seconds(), MetricsWindows: m.Windows,
			History: jsonHistory(s.Sources.Past),
		},
		Workloads: []JSONWorkload{},
	}
	for _, u := range s.Sources.Unavailable {
		r.Sources.Forbidden = append(r.Sources.Forbidden, u.String())
	}
	for _, w := range s.Workloads {
		jw := JSONWorkload{Kind: string(w.Ref.Kind), Namespace: w.Ref.Namespace, Name: w.Ref.Name, Desired: w.Desired, Ready: w.Ready, Pods: []string{}}
		for _, p := range w.Pods {
			jw.Pods = append(jw.Pods, p.Name)
		}
		if h := w.HPA; h != nil {
			jh := &JSONHPA{Name: h.Name, MinReplicas: h.MinReplicas, MaxReplicas: h.MaxReplicas, CurrentReplicas: h.CurrentReplicas}
			for _, m := range h.Metrics {
				switch m.Resource {
				case "cpu":
					jh.CPUTargetUtilization, jh.CPUCurrentUtilization = m.TargetUtilization, m.CurrentUtilization
				case "memory":
					jh.MemoryTargetUtilization, jh.MemoryCurrentUtilization = m.TargetUtilization, m.CurrentUtilization
				}
			}
			jw.HPA = jh
		}
		jw.Events = jsonEvents(w.Events)
		for _, c := range w.Containers {
			jw.Containers = append(jw.Containers, jsonContainer(c))
		}
		r.Workloads = append(r.Workloads, jw)
	}
	for _, wa := range adviceByWorkload(s, advice) {
		for i := range r.Workloads {
			if jw := &r.Workloads[i]; jw.Kind == string(wa.w.Ref.Kind) && jw.Namespace == wa.w.Ref.Namespace && jw.Name == wa.w.Ref.Name {
				jw.Advice, jw.Patch, jw.NoPatch = wa.advice, wa.patch, wa.noPatch
				if emergencyRaise(wa) {
					jw.ResizeCommands = runbookFor(wa.w, *wa.patch, true).resizes()
				}
			}
		}
	}
	r.AppliedChanges = jsonChanges(s)
	r.Summary.Workloads, r.Summary.Containers = s.Counts()
	r.Summary.Critical, r.Summary.Warning, r.Summary.Info = severityCounts(advice)
	return r
}

func jsonContainer(c model.Container) JSONContainer {
	jc := JSONContainer{
		Name: c.Name, Image: c.Image,
		CPURequest: c.Resources.Requests.CPU, CPULimit: c.Resources.Limits.CPU,
		MemoryRequest: c.Resources.Requests.Memory, MemoryLimit: c.Resources.Limits.Memory,
		Go: JSONGo{Detection: string(c.Go.Detection), Version: c.Go.Version, Evidence: c.Go.Evidence,
			Runtime: jsonRuntime(c.Go.Runtime), ScrapeError: c.Go.ScrapeProblem.String()},
		Restarts: c.RestartCount(),
		Waiting:  c.Waiting(),
		Events:   jsonEvents(c.Events),
	}
	for _, name := range []string{"GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG"} {
		if e, ok := c.LookupEnv(name); ok {
			if jc.Env == nil {
				jc.Env = map[string]string{}
			}
			jc.Env[name] = e.Value
			if e.From != nil {
				jc.Env[name] = "(" + e.From.String() + ")"
			}
		}
	}
	if cpu, mem := c.UsageNow(); cpu.Known || c.Usage != nil {
		u := &JSONUsage{}
		if cpu.Known {
			u.CPUMillicores, u.MemoryBytes = &cpu.Used, &mem.Used
		}
		if h := c.Usage; h != nil {
			u.CPUPeak, u.MemoryPeak, u.Samples, u.SpanSeconds = h.CPUPeak.Value, h.MemoryPeak.Value, h.Samples, h.Span().Seconds()
			u.percentiles(h)
		}
		jc.Usage = u
	}
	if t := c.LastTermination(); t != nil {
		jc.LastTerminated = &JSONTermination{Reason: t.Reason, ExitCode: t.ExitCode, Finished: t.FinishedAt}
	}
	for _, pf := range c.ProbeFailures {
		jc.ProbeFailures = append(jc.ProbeFailures, JSONProbe{Probe: string(pf.Probe), Failures: pf.Count, Kills: pf.Kills, LastMessage: pf.LastMessage, LastSeen: pf.LastSeen})
	}
	return jc
}

func jsonEvents(evs []model.Event) []JSONEvent {
	var out []JSONEvent
	for _, e := range evs {
		out = append(out, JSONEvent{Type: e.Type, Reason: e.Reason, Message: e.Message, Count: e.Count, LastSeen: e.LastSeen, Object: e.Object})
	}
	return out
}

func writeJSON(w io.Writer, s model.Snapshot, advice []advisor.Advice) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewJSONReport(s, advice))
}

// percentiles fills in the usage's percentiles from its history.
func (u *JSONUsage) percentiles(h *model.History) {
	cpu := func(p float64) int64 {
		return int64(math.Ceil(h.CPU.CappedPercentile(p, float64(h.CPUPeak.Value)/1000) * 1000))
	}
	u.CPUP50, u.CPUP90, u.CPUP95 = cpu(0.5), cpu(0.9), cpu(0.95)
	u.MemoryPeakP90 = int64(math.Ceil(h.MemoryPeaks().CappedPercentile(0.9, float64(h.MemoryPeak.Value))))
	u.Source = h.Provenance()
}
