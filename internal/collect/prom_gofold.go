package collect

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// goAcc is what the Go runtime queries and the memory trend fold into for
// one workload container, from the sets of pods that run its template in
// force (several while a rollout runs: each number is the largest).
type goAcc struct {
	rt       *model.GoRuntime
	versions map[string]float64 // go_info version -> pods
	dbs      map[string]*model.DBStats
	rates    map[string]*[3]float64 // db_name -> waits, seconds waited, idle closes a second (-1 unknown)
	growth   map[string]float64     // memory-growth part -> value
}

// isGoQuery reports whether the named query reads the Go runtime's series,
// whose container label the pods' scrape job may lack.
func isGoQuery(name string) bool {
	return strings.HasPrefix(name, "go-")
}

// goPoint folds one sample of a Go runtime or memory trend query.
func (s *foldSink) goPoint(v float64) {
	g := s.a.goAcc(s.f)
	switch s.name {
	case qGoInfo:
		if s.label != "" {
			g.versions[s.label] += v
		}
	case qGoRuntime:
		setMax(runtimeField(g.rt, s.metric), v)
	case qGoOutside:
		setMax(&g.rt.OutsideGo, v)
	case qGoGCCPU:
		g.rt.GCCPUFraction = max(g.rt.GCCPUFraction, min(v, 1))
	case qGoSQL:
		g.sqlPoint(s.label, s.metric, v)
	case qGrowth:
		if old, ok := g.growth[s.metric]; !ok || v > old {
			g.growth[s.metric] = v
		}
	}
}

// goAcc returns the container's Go accumulator, made on first use.
func (a *pastAcc) goAcc(f *pastFold) *goAcc {
	if a.goRT == nil {
		a.goRT = &goAcc{rt: model.NewStoreRuntime(f.source, f.plan.end), versions: map[string]float64{},
			dbs: map[string]*model.DBStats{}, rates: map[string]*[3]float64{}, growth: map[string]float64{}}
	}
	return a.goRT
}

// setMax raises *dst to v (whole), when dst is a field kgotop reads.
func setMax(dst *int64, v float64) {
	if dst != nil && v > float64(*dst) && v < math.MaxInt64 {
		*dst = int64(math.Round(v))
	}
	if dst != nil && v >= math.MaxInt64 {
		*dst = math.MaxInt64 // go_gc_gomemlimit_bytes with no limit
	}
}

// runtimeField is where a go-runtime series goes.
func runtimeField(rt *model.GoRuntime, metric string) *int64 {
	switch metric {
	case "go_sched_gomaxprocs_threads":
		return &rt.GOMAXPROCS
	case "go_gc_gogc_percent":
		return &rt.GOGC
	case "go_gc_gomemlimit_bytes":
		return &rt.GOMEMLIMIT
	case "go_gc_heap_live_bytes":
		return &rt.HeapLive
	case "go_gc_heap_goal_bytes":
		return &rt.HeapGoal
	case "go_memstats_next_gc_bytes":
		return &rt.NextGC
	case "go_memstats_heap_alloc_bytes":
		return &rt.HeapAlloc
	case "go_goroutines":
		return &rt.Goroutines
	}
	return nil
}

// sqlPoint folds one series of a pool.
func (g *goAcc) sqlPoint(db, metric string, v float64) {
	d := g.dbs[db]
	if d == nil {
		d = &model.DBStats{Name: db, MaxOpen: -1, Open: -1, InUse: -1, Idle: -1, WaitCount: -1, WaitDuration: -1,
			MaxIdleClosed: -1, MaxIdleTimeClosed: -1, MaxLifetimeClosed: -1}
		g.dbs[db], g.rates[db] = d, &[3]float64{-1, -1, -1}
	}
	if name, ok := strings.CutSuffix(metric, rateSuffix); ok {
		if i := slices.Index(goSQLRates, name); i >= 0 {
			g.rates[db][i] = max(g.rates[db][i], v)
		}
		return
	}
	var dst *int64
	switch metric {
	case "go_sql_max_open_connections":
		dst = &d.MaxOpen
	case "go_sql_open_connections":
		dst = &d.Open
	case "go_sql_in_use_connections":
		dst = &d.InUse
	case "go_sql_idle_connections":
		dst = &d.Idle
	case "go_sql_wait_count_total":
		dst = &d.WaitCount
	case "go_sql_wait_duration_seconds_total":
		if s := time.Duration(v * float64(time.Second)); s > d.WaitDuration {
			d.WaitDuration = s
		}
	case "go_sql_max_idle_closed_total":
		dst = &d.MaxIdleClosed
	case "go_sql_max_idle_time_closed_total":
		dst = &d.MaxIdleTimeClosed
	case "go_sql_max_lifetime_closed_total":
		dst = &d.MaxLifetimeClosed
	}
	setMax(dst, v)
}

// runtime finishes the Go runtime: the version most pods ran, the pools
// with their counters goRateWindow before (from the rates), so that the
// advice judges what the pools did over that window. Nil when the store
// had nothing of it.
func (g *goAcc) runtime(end time.Time) *model.GoRuntime {
	rt := g.rt
	var best float64
	for v, n := range g.versions {
		if n > best || n == best && v > rt.Version {
			rt.Version, best = v, n
		}
	}
	names := make([]string, 0, len(g.dbs))
	for n := range g.dbs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		d, r := *g.dbs[n], g.rates[n]
		if r[0] >= 0 && r[1] >= 0 {
			w := goRateWindow.Seconds()
			before := func(total int64, rate float64) int64 {
				if total < 0 || rate < 0 {
					return -1
				}
				return max(total-int64(math.Round(rate*w)), 0)
			}
			d.WaitCount = max(d.WaitCount, int64(math.Round(r[0]*w)))
			d.WaitDuration = max(d.WaitDuration, time.Duration(r[1]*w*float64(time.Second)))
			d.First = &model.DBCounters{At: end.Add(-goRateWindow), WaitCount: before(d.WaitCount, r[0]),
				WaitDuration:  time.Duration(before(int64(d.WaitDuration), r[1]*float64(time.Second))),
				MaxIdleClosed: before(d.MaxIdleClosed, r[2]), MaxIdleTimeClosed: d.MaxIdleTimeClosed, MaxLifetimeClosed: d.MaxLifetimeClosed}
		}
		rt.DB = append(rt.DB, d)
	}
	if rt.Version == "" && rt.GOMAXPROCS < 0 && rt.GOGC < 0 && len(rt.DB) == 0 {
		return nil
	}
	return rt
}

// trend finishes the memory trend, nil when the store had too little of it.
func (g *goAcc) trend() *model.Growth {
	slope, ok1 := g.growth[growthSlope]
	tail, ok2 := g.growth[growthTailPart]
	climbing, ok3 := g.growth[growthClimbing]
	if !ok1 || !ok2 || !ok3 {
		return nil
	}
	over := time.Duration(g.growth[growthSteps]) * growthStep
	return &model.Growth{PerHour: slope * 3600, Tail: tail * 3600, Climbing: climbing, Over: min(over, recent)}
}
