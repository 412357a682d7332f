package collect

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// The queries kgotop sends to a store of metrics (Prometheus, Thanos Query,
// Mimir, VictoriaMetrics: PromQL only). They are a fixed handful per
// namespace, whatever the number of pods: every one aggregates on the
// server, by namespace, container and set of pods, where a set is a pod's
// name less its last dash-separated part. That is how the controllers name
// pods: a ReplicaSet's pods are <replicaset>-<5 chars>, a StatefulSet's
// <statefulset>-<ordinal>, a DaemonSet's and a Job's <name>-<5 chars>. So
// a set is the ReplicaSet, StatefulSet, DaemonSet or Job that owned the
// pods, and pods that no longer exist still have their owner.
//
// Usage comes back already in the buckets of kgotop's histograms
// (model.Histogram: each bucket 5% wider than the one before), counted per
// set, bucket and chunk of the range (a day): the answer grows with the
// number of sets and the buckets their usage spans, never with the days'
// samples. README.md lists these queries as they are sent.

// setLabel is the label the queries put each pod's set in.
const setLabel = "kgotop_set"

// pastQuery is one query of a history read: its name (for errors and the
// tests' fake store), its PromQL, and whether it is a range query at the
// chunk step (else an instant query at the end of the range).
type pastQuery struct {
	name   string
	promQL string
	ranged bool
}

// Query names.
const (
	qCPUBuckets    = "cpu-buckets"
	qMemoryBuckets = "memory-buckets"
	qCoverage      = "coverage"
	qCPUPeak       = "cpu-peak"
	qMemoryPeak    = "memory-peak"
	qOOM           = "oom-events"
	qRestarts      = "restarts"
	qReasons       = "terminations"
	qOwners        = "owners"
	qThrottled     = "cfs-throttled"
	qPeriods       = "cfs-periods"
	qThrottledP95  = "cfs-throttled-p95"
)

// pastPlan is the shape of one history read: the range ends at end and is
// cut into chunks (a day, or the whole range when shorter); step is the
// resolution of the rates inside a chunk.
type pastPlan struct {
	namespace string // "" for all namespaces
	end       time.Time
	chunk     time.Duration
	chunks    int
	step      time.Duration
}

// Defaults of a history read.
const (
	// pastChunk is the length of the chunks the range is cut into: the
	// VPA's memory peak window, one decay weight per chunk.
	pastChunk = 24 * time.Hour
	// pastStep is the resolution of the CPU rates inside a chunk: a
	// store refuses more than 11,000 points per series, and a step under
	// the usual 1m scrape interval adds nothing.
	pastStep = 2 * time.Minute
	// rateWindow covers a few scrapes at the usual 15s-1m intervals.
	rateWindow = 5 * time.Minute
	// throttleStep is the resolution of the throttling percentile.
	throttleStep = 5 * time.Minute
)

// planPast cuts span (rounded up to whole chunks) ending at end.
func planPast(namespace string, span time.Duration, end time.Time) pastPlan {
	p := pastPlan{namespace: namespace, end: end.Truncate(time.Minute), chunk: pastChunk, step: pastStep}
	if span < p.chunk {
		p.chunk = max(span.Truncate(time.Minute), 2*p.step)
	}
	p.chunks = int(math.Ceil(float64(span) / float64(p.chunk)))
	return p
}

// span is the whole range read.
func (p pastPlan) span() time.Duration { return time.Duration(p.chunks) * p.chunk }

// start is the end of the first chunk: a range query's first point.
func (p pastPlan) start() time.Time { return p.end.Add(-time.Duration(p.chunks-1) * p.chunk) }

// queries returns the history read's queries.
func (p pastPlan) queries() []pastQuery {
	// Each series is a set's, labelled with its namespace only when the
	// read spans namespaces: a label less per series is a quarter less to
	// decode.
	ns, by := `namespace="`+escapeLabel(p.namespace)+`"`, ""
	if p.namespace == "" {
		ns, by = `namespace!=""`, "namespace, "
	}
	sel := func(metric string) string { return metric + "{" + ns + `, container!=""}` }
	span, chunk, step := promDuration(p.span()), promDuration(p.chunk), promDuration(p.step)
	rate := func(metric string) string {
		return fmt.Sprintf("sum by (namespace, pod, container) (rate(%s[%s]))", sel(metric), promDuration(rateWindow))
	}
	cpu := model.NewCPUHistogram(time.Hour)
	mem := model.NewMemoryHistogram(time.Hour)
	// One series per set, container and bucket; at each chunk's end, the
	// pods' samples in the chunk (CPU) or pods' peaks of the chunk (memory).
	buckets := func(h *model.Histogram, v string) string {
		return fmt.Sprintf(`count_values by (%s%s, container) ("bucket", floor(ln(1 + %s * %s) / %s))`,
			by, setLabel, formatFloat((h.Ratio-1)/h.First), bySet(v), formatFloat(math.Log(h.Ratio)))
	}
	return []pastQuery{
		{qOwners, fmt.Sprintf(`count by (%sowner_kind, owner_name) (last_over_time(kube_pod_owner{%s}[%s]))`+
			` or max by (%sreplicaset, owner_kind, owner_name) (last_over_time(kube_replicaset_owner{%s}[%s]))`, by, ns, span, by, ns, span), false},
		{qCPUBuckets, fmt.Sprintf(`sum_over_time((%s)[%s:%s])`, buckets(cpu, rate("container_cpu_usage_seconds_total")), chunk, step), true},
		{qMemoryBuckets, buckets(mem, fmt.Sprintf("max by (namespace, pod, container) (max_over_time(%s[%s]))", sel("container_memory_working_set_bytes"), chunk)), true},
		{qCoverage, fmt.Sprintf(`count_over_time((count by (%s%s, container) (%s))[%s:%s])`,
			by, setLabel, bySet(sel("container_memory_working_set_bytes")), chunk, step), true},
		{qCPUPeak, fmt.Sprintf(`max by (%s%s, container) (max_over_time(%s[%s:%s]))`, by, setLabel, bySet(rate("container_cpu_usage_seconds_total")), span, step), false},
		{qMemoryPeak, fmt.Sprintf(`max by (%s%s, container) (%s)`, by, setLabel, bySet(fmt.Sprintf("max_over_time(%s[%s])", sel("container_memory_working_set_bytes"), span))), false},
		{qOOM, increase(by, sel("container_oom_events_total"), span), false},
		{qRestarts, increase(by, sel("kube_pod_container_status_restarts_total"), span), false},
		{qReasons, fmt.Sprintf(`count by (%s%s, container, reason) (%s)`, by, setLabel,
			bySet(fmt.Sprintf("last_over_time(%s[%s])", sel("kube_pod_container_status_last_terminated_reason"), span))), false},
		{qThrottled, increase(by, sel("container_cpu_cfs_throttled_periods_total"), span), false},
		{qPeriods, increase(by, sel("container_cpu_cfs_periods_total"), span), false},
		{qThrottledP95, fmt.Sprintf(`max by (%s%s, container) (quantile_over_time(0.95, %s[%s:%s]))`, by, setLabel,
			bySet(rate("container_cpu_cfs_throttled_periods_total")+" / "+rate("container_cpu_cfs_periods_total")), span, promDuration(throttleStep)), false},
	}
}

// bySet labels each series of v with its pod's set.
func bySet(v string) string {
	return fmt.Sprintf(`label_replace(%s, "%s", "$1", "pod", "(.+)-[^-]+")`, v, setLabel)
}

// increase sums a counter's growth over the range per set and container.
func increase(by, sel, span string) string {
	return fmt.Sprintf(`sum by (%s%s, container) (%s)`, by, setLabel, bySet(fmt.Sprintf("increase(%s[%s])", sel, span)))
}

// promDuration writes a duration as PromQL does: whole units, largest first ("8d", "1d", "2m", "90m").
func promDuration(d time.Duration) string {
	for _, u := range []struct {
		unit string
		d    time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}} {
		if d >= u.d && d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.unit
		}
	}
	return strconv.FormatInt(max(int64(d/time.Second), 1), 10) + "s"
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', 12, 64) }

// escapeLabel escapes a label value for a PromQL string.
func escapeLabel(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
}
