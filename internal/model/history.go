package model

import (
	"maps"
	"slices"
	"time"
)

// Sample is one metrics.k8s.io measurement of one container: CPU is the
// average over Window ending at Time, in millicores; Memory is the working
// set at Time, in bytes.
type Sample struct {
	Time   time.Time
	Window time.Duration
	CPU    int64
	Memory int64
}

// Point is one metrics window of a container aggregated over its replicas:
// the largest CPU and memory any single replica used. Time is unix seconds to
// keep the ring small.
type Point struct {
	Unix   int64
	CPU    int64
	Memory int64
}

// Time returns the point's time.
func (p Point) Time() time.Time { return time.Unix(p.Unix, 0) }

// Peak is the largest value seen and when.
type Peak struct {
	Value int64
	Time  time.Time
}

func (p *Peak) observe(v int64, t time.Time) {
	if v > p.Value || p.Time.IsZero() {
		p.Value, p.Time = v, t
	}
}

// HistoryConfig sizes a History.
type HistoryConfig struct {
	// Points is how many aggregated points the ring keeps for sparklines.
	Points int
	// HalfLife is the decay half-life of both histograms (VPA: 24h).
	HalfLife time.Duration
	// PeakWindow is the length of the windows whose memory peaks feed the
	// memory histogram (VPA: 24h).
	PeakWindow time.Duration
}

// DefaultHistoryConfig follows the VPA recommender, with a ring of two hours at 15 s.
var DefaultHistoryConfig = HistoryConfig{Points: 480, HalfLife: 24 * time.Hour, PeakWindow: 24 * time.Hour}

// MaxSampleGap is the longest time between two samples that still counts
// as watched: a few metrics windows (metrics-server's resolution is 15 s
// to 60 s) with room for a missed poll.
const MaxSampleGap = 5 * time.Minute

// History is the bounded usage history of one container across a workload's
// replicas. Its size does not grow with run time: the ring is fixed and the
// histograms have a fixed number of buckets.
type History struct {
	cfg    HistoryConfig
	points []Point // ring
	next   int     // where the next point goes once the ring is full
	// shared says a clone reads the ring's array too: it is copied before
	// an element is overwritten (appending past a clone's length is safe).
	shared bool

	// First and Last bound the sample times seen; Samples counts container
	// samples (one per replica per metrics window).
	First, Last time.Time
	Samples     int64
	// Watched is how much of First..Last was watched: the time between
	// successive samples, leaving out gaps longer than MaxSampleGap (kgotop
	// was not running, or could not reach the metrics API).
	Watched time.Duration
	// CPUPeak and MemoryPeak are the largest single-replica values seen.
	CPUPeak, MemoryPeak Peak
	// CPU is a decaying histogram of CPU samples in cores, weighted by the
	// request (VPA: max(request cores, 0.1)).
	CPU *Histogram
	// Memory is a decaying histogram of per-window memory peaks in bytes, one
	// per replica per closed window.
	Memory *Histogram
	// Window is the open memory peak window: its start and each replica's peak in it.
	WindowStart time.Time
	WindowPeaks map[string]int64
	// Windows counts closed peak windows.
	Windows int
	// Past, when set, says which part of the history was read from a store
	// of metrics (Backfill) rather than watched by kgotop.
	Past *Past
	// PodCPU is each replica's CPU while this run of kgotop watched it (it
	// is not saved between runs): whether one replica works harder than
	// the others. Forget drops a replica that is gone.
	PodCPU map[string]PodCPU
}

// PodCPU sums one replica's CPU samples.
type PodCPU struct {
	// MilliSeconds is millicores x seconds over Seconds of samples.
	MilliSeconds, Seconds float64
}

// Mean returns the replica's mean CPU in millicores, 0 with no samples.
func (p PodCPU) Mean() float64 {
	if p.Seconds <= 0 {
		return 0
	}
	return p.MilliSeconds / p.Seconds
}

// NewHistory returns an empty history.
func NewHistory(cfg HistoryConfig) *History {
	if cfg.Points <= 0 {
		cfg.Points = DefaultHistoryConfig.Points
	}
	if cfg.HalfLife <= 0 {
		cfg.HalfLife = DefaultHistoryConfig.HalfLife
	}
	if cfg.PeakWindow <= 0 {
		cfg.PeakWindow = DefaultHistoryConfig.PeakWindow
	}
	return &History{
		cfg:    cfg,
		CPU:    NewCPUHistogram(cfg.HalfLife),
		Memory: NewMemoryHistogram(cfg.HalfLife),
	}
}

// Config returns the configuration the history was made with.
func (h *History) Config() HistoryConfig { return h.cfg }

// Add records one sample of one replica (pod). cpuRequest is the container's
// CPU request in millicores, used to weigh the sample as the VPA does.
func (h *History) Add(pod string, s Sample, cpuRequest int64) {
	if h.First.IsZero() || s.Time.Before(h.First) {
		h.First = s.Time
	}
	if s.Time.After(h.Last) {
		if gap := s.Time.Sub(h.Last); !h.Last.IsZero() && gap <= MaxSampleGap {
			h.Watched += gap
		}
		h.Last = s.Time
	}
	h.Samples++
	h.CPUPeak.observe(s.CPU, s.Time)
	h.MemoryPeak.observe(s.Memory, s.Time)

	weight := max(float64(cpuRequest)/1000, 0.1)
	h.CPU.Add(float64(s.CPU)/1000, weight, s.Time)

	if h.WindowStart.IsZero() {
		h.WindowStart = s.Time
	}
	if s.Time.Sub(h.WindowStart) >= h.cfg.PeakWindow {
		h.closeWindow()
		// Start the new window on the grid of the old one.
		n := s.Time.Sub(h.WindowStart) / h.cfg.PeakWindow
		h.WindowStart = h.WindowStart.Add(n * h.cfg.PeakWindow)
	}
	if h.WindowPeaks == nil {
		h.WindowPeaks = map[string]int64{}
	}
	if s.Memory > h.WindowPeaks[pod] {
		h.WindowPeaks[pod] = s.Memory
	}
	if h.PodCPU == nil {
		h.PodCPU = map[string]PodCPU{}
	}
	secs := max(s.Window.Seconds(), 1)
	p := h.PodCPU[pod]
	p.MilliSeconds += float64(s.CPU) * secs
	p.Seconds += secs
	h.PodCPU[pod] = p
}

func (h *History) closeWindow() {
	for _, v := range h.WindowPeaks {
		h.Memory.Add(float64(v), 1, h.WindowStart)
	}
	if len(h.WindowPeaks) > 0 {
		h.Windows++
	}
	clear(h.WindowPeaks)
}

// OpenWindowPeak returns the largest peak of any replica in the open window.
func (h *History) OpenWindowPeak() int64 {
	var p int64
	for _, v := range h.WindowPeaks {
		p = max(p, v)
	}
	return p
}

// MemoryPeaks returns a copy of the memory peak histogram that also holds the
// open window's peaks, so that advice made before the first window closes
// still rests on every peak seen.
func (h *History) MemoryPeaks() *Histogram {
	c := h.Memory.Clone()
	for _, v := range h.WindowPeaks {
		c.Add(float64(v), 1, h.WindowStart)
	}
	return c
}

// Forget drops a replica's open-window peak (its pod is gone), after folding
// it into the memory histogram so that it still counts.
func (h *History) Forget(pod string) {
	if v, ok := h.WindowPeaks[pod]; ok {
		h.Memory.Add(float64(v), 1, h.WindowStart)
		delete(h.WindowPeaks, pod)
	}
	delete(h.PodCPU, pod)
}

// AddPoint appends an aggregated point to the ring, replacing the oldest once full.
func (h *History) AddPoint(p Point) {
	if len(h.points) < h.cfg.Points {
		h.points = append(h.points, p)
		return
	}
	if h.shared {
		h.points, h.shared = slices.Clone(h.points), false
	}
	h.points[h.next] = p
	h.next = (h.next + 1) % len(h.points)
}

// Points returns the ring's points, oldest first.
func (h *History) Points() []Point {
	out := make([]Point, 0, len(h.points))
	out = append(out, h.points[h.next:]...)
	return append(out, h.points[:h.next]...)
}

// LastPoint returns the newest point and whether there is one.
func (h *History) LastPoint() (Point, bool) {
	if len(h.points) == 0 {
		return Point{}, false
	}
	// While the ring fills, next stays 0 and the newest point is the last one.
	i := (h.next - 1 + len(h.points)) % len(h.points)
	return h.points[i], true
}

// Span returns how long the history was watched: the time between the
// first and the last sample, less the gaps in it (see Watched). Advice
// rests its confidence on it, so two short runs a day apart count as two
// short runs, not a day.
func (h *History) Span() time.Duration {
	if h.First.IsZero() {
		return 0
	}
	return min(h.Watched, h.Last.Sub(h.First))
}

// Watching says how long the history was watched: "8h3m of history";
// "20m of history spread over 7h59m" when gaps (a crash loop's back-offs,
// kgotop not running) leave most of the span unwatched; "samples scattered
// over 7h57m" when no two of them are close enough to count as watched.
func (h *History) Watching() string {
	span := h.Last.Sub(h.First)
	switch {
	case h.First.IsZero() || span <= h.Span()+MaxSampleGap:
		return FormatAge(h.Span()) + " of history"
	case h.Span() < time.Minute:
		return "samples scattered over " + FormatAge(span)
	}
	return FormatAge(h.Span()) + " of history spread over " + FormatAge(span)
}

// Clone returns a copy, safe to read while the original keeps growing. The
// ring's array is shared until the original overwrites a point (a ring of
// two hours is 11 KB, and the collector publishes a clone of every history
// each metrics window). Cloning a clone changes neither.
func (h *History) Clone() *History {
	if h == nil {
		return nil
	}
	c := *h
	c.points = h.points[:len(h.points):len(h.points)]
	if !h.shared { // a clone is shared already: never written, so safe to clone from several goroutines
		h.shared = true
	}
	c.shared = true
	c.CPU = h.CPU.Clone()
	c.Memory = h.Memory.Clone()
	if h.WindowPeaks != nil {
		c.WindowPeaks = maps.Clone(h.WindowPeaks)
	}
	if h.PodCPU != nil {
		c.PodCPU = maps.Clone(h.PodCPU)
	}
	return &c
}
