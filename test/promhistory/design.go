// Package promhistory writes the scenario library's past as Prometheus
// series: days of what cAdvisor, kube-state-metrics and the Go runtime
// would have reported for internal/scenario's workloads, as OpenMetrics text
// for `promtool tsdb create-blocks-from openmetrics`. scripts/sandbox loads
// it into the sandbox's Prometheus before that starts, so the seeded stories
// have a past that joins the live scrape of kwok. Designed says what a
// client must recover from it (scripts/sandbox.d/PROMETHEUS.md is the
// contract, printed by `go run ./test/sandboxseed --designed`).
//
// Every workload lives the same day, from its scenario's usage: a night at
// three quarters of its base, a day at its live mean (base + swing/2), five
// peak hours at its live peak (base + swing). The peak hours are long
// enough that a 24h-decaying histogram (the VPA's, kgotop's) puts its P90
// and P95 on the peak and its P50 on the day whatever hour the history
// starts at.
package promhistory

import (
	"math"
	"time"

	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/scenario"
)

// Levels are the usage of the three parts of the day.
type Levels struct{ Night, Day, Peak float64 }

// knots of the day in UTC, as hours, and which level holds there: night
// until 05:00, the day from 05:30, the peak 13:30-18:30, half-hour ramps.
var knots = []struct {
	hour  float64
	level int // 0 night, 1 day, 2 peak
}{{0, 0}, {5, 0}, {5.5, 1}, {13, 1}, {13.5, 2}, {18.5, 2}, {19, 1}, {23.5, 1}, {24, 0}}

// At returns the usage at t: the level of its hour, ramping between them.
func (l Levels) At(t time.Time) float64 {
	t = t.UTC()
	h := float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
	lv := [3]float64{l.Night, l.Day, l.Peak}
	for i := 1; i < len(knots); i++ {
		a, b := knots[i-1], knots[i]
		if h <= b.hour {
			f := (h - a.hour) / (b.hour - a.hour)
			return lv[a.level] + f*(lv[b.level]-lv[a.level])
		}
	}
	return l.Night
}

// Story timings the generator shares with the demo's simulation.
const (
	// crashPeriod: a container that exits 2 s after each start, at the
	// kubelet's longest back-off (5 min).
	crashPeriod = 302 * time.Second
	// probeKillPeriod: a slow starter killed 10 s after its liveness budget,
	// at the longest back-off.
	probeKillPeriod = 5 * time.Minute
	// periodsPerSecond: CFS periods (100 ms) of a container that is runnable
	// in each of them.
	periodsPerSecond = 10
	// noise: each sample is off its curve by up to this share.
	noise = 0.01
)

// Design is the designed past of one container.
type Design struct {
	Scenario  string
	Kind      model.Kind
	Container string
	// CPU in cores and Memory (working set) in bytes over the day.
	CPU, Memory Levels
	// Leak: memory climbs from Memory.Night by CreepPerHour bytes an hour
	// until the limit, where the container is OOMKilled and starts over.
	CreepPerHour float64
	// LimitCPU (cores) and LimitMemory (bytes) are the container's limits.
	LimitCPU, LimitMemory float64
	// RestartEvery and Reason: the container restarts this often
	// (CrashLoopBackOff, a liveness probe killing a slow start), or 0.
	RestartEvery time.Duration
	Reason       string
	// Runtime is what its Go runtime reports, nil for none.
	Runtime *scenario.Runtime
	Port    int32
}

// designOf derives the designed past of a scenario's container from its story.
func designOf(sc scenario.Scenario, c scenario.Container) Design {
	d := Design{
		Scenario: sc.Name, Kind: sc.Kind, Container: c.Name, Port: c.Port,
		CPU:          levels(0.75*float64(c.CPU.Base), c.CPU.Base, c.CPU.Swing, 1000),
		Memory:       levels(float64(c.Memory.Base), c.Memory.Base, c.Memory.Swing, 1),
		LimitCPU:     float64(c.Limits.CPU) / 1000,
		LimitMemory:  float64(c.Limits.Memory),
		CreepPerHour: float64(c.CreepPerHour),
	}
	if d.LimitMemory <= d.Memory.Night {
		d.CreepPerHour = 0 // no limit to creep up to: not this story
	}
	switch {
	case c.CrashExit != 0:
		d.RestartEvery, d.Reason = crashPeriod, "Error"
	case c.Liveness != nil && c.StartSeconds > 0 && c.Liveness.Budget().Seconds() < float64(c.StartSeconds):
		d.RestartEvery, d.Reason = probeKillPeriod+c.Liveness.Budget()+10*time.Second, "Error"
	case d.CreepPerHour > 0:
		d.Reason = "OOMKilled"
	}
	if c.Runtime != nil {
		r := c.Effective()
		d.Runtime = &r
	}
	return d
}

func levels(night float64, base, swing int64, per float64) Levels {
	return Levels{Night: night / per, Day: (float64(base) + float64(swing)/2) / per, Peak: float64(base+swing) / per}
}

// Throttled returns the share of CFS periods throttled at a usage of cpu
// cores: none below 70% of the limit, rising to 60% of the periods at it.
func (d Design) Throttled(cpu float64) float64 {
	if d.LimitCPU <= 0 {
		return 0
	}
	return 0.6 * math.Min(1, math.Max(0, (cpu/d.LimitCPU-0.7)/0.3))
}

// Designs returns the designed past of every container of the library.
func Designs() []Design {
	var out []Design
	for _, sc := range scenario.All() {
		for _, c := range sc.Containers {
			out = append(out, designOf(sc, c))
		}
	}
	return out
}

// Want is what a client must recover from one container's past, each
// within one 5% histogram bucket (plus the 1% noise of the samples).
type Want struct {
	Design
	// CPUP50, CPUP90 and CPUP95 are percentiles of the usage rate, in
	// cores; 0 for a container that restarts every few minutes (every rate
	// window then holds a counter reset, and the part of the usage before it
	// is lost: no sizing data, in a cluster either).
	CPUP50, CPUP90, CPUP95 float64
	// MemoryPeakP90 is the P90 of the daily working-set peaks, in bytes.
	MemoryPeakP90 float64
	// ThrottledP50 and ThrottledP95 are percentiles of the share of CFS
	// periods throttled.
	ThrottledP50, ThrottledP95 float64
	// RestartsPerDay, each ending with Reason.
	RestartsPerDay float64
	// DBWaitsPerSecond and DBWaitSecondsPerSecond: database/sql callers
	// waiting for a connection, and the time they wait.
	DBWaitsPerSecond, DBWaitSecondsPerSecond float64
}

// Designed returns what a client must recover for every container.
func Designed() []Want {
	var out []Want
	for _, d := range Designs() {
		w := Want{Design: d, CPUP50: d.CPU.Day, CPUP90: d.CPU.Peak, CPUP95: d.CPU.Peak, MemoryPeakP90: d.Memory.Peak,
			ThrottledP50: d.Throttled(d.CPU.Day), ThrottledP95: d.Throttled(d.CPU.Peak)}
		if d.CreepPerHour > 0 {
			w.MemoryPeakP90 = d.LimitMemory
			w.RestartsPerDay = 24 * d.CreepPerHour / (d.LimitMemory - d.Memory.Night)
		}
		if d.RestartEvery > 0 {
			w.RestartsPerDay = float64(24*time.Hour) / float64(d.RestartEvery)
			w.CPUP50, w.CPUP90, w.CPUP95 = 0, 0, 0
		}
		if d.Runtime != nil && d.Runtime.DB != nil {
			w.DBWaitsPerSecond = float64(d.Runtime.DB.WaitPerMinute) / 60
			w.DBWaitSecondsPerSecond = d.Runtime.DB.WaitSecondsPerMinute / 60
		}
		out = append(out, w)
	}
	return out
}

// Recovered reports whether got, a percentile a client read off a
// histogram laid out as empty (kgotop's model.NewCPUHistogram or
// NewMemoryHistogram: the end of a bucket), is the designed value within one
// bucket: no lower than it less the noise, no higher than the end of the
// bucket that holds it plus the noise. Near the first buckets (1m, 10MB) a
// bucket is far wider than 5%: 13% at 120Mi, 50% at 20Mi.
func Recovered(got, designed float64, empty *model.Histogram) bool {
	h := empty.Clone()
	h.Add(designed*(1+2*noise), 1, time.Unix(0, 0))
	return got >= designed*(1-2*noise) && got <= h.Percentile(1)
}
