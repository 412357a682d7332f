// Package advisor turns what kgotop observed into advice: right-sized CPU
// and memory, Go runtime settings (GOMEMLIMIT, GOGC, GOMAXPROCS), probes,
// images, restarts, the HPA shift a new request causes and database/sql
// pools, each with its evidence, an honest confidence and, where the pod
// template can carry it, a typed change from which BuildPatch makes one
// strategic-merge patch per workload. It is pure: a function of a
// model.Snapshot and Options, with no I/O and no clock of its own.
// shared/ADVISOR.md is the specification of its rules.
package advisor

import (
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Kind is the stable identifier of a rule; reports and scripts may match on it.
type Kind string

// The kinds of advice.
const (
	KindCPURequest      Kind = "cpu-request"
	KindCPULimit        Kind = "cpu-limit"
	KindMemoryRequest   Kind = "memory-request"
	KindMemoryLimit     Kind = "memory-limit"
	KindWatchLonger     Kind = "watch-longer"
	KindGOMEMLIMIT      Kind = "gomemlimit"
	KindGOGC            Kind = "gogc"
	KindGOMAXPROCS      Kind = "gomaxprocs"
	KindReadinessProbe  Kind = "probe-readiness-missing"
	KindLivenessProbe   Kind = "probe-liveness-missing"
	KindStartupProbe    Kind = "probe-startup"
	KindProbeTimeout    Kind = "probe-timeout"
	KindImageToolchain  Kind = "image-toolchain"
	KindImageLatest     Kind = "image-latest"
	KindHPAShift        Kind = "hpa-shift"
	KindRestarts        Kind = "restarts"
	KindDBPoolWait      Kind = "db-pool-wait"
	KindDBPoolUnlimited Kind = "db-pool-unlimited"
	KindDBPoolIdle      Kind = "db-pool-idle"
	KindDBPoolLifetime  Kind = "db-pool-lifetime"
	KindDBPoolTotal     Kind = "db-pool-total"
	KindMemoryLeak      Kind = "memory-leak"
	KindGoSupport       Kind = "go-unsupported"
	KindShutdown        Kind = "shutdown"
	KindReplicaSkew     Kind = "replica-skew"
	KindHPAPinned       Kind = "hpa-pinned"
)

// Severity says how urgent a piece of advice is.
type Severity string

// The severities, from least to most urgent.
const (
	Info     Severity = "info"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// Rank orders severities: 0 for info, 1 for warning, 2 for critical, -1 otherwise.
func (s Severity) Rank() int {
	switch s {
	case Info:
		return 0
	case Warning:
		return 1
	case Critical:
		return 2
	}
	return -1
}

// Level is a coarse confidence.
type Level string

// The confidence levels.
const (
	Low    Level = "low"
	Medium Level = "medium"
	High   Level = "high"
)

// Advice is one recommendation for a container or a workload.
type Advice struct {
	// ID is unique within a snapshot: the target and the kind (and the pool
	// name for pool advice), e.g. "deploy/shop/api/app/cpu-request".
	ID     string `json:"id"`
	Target Target `json:"target"`
	Kind   Kind   `json:"kind"`
	// Current and Suggested are the value now and the value advised; a
	// Suggested with an empty Display means "see Reason and Code".
	Current   Value `json:"current"`
	Suggested Value `json:"suggested"`
	// Range holds the recommendation's lower and upper bounds for sizing advice.
	Range *Range `json:"range,omitempty"`
	// Reason says why, in one line.
	Reason   string     `json:"reason"`
	Evidence []Evidence `json:"evidence,omitempty"`
	// Notes are cautions that come with the advice (an HPA scales on this
	// resource; this assumes another piece of advice is applied; ...).
	Notes      []string   `json:"notes,omitempty"`
	Confidence Confidence `json:"confidence"`
	Severity   Severity   `json:"severity"`
	// Changes are what the advice does to the pod template; BuildPatch turns
	// accepted ones into a patch. Advice without changes is applied in code
	// or by hand: Code then holds the snippet, in the language CodeLang names.
	Changes  []Change `json:"changes,omitempty"`
	Code     string   `json:"code,omitempty"`
	CodeLang string   `json:"code_lang,omitempty"`
	// Requires lists the IDs of advice this one assumes is applied too
	// (GOMEMLIMIT sized to a raised memory limit).
	Requires []string `json:"requires,omitempty"`
	// Held says the changes are shown but not yet worth applying: Patchable
	// leaves them out of "apply all"; PatchableWithHeld takes them too, for
	// a person who asks for them (--patch-low-confidence, or the
	// dashboard's key). HeldWhy says why, in a few words: HeldShortHistory,
	// HeldInsideRange or HeldWithRequired.
	Held    bool   `json:"held,omitempty"`
	HeldWhy string `json:"held_why,omitempty"`
	// KeptOut says why a request or limit change is kept out of every
	// patch while another change in it alters the usage it rests on (a
	// GOMAXPROCS fix, a pool raise) or the usage is skewed; the advice
	// still shows what it would be, and its note says KeptOutNote + why.
	KeptOut string `json:"kept_out,omitempty"`
	// Alongside says the change is worth making only with others: alone it
	// changes nothing the running program does, so it is not worth a
	// rollout of its own (BuildPatch makes no patch of such changes alone).
	Alongside bool `json:"alongside,omitempty"`
}

// Why advice is Held.
const (
	// HeldShortHistory: the change rests on less history than the sizing
	// minimum (Options.SizingMin, krr's 3h and 100 samples).
	HeldShortHistory = "short history"
	// HeldInsideRange: the current value lies inside the range the usage
	// supports, which the VPA leaves alone on less than 12h of history.
	HeldInsideRange = "inside the range"
	// HeldWithRequired: the change is sized to held advice it requires.
	HeldWithRequired = "rests on held advice"
)

// Patchable reports whether the advice carries changes BuildPatch can apply.
func (a Advice) Patchable() bool { return len(a.Changes) > 0 }

// Target names what a piece of advice is about: a workload, and a
// container of its pod template unless the advice is about the workload.
type Target struct {
	Kind      model.Kind `json:"kind"`
	Namespace string     `json:"namespace"`
	Name      string     `json:"name"`
	Container string     `json:"container,omitempty"`
}

// Ref returns the workload the target belongs to.
func (t Target) Ref() model.WorkloadRef {
	return model.WorkloadRef{Kind: t.Kind, Namespace: t.Namespace, Name: t.Name}
}

// String returns "kind/namespace/name" or "kind/namespace/name/container".
func (t Target) String() string {
	s := t.Ref().String()
	if t.Container != "" {
		s += "/" + t.Container
	}
	return s
}

// Unit names what Value.Amount counts.
type Unit string

// The units of typed values.
const (
	Millicores Unit = "millicores"
	Bytes      Unit = "bytes"
	Percent    Unit = "percent"
	Count      Unit = "count"
	Seconds    Unit = "seconds"
)

// Value is a current or suggested setting: Display for people ("250m",
// "435MiB", "not set") and, when it is a number, Amount in Unit.
type Value struct {
	Display string `json:"display"`
	// Set is false when the setting is absent from the spec.
	Set    bool  `json:"set"`
	Amount int64 `json:"amount,omitempty"`
	Unit   Unit  `json:"unit,omitempty"`
}

// Range is the span of values the evidence supports (VPA's lower and upper
// bounds). A request range never runs above the limit in force after the
// advice: when the upper bound does, Upper is that limit and UpperBound the
// recommender's upper bound.
type Range struct {
	Lower      Value  `json:"lower"`
	Upper      Value  `json:"upper"`
	UpperBound *Value `json:"upper_bound,omitempty"`
}

// clipTo ends a request's range at limit, the limit in force after the
// patch (none when 0): a request above its limit is refused. The
// recommender's own upper bound stays in UpperBound; value renders limit.
func (r *Range) clipTo(limit int64, value func(int64) Value) {
	if r == nil || limit <= 0 || r.Upper.Amount <= limit {
		return
	}
	bound := r.Upper
	if r.UpperBound != nil {
		bound = *r.UpperBound
	}
	r.Upper, r.UpperBound = value(limit), &bound
}

// Words says what the range is, for people (model.RangeWords).
func (r Range) Words() string {
	bound := ""
	if r.UpperBound != nil {
		bound = r.UpperBound.Display
	}
	return model.RangeWords(r.Lower.Display, r.Upper.Display, bound)
}

// Evidence is one number (or fact) the advice rests on.
type Evidence struct {
	Label string `json:"label"`
	Value string `json:"value"`
	// Number and Unit give the value for machines when it is a number.
	Number *float64 `json:"number,omitempty"`
	Unit   Unit     `json:"unit,omitempty"`
}

// Confidence says how sure the advice is and what it rests on.
type Confidence struct {
	Level Level `json:"level"`
	// Score is 0..1: for sizing, min(span/24h, samples/1440) capped at 1.
	Score float64 `json:"score"`
	// SpanSeconds and Samples describe the history behind the advice (0 when
	// the advice does not rest on usage history).
	SpanSeconds int64 `json:"span_seconds"`
	Samples     int64 `json:"samples"`
	// Note says in words what limits the confidence ("40m of history: watch longer").
	Note string `json:"note,omitempty"`
	// Source says where the history came from when part of it was read
	// from a store of metrics: "8d from Prometheus (monitoring/prometheus-operated), then 6m live".
	Source string `json:"source,omitempty"`
}

// Span returns the history span as a duration.
func (c Confidence) Span() time.Duration { return time.Duration(c.SpanSeconds) * time.Second }
