package model

import (
	"strings"
	"time"
)

// GoDetection says how kgotop knows a container runs Go.
type GoDetection string

// The levels of Go detection.
const (
	// GoConfirmed: the container's /metrics page has go_info.
	GoConfirmed GoDetection = "confirmed"
	// GoLikely: Go env vars or a Go image hint.
	GoLikely GoDetection = "likely"
	// GoUnknown: no sign either way.
	GoUnknown GoDetection = "unknown"
)

// GoInfo is what kgotop knows about the Go runtime of a container.
type GoInfo struct {
	Detection GoDetection
	// Version is the Go version ("1.24.3") when known, from go_info or an image tag.
	Version string
	// Evidence says where the detection comes from ("go_info", "env GOGC", "image golang:1.16").
	Evidence string
	// Runtime holds the numbers read from the container's /metrics page, or nil.
	Runtime *GoRuntime
	// ScrapeProblem says why the runtime numbers could not be read, if they
	// could not, or were read in part; nil when there is nothing to say.
	ScrapeProblem *ScrapeProblem
}

// GoRuntime is a Go program's runtime state as its Prometheus metrics show it.
// Byte values are bytes; a value of -1 means the page did not have it.
type GoRuntime struct {
	Scraped time.Time
	// Pod is the pod whose page kgotop read; "" when the numbers come from
	// a store of metrics (Store), which pools the pods that run the
	// template in force.
	Pod string
	// Store names the store of metrics (Prometheus) the numbers were read
	// from when kgotop could not read a page itself; "" for a page it read.
	Store      string
	Version    string
	Goroutines int64
	Threads    int64
	GOMAXPROCS int64
	// GOGC is go_gc_gogc_percent (-1 when absent, 0 never: GOGC=off shows as -1 in the runtime too).
	GOGC       int64
	GOMEMLIMIT int64
	HeapAlloc  int64
	HeapInuse  int64
	HeapLive   int64
	HeapGoal   int64
	NextGC     int64
	// Sys is go_memstats_sys_bytes and MemTotal /memory/classes/total
	// (go_memory_classes_total_bytes): all the memory the runtime mapped,
	// the heap it released to the OS included; HeapReleased is that part.
	Sys          int64
	MemTotal     int64
	HeapReleased int64
	// GCPauseP99 is the go_gc_duration_seconds quantile closest to the max.
	GCPauseMax time.Duration
	GCCycles   int64
	// GCCPUFraction is the share of CPU time spent in GC (0..1), when known (-1 otherwise).
	GCCPUFraction float64
	// OutsideGo is, from a store, the working set less the memory the
	// runtime maps, the most of any pod (-1 unknown); a page's numbers are
	// set against its pod's usage instead.
	OutsideGo int64
	DB        []DBStats
}

// NewStoreRuntime returns the runtime numbers a store of metrics holds,
// read at at: all unknown (-1) until filled in.
func NewStoreRuntime(store string, at time.Time) *GoRuntime {
	return &GoRuntime{Scraped: at, Store: store, Goroutines: -1, Threads: -1, GOMAXPROCS: -1, GOGC: -1, GOMEMLIMIT: -1,
		HeapAlloc: -1, HeapInuse: -1, HeapLive: -1, HeapGoal: -1, NextGC: -1, Sys: -1, MemTotal: -1, HeapReleased: -1,
		GCCycles: -1, GCCPUFraction: -1, OutsideGo: -1}
}

// FromStore makes what a store of metrics holds of the Go runtime the
// container's Go info: go_info confirms Go and gives the version. A page
// kgotop reads itself later replaces it (it is newer and the pod's own).
func (g *GoInfo) FromStore(rt *GoRuntime) {
	if rt == nil {
		return
	}
	c := *rt
	c.DB = append([]DBStats(nil), rt.DB...)
	g.Runtime, g.Detection = &c, GoConfirmed
	if c.Version != "" {
		g.Version = strings.TrimPrefix(c.Version, "go")
		g.Evidence = "go_info from " + c.Store
	} else {
		g.Evidence = "Go runtime metrics from " + c.Store
	}
}

// Mapped returns the memory the Go runtime holds (what GOMEMLIMIT counts:
// /memory/classes/total less the heap released to the OS) and the series
// it comes from, or 0 when the page lacks them.
func (r GoRuntime) Mapped() (int64, string) {
	total, from := r.MemTotal, "go_memory_classes_total_bytes"
	if total <= 0 {
		total, from = r.Sys, "go_memstats_sys_bytes"
	}
	if total <= 0 || r.HeapReleased < 0 || r.HeapReleased > total {
		return 0, ""
	}
	return total - r.HeapReleased, from + " less heap released"
}

// DBStats is one database/sql pool (go_sql_* series for one db_name). The
// counters (waits, closes) count since the process started.
type DBStats struct {
	Name              string
	MaxOpen           int64 // 0 = unlimited
	Open              int64
	InUse             int64
	Idle              int64
	WaitCount         int64
	WaitDuration      time.Duration
	MaxIdleClosed     int64
	MaxIdleTimeClosed int64
	MaxLifetimeClosed int64
	// First holds the counters at the first read of this process that
	// kgotop kept, nil when this is that read: what they grew since is what
	// happened while kgotop watched.
	First *DBCounters
}

// DBCounters are a pool's counters at one read.
type DBCounters struct {
	At                time.Time
	WaitCount         int64
	WaitDuration      time.Duration
	MaxIdleClosed     int64
	MaxIdleTimeClosed int64
	MaxLifetimeClosed int64
}

// Counters returns the pool's counters, read at at.
func (d DBStats) Counters(at time.Time) DBCounters {
	return DBCounters{At: at, WaitCount: d.WaitCount, WaitDuration: d.WaitDuration,
		MaxIdleClosed: d.MaxIdleClosed, MaxIdleTimeClosed: d.MaxIdleTimeClosed, MaxLifetimeClosed: d.MaxLifetimeClosed}
}

// KeepFirst carries each pool's first counters over from prev, the previous
// read of the same container in the same pod: prev's own first counters, or
// prev's counters when it had none. A counter that went down says the
// process restarted: its pool starts over.
func (r *GoRuntime) KeepFirst(prev *GoRuntime) {
	if prev == nil || !prev.Scraped.Before(r.Scraped) {
		return
	}
	for i := range r.DB {
		d := &r.DB[i]
		for _, p := range prev.DB {
			if p.Name != d.Name {
				continue
			}
			first := p.First
			if first == nil {
				c := p.Counters(prev.Scraped)
				first = &c
			}
			if d.WaitCount < first.WaitCount || d.WaitDuration < first.WaitDuration || d.MaxIdleClosed < first.MaxIdleClosed ||
				d.MaxIdleTimeClosed < first.MaxIdleTimeClosed || d.MaxLifetimeClosed < first.MaxLifetimeClosed {
				first = nil // restarted
			}
			d.First = first
		}
	}
}

// goEnvNames are the env vars only the Go runtime reads.
var goEnvNames = []string{"GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG"}

// DetectGo guesses from a container's spec whether it runs Go: a golang
// image (whose tag gives the version) or a Go runtime env var make it likely.
// Reading go_info from the container's metrics page confirms it later.
func DetectGo(c Container) GoInfo {
	if repo, tag := SplitImage(c.Image); repo == "golang" || strings.HasSuffix(repo, "/golang") {
		info := GoInfo{Detection: GoLikely, Evidence: "image " + c.Image}
		if v := strings.SplitN(tag, "-", 2)[0]; v != "" && v[0] >= '0' && v[0] <= '9' {
			info.Version = v
		}
		return info
	}
	for _, name := range goEnvNames {
		if _, ok := c.LookupEnv(name); ok {
			return GoInfo{Detection: GoLikely, Evidence: "env " + name}
		}
	}
	return GoInfo{Detection: GoUnknown}
}

// SplitImage splits an image reference into repository and tag ("" when
// untagged); a digest reference returns its digest as the tag.
func SplitImage(image string) (repo, tag string) {
	if i := strings.Index(image, "@"); i >= 0 {
		return image[:i], image[i+1:]
	}
	slash := strings.LastIndex(image, "/")
	if i := strings.LastIndex(image, ":"); i > slash {
		return image[:i], image[i+1:]
	}
	return image, ""
}

// Short says in a table cell which Go runs in the container: the version
// when go_info gives it ("1.24.3"), a guessed one from the image ("1.16?"),
// "go" when confirmed without a version, "go?" when only likely, "?" when
// unknown. The dashboard and the report say it the same way.
func (g GoInfo) Short() string {
	switch {
	case g.Detection == GoConfirmed && g.Version != "":
		return g.Version
	case g.Detection == GoConfirmed:
		return "go"
	case g.Version != "":
		return g.Version + "?"
	case g.Detection == GoLikely:
		return "go?"
	}
	return "?"
}
