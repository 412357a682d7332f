package model

import "time"

// Past is the part of a History read from a store of metrics (Prometheus)
// instead of watched by kgotop: where from, and how much of it.
type Past struct {
	// Source names the store: "Prometheus (monitoring/prometheus-operated)".
	Source string `json:"source"`
	// First and Last bound the samples read; Watched is how much of that
	// span had samples; Samples counts them as the VPA does, one per pod
	// per minute (a 2m step's rate counts two).
	First   time.Time     `json:"first"`
	Last    time.Time     `json:"last"`
	Watched time.Duration `json:"watched_ns"`
	Samples int64         `json:"samples"`
	// Join is the gap between the past and the history kgotop watched,
	// counted as watched when it is short (MaxSampleGap).
	Join time.Duration `json:"join_ns,omitempty"`
}

// PastUsage is a workload container's usage read from a store of metrics,
// already in the History's terms: CPU samples in the CPU histogram's
// buckets, one memory peak per pod per peak window in the memory
// histogram's, the peaks seen.
type PastUsage struct {
	Past
	CPU, Memory         *Histogram
	Windows             int
	CPUPeak, MemoryPeak Peak
}

// Backfill puts a past in front of the history: its histograms merge into
// the history's (each sample keeping its own decay), its span and samples
// add to the history's, and the history remembers where that past came
// from (Provenance). The past must end before the history's own samples
// begin (the caller leaves out what overlaps them): nothing is counted twice.
func (h *History) Backfill(p PastUsage) {
	if p.Samples == 0 && p.Windows == 0 {
		return
	}
	if p.CPU != nil {
		h.CPU.Merge(p.CPU)
	}
	if p.Memory != nil {
		h.Memory.Merge(p.Memory)
	}
	h.Windows += p.Windows
	h.Samples += p.Samples
	h.Watched += p.Watched
	past := p.Past
	if !h.First.IsZero() && !p.Last.After(h.First) && h.First.Sub(p.Last) <= MaxSampleGap {
		past.Join = h.First.Sub(p.Last) // the past joins the present
		h.Watched += past.Join
	}
	if h.First.IsZero() || p.First.Before(h.First) {
		h.First = p.First
	}
	if p.Last.After(h.Last) {
		h.Last = p.Last
	}
	if p.CPUPeak.Value > h.CPUPeak.Value {
		h.CPUPeak = p.CPUPeak
	}
	if p.MemoryPeak.Value > h.MemoryPeak.Value {
		h.MemoryPeak = p.MemoryPeak
	}
	if h.Past != nil { // a second past (read again after a failure) widens the first
		past.First, past.Last = minTime(h.Past.First, p.First), maxTime(h.Past.Last, p.Last)
		past.Watched += h.Past.Watched
		past.Samples += h.Past.Samples
		past.Join += h.Past.Join
	}
	h.Past = &past
}

// Provenance says where the history came from when part of it was read
// from a store of metrics: "8d from Prometheus (monitoring/prometheus-operated),
// then 6m live"; "" when kgotop watched all of it.
func (h *History) Provenance() string {
	if h == nil || h.Past == nil {
		return ""
	}
	s := FormatAge(h.Past.Watched) + " from " + h.Past.Source
	if live := h.Live(); live > 0 {
		s += ", then " + FormatAge(live) + " live"
	}
	return s
}

// Live is how much of the history was watched live after the past read
// from a store of metrics (by this run or, saved, by earlier ones); 0 when
// none was read.
func (h *History) Live() time.Duration {
	if h == nil || h.Past == nil || !h.Last.After(h.Past.Last) {
		return 0
	}
	return max(h.Span()-h.Past.Watched-h.Past.Join, 0)
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// PastEvents is what a store of metrics tells of a workload container's
// past beyond its usage, over the range read, its replicas pooled: pods
// that were replaced since still count.
type PastEvents struct {
	// Source names the store; Range is how far back it was read.
	Source string
	Range  time.Duration
	// OOMKills counts OOM kills (cAdvisor's container_oom_events_total, or
	// pods whose last termination was OOMKilled, whichever is more);
	// MemoryPeak is the largest working set any pod had, which is where
	// pods killed at their limit were killed.
	OOMKills   int64
	MemoryPeak int64
	// Restarts counts container restarts (kube-state-metrics).
	Restarts int64
	// LastReasons counts pods by the reason of their last termination.
	LastReasons map[string]int64
	// Throttling is the CFS throttling of the container, nil when the
	// store has none (no CPU limit, or no cAdvisor CFS counters).
	Throttling *Throttling
	// Runtime is the Go runtime of the pods that run the template in
	// force, as the store scraped their pages (NewStoreRuntime), nil when
	// it has none.
	Runtime *GoRuntime
	// Growth is the working set's trend over the last day, nil when the
	// store has too little of it to tell.
	Growth *Growth
}

// Growth is how a container's working set moved over a recent stretch
// (the last day), per pod: the median of its hourly slopes (the worst
// pod's), the same over the newest part of the stretch, and the share of
// the hours it climbed. A leak climbs most hours between its restarts; a
// daily ramp climbs in a few and falls back; a cache that fills levels off.
type Growth struct {
	// PerHour is the median slope, bytes an hour; Tail the same over the
	// newest quarter of the stretch; Climbing the share of the hourly
	// windows with a rising slope (0..1); Over is the stretch the slopes
	// cover.
	PerHour, Tail float64
	Climbing      float64
	Over          time.Duration
}

// Throttling is the share of CFS periods in which a container was
// throttled: over the whole range (pooled over pods), and the P95 of
// 5-minute windows (the worst pod's).
type Throttling struct {
	Share, P95 float64
	// Periods counts the CFS periods the shares rest on.
	Periods float64
}
