package model

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// The dashboard and the report word the facts they both show with the
// functions of this file, so that the two say them alike: each fact in a
// Cell, its text and a Level. Each front end gives a Level its own style
// (as kubectl's top commands share one metricsutil printer).

// Level says how much a fact should stand out.
type Level int

// The levels, from the least to the most alarming but for Idle and Good,
// which stand out less than Normal does.
const (
	Normal Level = iota
	Idle         // paid for and unused, or unknown: dim
	Good         // reassurance a person needs ("applied"): green
	Near         // near a limit, or a warning: yellow
	Over         // over a limit, failing, or critical: red
)

// Cell is a fact in a few words and how much it should stand out.
type Cell struct {
	Text  string
	Level Level
}

// RestartSummary says in a few words how often a container restarted and
// why, last first: "4 OOMKilled 3m", "7 CrashLoopBackOff (exit 1)", "0".
// short drops "BackOff" from waiting reasons for narrow columns. A crash
// loop or an OOMKill is Over, any other restart or wait Near.
func (c Container) RestartSummary(now time.Time, short bool) Cell {
	n := c.RestartCount()
	last := c.LastTermination()
	waiting := c.Waiting()
	if n == 0 && last == nil && waiting == "" {
		return Cell{Text: "0"}
	}
	parts := []string{fmt.Sprint(n)}
	if waiting != "" {
		w := waiting
		if short {
			w = strings.TrimSuffix(w, "BackOff")
		}
		parts = append(parts, w)
	}
	if last != nil {
		why := last.Reason
		if why == "" || why == "Error" {
			why = fmt.Sprintf("exit %d", last.ExitCode)
		}
		if waiting != "" {
			why = "(" + why + ")"
		}
		parts = append(parts, why)
		if !last.FinishedAt.IsZero() && waiting == "" {
			parts = append(parts, FormatAge(now.Sub(last.FinishedAt)))
		}
	}
	lvl := Near
	if waiting == "CrashLoopBackOff" || (last != nil && last.Reason == "OOMKilled") {
		lvl = Over
	}
	return Cell{Text: strings.Join(parts, " "), Level: lvl}
}

// ProbeSummary lists a container's failing probes: "L✗9 k3 R✗4" (a
// liveness probe's kills as "k3"), Over once a probe killed the container,
// Near otherwise; "-" when none failed.
func (c Container) ProbeSummary() Cell {
	var parts []string
	lvl := Near
	for _, pf := range c.ProbeFailures {
		s := strings.ToUpper(string(pf.Probe[:1])) + "✗" + fmt.Sprint(pf.Count)
		if pf.Kills > 0 {
			s += fmt.Sprintf(" k%d", pf.Kills)
			lvl = Over
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return Cell{Text: "-"}
	}
	return Cell{Text: strings.Join(parts, " "), Level: lvl}
}

// ProbeFailureCount is how often the container's probes failed, all told.
func (c Container) ProbeFailureCount() int32 {
	var n int32
	for _, pf := range c.ProbeFailures {
		n += pf.Count
	}
	return n
}

// Summary says which Go runs in the container (Short): plain when go_info
// confirmed it, Idle while it is a guess.
func (g GoInfo) Summary() Cell {
	if g.Detection == GoConfirmed {
		return Cell{Text: g.Short()}
	}
	return Cell{Text: g.Short(), Level: Idle}
}

// Description says what is known of the Go in a container and how:
// "Go 1.24.3 (go_info from pod api-1)", "probably Go (env GOGC)".
func (g GoInfo) Description() string {
	switch {
	case g.Detection == GoUnknown:
		return "Go not detected"
	case g.Version != "":
		return "Go " + g.Version + " (" + g.Evidence + ")"
	case g.Detection == GoLikely:
		return "probably Go (" + g.Evidence + ")"
	}
	return "Go " + string(g.Detection) + " (" + g.Evidence + ")"
}

// Summary lists the numbers the runtime's metrics page had, each as
// "label value", in one order, bytes in Go's units: "heap live 290MiB", "GOMEMLIMIT none" (the
// runtime runs with no memory limit), "GC CPU 14%". GC pause and cycles
// show once the runtime has collected. The front end joins them.
func (r *GoRuntime) Summary() []string {
	var parts []string
	add := func(label string, v int64, f func(int64) string) {
		if v >= 0 {
			parts = append(parts, label+" "+f(v))
		}
	}
	count := func(v int64) string { return fmt.Sprint(v) }
	add("heap live", r.HeapLive, FormatGoBytes)
	add("heap in use", r.HeapInuse, FormatGoBytes)
	add("goal", r.HeapGoal, FormatGoBytes)
	add("next GC", r.NextGC, FormatGoBytes)
	add("GOGC", r.GOGC, count)
	if r.GOMEMLIMIT == math.MaxInt64 {
		parts = append(parts, "GOMEMLIMIT none")
	} else {
		add("GOMEMLIMIT", r.GOMEMLIMIT, FormatGoBytes)
	}
	add("GOMAXPROCS", r.GOMAXPROCS, count)
	if r.GCCPUFraction >= 0 {
		parts = append(parts, fmt.Sprintf("GC CPU %.0f%%", 100*r.GCCPUFraction))
	}
	if r.GCPauseMax > 0 {
		parts = append(parts, "GC pause max "+r.GCPauseMax.Round(time.Microsecond).String())
	}
	if r.GCCycles > 0 {
		add("GC cycles", r.GCCycles, count)
	}
	add("goroutines", r.Goroutines, count)
	add("threads", r.Threads, count)
	return parts
}

// Summary says how full a database/sql pool is: "open 42 of unlimited",
// "in use 40", "idle 2". The front end joins them.
func (db DBStats) Summary() []string {
	maxOpen := "unlimited"
	if db.MaxOpen > 0 {
		maxOpen = fmt.Sprint(db.MaxOpen)
	}
	return []string{fmt.Sprintf("open %d of %s", db.Open, maxOpen), fmt.Sprintf("in use %d", db.InUse), fmt.Sprintf("idle %d", db.Idle)}
}

// Usage is what a container uses now against its request and limit, in
// millicores or bytes. Known is false when no replica has a metrics sample.
type Usage struct {
	Used, Request, Limit int64
	Known                bool
}

// UsageNow returns the largest current usage across a container's replicas.
func (c Container) UsageNow() (cpu, mem Usage) {
	cpu.Request, cpu.Limit = c.Resources.Requests.CPU, c.Resources.Limits.CPU
	mem.Request, mem.Limit = c.Resources.Requests.Memory, c.Resources.Limits.Memory
	for _, in := range c.Instances {
		if in.Usage != nil {
			cpu.Used, mem.Used = max(cpu.Used, in.Usage.CPU), max(mem.Used, in.Usage.Memory)
			cpu.Known, mem.Known = true, true
		}
	}
	return cpu, mem
}

// Level grades a usage: at or over the limit Over, past 90% of it Near,
// under a tenth of the request Idle (paid for, unused), unknown Idle.
func (u Usage) Level() Level {
	if !u.Known {
		return Idle
	}
	pl, pr := Percent(u.Used, u.Limit), Percent(u.Used, u.Request)
	switch {
	case pl >= 100:
		return Over
	case pl >= 90:
		return Near
	case pr >= 0 && pr < 10:
		return Idle
	}
	return Normal
}

// Summary renders "used/request/limit" with format f ("190m/250m/1"; "?"
// used when unknown), at the usage's Level.
func (u Usage) Summary(f func(int64) string) Cell {
	used := "?"
	switch {
	case u.Known && u.Used == 0:
		used = "0"
	case u.Known:
		used = f(u.Used)
	}
	return Cell{Text: used + "/" + f(u.Request) + "/" + f(u.Limit), Level: u.Level()}
}

// Labelled joins a label and its value with sep ("peak 379Mi"), or gives
// the value alone when it names the label already: "1 restart", not
// "restarts 1 restart".
func Labelled(label, value, sep string) string {
	stem := strings.TrimSuffix(strings.ToLower(label), "s")
	if stem != "" && strings.Contains(strings.ToLower(value), stem) {
		return value
	}
	return label + sep + value
}

// RangeWords says what a sizing advice's range is: the recommender's lower
// and upper bounds, between which a request needs no change. When the
// upper bound lies above the limit after the patch (bound), the range ends
// at that limit (upper), which a request may not pass.
func RangeWords(lower, upper, bound string) string {
	if bound != "" {
		return "a request anywhere from " + lower + " to " + upper + " would do (from the recommender's lower bound to the " + upper +
			" limit after the patch: its upper bound, " + bound + ", lies above that limit)"
	}
	return "a request anywhere from " + lower + " to " + upper + " would do (the recommender's lower and upper bounds)"
}
