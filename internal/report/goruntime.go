package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// goDetails are a container's Go runtime lines: the numbers its /metrics
// page gave and its pools, or why there are none.
func goDetails(who string, g model.GoInfo) []string {
	var out []string
	if r := g.Runtime; r != nil {
		out = append(out, who+g.Description()+": "+strings.Join(r.Summary(), ", "))
		for _, db := range r.DB {
			out = append(out, who+poolSummary(db))
		}
	}
	switch {
	case g.ScrapeProblem == nil || g.Detection == model.GoUnknown:
	case g.Runtime != nil && g.Runtime.Store != "":
		// The numbers above are the store's: the page is only the pods' own.
		out = append(out, who+"its pods' own page not read ("+g.ScrapeProblem.Why()+"): the numbers are "+g.Runtime.Store+"'s")
	default:
		out = append(out, who+g.ScrapeProblem.String())
	}
	return out
}

// poolSummary is one database/sql pool in a line.
func poolSummary(db model.DBStats) string {
	s := "pool " + db.Name + ": " + strings.Join(db.Summary(), ", ")
	if db.WaitCount > 0 {
		s += fmt.Sprintf(", waited %s for %s", plural(db.WaitCount, "time"), db.WaitDuration.Round(time.Millisecond))
	}
	if db.MaxIdleClosed > 0 {
		s += fmt.Sprintf(", %d closed for MaxIdle", db.MaxIdleClosed)
	}
	return s
}

// JSONGoRuntime is what a container's /metrics page said, from one pod, or
// what a store of metrics holds of its pods' pages.
// Absent numbers are omitted; gomemlimit_bytes 9223372036854775807 is no limit.
type JSONGoRuntime struct {
	Pod string `json:"pod"`
	// Store names the store of metrics the numbers were read from when
	// kgotop read no page itself (pod is then "").
	Store             string       `json:"store,omitempty"`
	Scraped           time.Time    `json:"scraped"`
	GoVersion         string       `json:"go_version,omitempty"` // go_info's "go1.24.3"
	Goroutines        *int64       `json:"goroutines,omitempty"`
	Threads           *int64       `json:"threads,omitempty"`
	GOMAXPROCS        *int64       `json:"gomaxprocs,omitempty"`
	GOGCPercent       *int64       `json:"gogc_percent,omitempty"` // absent when GOGC=off
	GOMEMLIMITBytes   *int64       `json:"gomemlimit_bytes,omitempty"`
	HeapAllocBytes    *int64       `json:"heap_alloc_bytes,omitempty"`
	HeapInuseBytes    *int64       `json:"heap_inuse_bytes,omitempty"`
	HeapLiveBytes     *int64       `json:"heap_live_bytes,omitempty"`
	HeapGoalBytes     *int64       `json:"heap_goal_bytes,omitempty"`
	NextGCBytes       *int64       `json:"next_gc_bytes,omitempty"`
	SysBytes          *int64       `json:"sys_bytes,omitempty"`
	GCPauseMaxSeconds *float64     `json:"gc_pause_max_seconds,omitempty"`
	GCCycles          *int64       `json:"gc_cycles,omitempty"`
	GCCPUFraction     *float64     `json:"gc_cpu_fraction,omitempty"` // 0..1, from two pages in a row
	DBPools           []JSONDBPool `json:"db_pools,omitempty"`
}

// JSONDBPool is one database/sql pool (go_sql_* for one db_name).
type JSONDBPool struct {
	Name              string   `json:"name"`
	MaxOpen           *int64   `json:"max_open,omitempty"` // 0 = unlimited
	Open              *int64   `json:"open,omitempty"`
	InUse             *int64   `json:"in_use,omitempty"`
	Idle              *int64   `json:"idle,omitempty"`
	WaitCount         *int64   `json:"wait_count,omitempty"`
	WaitSeconds       *float64 `json:"wait_seconds,omitempty"`
	MaxIdleClosed     *int64   `json:"max_idle_closed,omitempty"`
	MaxIdleTimeClosed *int64   `json:"max_idle_time_closed,omitempty"`
	MaxLifetimeClosed *int64   `json:"max_lifetime_closed,omitempty"`
}

// known returns v, or nil when it is absent (negative).
func known(v int64) *int64 {
	if v < 0 {
		return nil
	}
	return &v
}

func seconds(d time.Duration) *float64 {
	if d < 0 {
		return nil
	}
	s := d.Seconds()
	return &s
}

func jsonRuntime(r *model.GoRuntime) *JSONGoRuntime {
	if r == nil {
		return nil
	}
	j := &JSONGoRuntime{Pod: r.Pod, Store: r.Store, Scraped: r.Scraped.UTC(), GoVersion: r.Version,
		Goroutines: known(r.Goroutines), Threads: known(r.Threads), GOMAXPROCS: known(r.GOMAXPROCS), GOGCPercent: known(r.GOGC),
		GOMEMLIMITBytes: known(r.GOMEMLIMIT), HeapAllocBytes: known(r.HeapAlloc), HeapInuseBytes: known(r.HeapInuse),
		HeapLiveBytes: known(r.HeapLive), HeapGoalBytes: known(r.HeapGoal), NextGCBytes: known(r.NextGC), SysBytes: known(r.Sys),
		GCPauseMaxSeconds: seconds(r.GCPauseMax), GCCycles: known(r.GCCycles)}
	if r.GCCPUFraction >= 0 {
		f := r.GCCPUFraction
		j.GCCPUFraction = &f
	}
	for _, db := range r.DB {
		j.DBPools = append(j.DBPools, JSONDBPool{Name: db.Name, MaxOpen: known(db.MaxOpen), Open: known(db.Open), InUse: known(db.InUse),
			Idle: known(db.Idle), WaitCount: known(db.WaitCount), WaitSeconds: seconds(db.WaitDuration), MaxIdleClosed: known(db.MaxIdleClosed),
			MaxIdleTimeClosed: known(db.MaxIdleTimeClosed), MaxLifetimeClosed: known(db.MaxLifetimeClosed)})
	}
	return j
}
