package gometrics

import (
	"cmp"
	"math"
	"slices"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/kgotop/kgotop/internal/model"
)

// extract fills page from the decoded families and reports whether any Go
// runtime series was there.
func extract(fams map[string]*dto.MetricFamily, page *Page) bool {
	rt := &page.Runtime
	found := false
	gauge := func(name string, conv func(float64) int64) int64 {
		v, ok := first(fams[name])
		if !ok {
			return -1
		}
		found = true
		return conv(v)
	}
	if mf := fams["go_info"]; mf != nil {
		for _, m := range mf.Metric {
			if v := label(m, "version"); v != "" {
				rt.Version, found = v, true
				break
			}
		}
	}
	rt.Goroutines = gauge("go_goroutines", count)
	rt.Threads = gauge("go_threads", count)
	rt.GOMAXPROCS = gauge("go_sched_gomaxprocs_threads", count)
	rt.GOGC = gauge("go_gc_gogc_percent", gogc)
	rt.GOMEMLIMIT = gauge("go_gc_gomemlimit_bytes", memLimit)
	rt.HeapAlloc = gauge("go_memstats_heap_alloc_bytes", count)
	rt.HeapInuse = gauge("go_memstats_heap_inuse_bytes", count)
	rt.NextGC = gauge("go_memstats_next_gc_bytes", count)
	rt.Sys = gauge("go_memstats_sys_bytes", count)
	rt.MemTotal = gauge("go_memory_classes_total_bytes", count)
	rt.HeapReleased = gauge("go_memstats_heap_released_bytes", count)
	if rt.HeapReleased < 0 {
		rt.HeapReleased = gauge("go_memory_classes_heap_released_bytes", count)
	}
	rt.HeapLive = gauge("go_gc_heap_live_bytes", count)
	rt.HeapGoal = gauge("go_gc_heap_goal_bytes", count)
	if mf := fams["go_gc_duration_seconds"]; mf != nil && len(mf.Metric) > 0 {
		if s := mf.Metric[0].GetSummary(); s != nil {
			found = true
			rt.GCCycles = int64(-1)
			if s.SampleCount != nil {
				rt.GCCycles = count(float64(s.GetSampleCount()))
			}
			rt.GCPauseMax = maxQuantile(s)
		}
	}
	page.CPU = CPUCounters{
		GC:    seconds(fams["go_cpu_classes_gc_total_cpu_seconds_total"]),
		Idle:  seconds(fams["go_cpu_classes_idle_cpu_seconds_total"]),
		Total: seconds(fams["go_cpu_classes_total_cpu_seconds_total"]),
		// client_golang names it from /cpu/classes/gc/mark/idle:cpu-seconds.
		MarkIdle: seconds(fams["go_cpu_classes_gc_mark_idle_cpu_seconds_total"]),
	}
	rt.DB = pools(fams)
	return found || len(rt.DB) > 0
}

// value returns a sample's value whatever its type (gauge, counter, untyped).
func value(m *dto.Metric) (float64, bool) {
	switch {
	case m == nil:
		return 0, false
	case m.Gauge != nil:
		return m.Gauge.GetValue(), true
	case m.Counter != nil:
		return m.Counter.GetValue(), true
	case m.Untyped != nil:
		return m.Untyped.GetValue(), true
	}
	return 0, false
}

// first returns the value of a family's first sample.
func first(mf *dto.MetricFamily) (float64, bool) {
	if mf == nil || len(mf.Metric) == 0 {
		return 0, false
	}
	return value(mf.Metric[0])
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// twoTo63 is 2^63, the first float64 past math.MaxInt64.
const twoTo63 = float64(1 << 63)

// count converts a count or a byte amount: -1 unless it is a finite number
// from 0 to below 2^63.
func count(v float64) int64 {
	if math.IsNaN(v) || v < 0 || v >= twoTo63 {
		return -1
	}
	return int64(v)
}

// gogc converts go_gc_gogc_percent. GOGC=off is -1 in the runtime, which
// the uint64 metric shows as 2^64-1: that, like garbage, is -1.
func gogc(v float64) int64 { return count(v) }

// memLimit converts go_gc_gomemlimit_bytes. "No limit" is math.MaxInt64,
// which as a float64 is 2^63: it stays math.MaxInt64.
func memLimit(v float64) int64 {
	if !math.IsNaN(v) && v >= twoTo63 {
		return math.MaxInt64
	}
	return count(v)
}

// maxQuantile returns the pause at the highest quantile a summary has (1 in
// client_golang's go_gc_duration_seconds), or -1.
func maxQuantile(s *dto.Summary) time.Duration {
	q, pause := -1.0, time.Duration(-1)
	for _, x := range s.GetQuantile() {
		v := x.GetValue()
		if x.GetQuantile() < q || math.IsNaN(v) || v < 0 || v > 1e6 {
			continue
		}
		q, pause = x.GetQuantile(), time.Duration(v*float64(time.Second))
	}
	return pause
}

// seconds returns a CPU counter's value, or -1.
func seconds(mf *dto.MetricFamily) float64 {
	v, ok := first(mf)
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return -1
	}
	return v
}

// duration converts a seconds counter into a duration, -1 when unusable.
func duration(v float64) time.Duration {
	if math.IsNaN(v) || v < 0 || v > float64(math.MaxInt64/int64(time.Second)) {
		return -1
	}
	return time.Duration(v * float64(time.Second))
}

// poolSeries maps each go_sql_* family to the DBStats field it fills.
var poolSeries = map[string]func(*model.DBStats, float64){
	"go_sql_max_open_connections":        func(d *model.DBStats, v float64) { d.MaxOpen = count(v) },
	"go_sql_open_connections":            func(d *model.DBStats, v float64) { d.Open = count(v) },
	"go_sql_in_use_connections":          func(d *model.DBStats, v float64) { d.InUse = count(v) },
	"go_sql_idle_connections":            func(d *model.DBStats, v float64) { d.Idle = count(v) },
	"go_sql_wait_count_total":            func(d *model.DBStats, v float64) { d.WaitCount = count(v) },
	"go_sql_wait_duration_seconds_total": func(d *model.DBStats, v float64) { d.WaitDuration = duration(v) },
	"go_sql_max_idle_closed_total":       func(d *model.DBStats, v float64) { d.MaxIdleClosed = count(v) },
	"go_sql_max_idle_time_closed_total":  func(d *model.DBStats, v float64) { d.MaxIdleTimeClosed = count(v) },
	"go_sql_max_lifetime_closed_total":   func(d *model.DBStats, v float64) { d.MaxLifetimeClosed = count(v) },
}

// pools gathers the go_sql_* series per db_name, sorted by name. A pool
// the page names but leaves a series out of has -1 there.
func pools(fams map[string]*dto.MetricFamily) []model.DBStats {
	byName := map[string]*model.DBStats{}
	for name, mf := range fams {
		set := poolSeries[name]
		if set == nil {
			continue
		}
		for _, m := range mf.Metric {
			v, ok := value(m)
			if !ok {
				continue
			}
			db := label(m, "db_name")
			d := byName[db]
			if d == nil {
				d = &model.DBStats{Name: db, MaxOpen: -1, Open: -1, InUse: -1, Idle: -1, WaitCount: -1, WaitDuration: -1,
					MaxIdleClosed: -1, MaxIdleTimeClosed: -1, MaxLifetimeClosed: -1}
				byName[db] = d
			}
			set(d, v)
		}
	}
	out := make([]model.DBStats, 0, len(byName))
	for _, d := range byName {
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b model.DBStats) int { return cmp.Compare(a.Name, b.Name) })
	if len(out) == 0 {
		return nil
	}
	return out
}
