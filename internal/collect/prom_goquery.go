package collect

import (
	"fmt"
	"strings"
	"time"
)

// The queries of a history read that read the Go runtime the pods' own
// pages served to the store (client_golang's go_* and go_sql_* series,
// scraped by a job such as kubernetes-pods or a PodMonitor) and the trend
// of the working set. kgotop reads the pages itself through pods/proxy
// when it may; clusters often refuse that, and the store has the same
// numbers. Like the others they aggregate on the server by set of pods and
// container: a fixed handful whatever the number of pods. Several series
// share one query, each labelled with the metric it is (metricLabel), so
// that one answer carries them all.

// metricLabel is the label that names which series of a query a sample is.
const metricLabel = "kgotop_metric"

// Query names.
const (
	qGoInfo    = "go-info"
	qGoRuntime = "go-runtime"
	qGoOutside = "go-outside"
	qGoGCCPU   = "go-gc-cpu"
	qGoSQL     = "go-sql"
	qGrowth    = "memory-growth"
)

// goRuntimeGauges are the runtime's gauges read from the store, each the
// largest of the set's pods at their last sample.
var goRuntimeGauges = []string{
	"go_sched_gomaxprocs_threads", "go_gc_gogc_percent", "go_gc_gomemlimit_bytes", "go_gc_heap_live_bytes",
	"go_gc_heap_goal_bytes", "go_memstats_next_gc_bytes", "go_memstats_heap_alloc_bytes", "go_goroutines",
}

// goSQLLast are a database/sql pool's gauges and counters at the last
// sample; goSQLRates the counters whose recent rate says what the pool
// does now.
var (
	goSQLLast = []string{
		"go_sql_max_open_connections", "go_sql_open_connections", "go_sql_in_use_connections", "go_sql_idle_connections",
		"go_sql_wait_count_total", "go_sql_wait_duration_seconds_total", "go_sql_max_idle_closed_total",
		"go_sql_max_idle_time_closed_total", "go_sql_max_lifetime_closed_total",
	}
	goSQLRates = []string{"go_sql_wait_count_total", "go_sql_wait_duration_seconds_total", "go_sql_max_idle_closed_total"}
)

// rateSuffix marks a counter's rate in metricLabel.
const rateSuffix = ":rate"

const (
	// goRateWindow is the window of the runtime's rates: the pages are
	// often scraped every minute or more, so a few samples need 10m.
	goRateWindow = 10 * time.Minute
	// recent is how far back the rates and the memory trend look: the
	// newest day the store holds of the pods, at goRecentStep.
	recent       = 24 * time.Hour
	goRecentStep = 5 * time.Minute
	// growthWindow is the window of each slope of the working set, and
	// growthStep the step of the slopes the trend is the median of.
	growthWindow = time.Hour
	growthStep   = 10 * time.Minute
	// growthTail is the newest part of the trend, which must still climb.
	growthTail = 6 * time.Hour
)

// Parts of the memory-growth query (metricLabel values).
const (
	growthSlope    = "slope"
	growthTailPart = "tail"
	growthClimbing = "climbing"
	growthSteps    = "steps"
)

// goQueries returns the queries of the Go runtime and of the memory trend.
// ns is the namespace matcher and by the labels every "by" starts with.
func (p pastPlan) goQueries(ns, by string) []pastQuery {
	span := promDuration(p.span())
	sel := func(metric string) string { return metric + "{" + ns + "}" }
	last := func(metric string) string { return fmt.Sprintf("last_over_time(%s[%s])", sel(metric), span) }
	// recentRate is a counter's rate at the newest sample the store holds
	// of each pod in the last day.
	recentRate := func(metric string) string {
		return fmt.Sprintf("last_over_time(rate(%s[%s])[%s:%s])", sel(metric), promDuration(goRateWindow), promDuration(recent), promDuration(goRecentStep))
	}
	// part is one series of a shared query: v's largest per set (and
	// extra labels), labelled name.
	part := func(extra, name, v string) string {
		return fmt.Sprintf(`label_replace(max by (%s%s, container%s) (%s), "%s", "%s", "", "")`, by, setLabel, extra, bySet(v), metricLabel, name)
	}
	var runtime, sql []string
	for _, m := range goRuntimeGauges {
		runtime = append(runtime, part("", m, last(m)))
	}
	for _, m := range goSQLLast {
		sql = append(sql, part(", db_name", m, last(m)))
	}
	for _, m := range goSQLRates {
		sql = append(sql, part(", db_name", m+rateSuffix, recentRate(m)))
	}
	mapped := fmt.Sprintf("(%s - %s) or (%s - %s)", last("go_memory_classes_total_bytes"), last("go_memory_classes_heap_released_bytes"),
		last("go_memstats_sys_bytes"), last("go_memstats_heap_released_bytes"))
	outside := fmt.Sprintf("clamp_min(max by (namespace, pod, container) (last_over_time(container_memory_working_set_bytes{%s, container!=\"\"}[%s])) - on (namespace, pod, container) max by (namespace, pod, container) (%s), 0)",
		ns, span, mapped)
	rate := func(m string) string { return fmt.Sprintf("rate(%s[%s])", sel(m), promDuration(goRateWindow)) }
	gcShare := fmt.Sprintf("(%s - %s) / (%s - %s - %s > 0.01)", rate("go_cpu_classes_gc_total_cpu_seconds_total"), rate("go_cpu_classes_gc_mark_idle_cpu_seconds_total"),
		rate("go_cpu_classes_total_cpu_seconds_total"), rate("go_cpu_classes_idle_cpu_seconds_total"), rate("go_cpu_classes_gc_mark_idle_cpu_seconds_total"))
	return []pastQuery{
		{qGoInfo, fmt.Sprintf(`count by (%s%s, container, version) (%s)`, by, setLabel, bySet(last("go_info"))), false},
		{qGoRuntime, strings.Join(runtime, " or "), false},
		{qGoOutside, fmt.Sprintf(`max by (%s%s, container) (%s)`, by, setLabel, bySet(outside)), false},
		{qGoGCCPU, fmt.Sprintf(`max by (%s%s, container) (%s)`, by, setLabel,
			bySet(fmt.Sprintf("last_over_time((%s)[%s:%s])", gcShare, promDuration(recent), promDuration(goRecentStep)))), false},
		{qGoSQL, strings.Join(sql, " or "), false},
		{qGrowth, growthQuery(ns, part), false},
	}
}

// growthQuery is the trend of each container's working set over the last
// day: per pod that has six hours of it, the slope of each hour (deriv)
// every 10 minutes; per set, the worst pod's median slope over the day and
// over its last six hours, the share of the hours that climbed, and how
// many slopes there were.
func growthQuery(ns string, part func(extra, name, v string) string) string {
	slope := fmt.Sprintf(`deriv(container_memory_working_set_bytes{%s, container!=""}[%s])`, ns, promDuration(growthWindow))
	step := promDuration(growthStep)
	median := func(d time.Duration) string {
		return fmt.Sprintf("quantile_over_time(0.5, %s[%s:%s])", slope, promDuration(d), step)
	}
	// Only pods with growthTail of slopes count: a pod a few minutes old
	// climbs in every one of them.
	steps := fmt.Sprintf("count_over_time(%s[%s:%s])", slope, promDuration(recent), step)
	judged := func(v string) string { return fmt.Sprintf("(%s and %s >= %d)", v, steps, int(growthTail/growthStep)) }
	return strings.Join([]string{
		part("", growthSlope, judged(median(recent))),
		part("", growthTailPart, judged(median(growthTail))),
		part("", growthClimbing, judged(fmt.Sprintf("avg_over_time((%s > bool 0)[%s:%s])", slope, promDuration(recent), step))),
		part("", growthSteps, judged(steps)),
	}, " or ")
}
