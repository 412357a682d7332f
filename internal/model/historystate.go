package model

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// HistoryState is the serialisable form of a History: everything it holds,
// with the ring of points in oldest-first order. internal/store saves it
// between runs of kgotop.
type HistoryState struct {
	Config  HistoryConfig `json:"config"`
	Points  []Point       `json:"points,omitempty"`
	First   time.Time     `json:"first"`
	Last    time.Time     `json:"last"`
	Samples int64         `json:"samples"`
	// Watched is absent from files of kgotop before it counted gaps; they
	// load as watched from first to last.
	Watched     *time.Duration   `json:"watched_ns,omitempty"`
	CPUPeak     Peak             `json:"cpu_peak"`
	MemoryPeak  Peak             `json:"memory_peak"`
	CPU         *Histogram       `json:"cpu"`
	Memory      *Histogram       `json:"memory"`
	WindowStart time.Time        `json:"window_start"`
	WindowPeaks map[string]int64 `json:"window_peaks,omitempty"`
	Windows     int              `json:"windows"`
	// Past is what of the history was read from a store of metrics.
	Past *Past `json:"past,omitempty"`
}

// State returns a deep copy of the history in serialisable form.
func (h *History) State() HistoryState {
	c := h.Clone()
	return HistoryState{
		Config:      c.cfg,
		Points:      c.Points(),
		First:       c.First,
		Last:        c.Last,
		Samples:     c.Samples,
		Watched:     &c.Watched,
		CPUPeak:     c.CPUPeak,
		MemoryPeak:  c.MemoryPeak,
		CPU:         c.CPU,
		Memory:      c.Memory,
		WindowStart: c.WindowStart,
		WindowPeaks: c.WindowPeaks,
		Windows:     c.Windows,
		Past:        c.Past,
	}
}

// HistoryFromState rebuilds a History from its serialisable form. It
// returns an error, and no history, when the state could not have been made
// by State (a histogram with another bucket layout, weights out of range,
// negative counts), so that a damaged file never yields a history that
// misleads or panics later.
func HistoryFromState(s HistoryState) (*History, error) {
	h := NewHistory(s.Config)
	if s.Samples < 0 || s.Windows < 0 {
		return nil, errors.New("negative sample or window count")
	}
	if err := checkHistogram(s.CPU, h.CPU); err != nil {
		return nil, fmt.Errorf("cpu histogram: %w", err)
	}
	if err := checkHistogram(s.Memory, h.Memory); err != nil {
		return nil, fmt.Errorf("memory histogram: %w", err)
	}
	if s.CPU != nil {
		h.CPU = s.CPU.Clone()
	}
	if s.Memory != nil {
		h.Memory = s.Memory.Clone()
	}
	h.First, h.Last, h.Samples = s.First, s.Last, s.Samples
	switch {
	case s.Watched == nil:
		h.Watched = s.Last.Sub(s.First)
	case *s.Watched < 0:
		return nil, errors.New("negative watched time")
	default:
		h.Watched = *s.Watched
	}
	h.CPUPeak, h.MemoryPeak = s.CPUPeak, s.MemoryPeak
	h.WindowStart, h.Windows = s.WindowStart, s.Windows
	if s.Past != nil {
		if s.Past.Samples < 0 || s.Past.Watched < 0 {
			return nil, errors.New("negative past samples or span")
		}
		p := *s.Past
		h.Past = &p
	}
	if len(s.WindowPeaks) > 0 {
		h.WindowPeaks = make(map[string]int64, len(s.WindowPeaks))
		for k, v := range s.WindowPeaks {
			h.WindowPeaks[k] = v
		}
	}
	// Keep the newest points that fit the ring.
	pts := s.Points
	if len(pts) > h.cfg.Points {
		pts = pts[len(pts)-h.cfg.Points:]
	}
	for _, p := range pts {
		h.AddPoint(p)
	}
	return h, nil
}

// checkHistogram reports whether got is nil or a histogram with the layout
// of want whose weights are finite, non-negative and inside its buckets.
func checkHistogram(got, want *Histogram) error {
	if got == nil {
		return nil
	}
	if got.First != want.First || got.Ratio != want.Ratio || got.Buckets != want.Buckets {
		return fmt.Errorf("bucket layout %v/%v/%d, want %v/%v/%d",
			got.First, got.Ratio, got.Buckets, want.First, want.Ratio, want.Buckets)
	}
	if got.HalfLife <= 0 {
		return errors.New("non-positive half-life")
	}
	if got.Offset < 0 || got.Offset+len(got.Weights) > got.Buckets {
		return fmt.Errorf("weights [%d, %d) outside %d buckets", got.Offset, got.Offset+len(got.Weights), got.Buckets)
	}
	sum := 0.0
	for _, w := range got.Weights {
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("bad weight %v", w)
		}
		sum += w
	}
	if math.IsNaN(got.Total) || math.IsInf(got.Total, 0) || math.Abs(got.Total-sum) > 1e-6*max(1, sum) {
		return fmt.Errorf("total %v does not match weights %v", got.Total, sum)
	}
	return nil
}
