package model

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

func TestHistoryStateRoundTrip(t *testing.T) {
	h := NewHistory(HistoryConfig{Points: 4, PeakWindow: time.Hour, HalfLife: 24 * time.Hour})
	t0 := time.Unix(1_700_000_000, 0).UTC()
	for i := range 10 {
		at := t0.Add(time.Duration(i) * 4 * time.Minute)
		if i >= 5 {
			at = at.Add(time.Hour) // a gap that is not watched
		}
		h.Add("a", Sample{Time: at, CPU: int64(100 + i), Memory: int64(100+i) << 20}, 250)
		h.AddPoint(Point{Unix: at.Unix(), CPU: int64(i)})
	}
	_, got := roundTrip(t, h)
	if got.Span() != 32*time.Minute {
		t.Errorf("restored span %v, want 32m (the hour's gap left out)", got.Span())
	}
	if !reflect.DeepEqual(got.State(), h.State()) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got.State(), h.State())
	}
	if got.Config() != h.Config() || got.MemoryPeaks().Percentile(0.9) != h.MemoryPeaks().Percentile(0.9) {
		t.Fatal("restored history advises differently")
	}
	// The restored history keeps growing like the original.
	p := Point{Unix: t0.Add(time.Hour).Unix(), CPU: 99}
	got.AddPoint(p)
	if last, _ := got.LastPoint(); last != p || len(got.Points()) != 4 {
		t.Fatalf("ring after restore: %+v", got.Points())
	}
}

func TestHistoryFromStateRejectsDamage(t *testing.T) {
	good := func() HistoryState {
		h := NewHistory(DefaultHistoryConfig)
		h.Add("a", Sample{Time: time.Unix(1_700_000_000, 0), CPU: 100, Memory: 1 << 20}, 100)
		return h.State()
	}
	cases := map[string]func(s *HistoryState){
		"foreign layout":    func(s *HistoryState) { s.CPU.Ratio = 1.1 },
		"weights past end":  func(s *HistoryState) { s.CPU.Offset = s.CPU.Buckets },
		"negative offset":   func(s *HistoryState) { s.CPU.Offset = -1 },
		"NaN weight":        func(s *HistoryState) { s.CPU.Weights[0] = math.NaN() },
		"negative weight":   func(s *HistoryState) { s.CPU.Weights[0] = -1 },
		"total mismatch":    func(s *HistoryState) { s.CPU.Total += 5 },
		"zero half-life":    func(s *HistoryState) { s.Memory.HalfLife = 0 },
		"negative samples":  func(s *HistoryState) { s.Samples = -3 },
		"infinite total":    func(s *HistoryState) { s.CPU.Total = math.Inf(1) },
		"memory layout cpu": func(s *HistoryState) { s.Memory = NewCPUHistogram(time.Hour) },
		"negative watched":  func(s *HistoryState) { d := -time.Second; s.Watched = &d },
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			s := good()
			damage(&s)
			if h, err := HistoryFromState(s); err == nil {
				t.Fatalf("accepted damaged state: %+v", h.State())
			}
		})
	}
	// Missing histograms are replaced by empty ones.
	s := good()
	s.CPU, s.Memory = nil, nil
	h, err := HistoryFromState(s)
	if err != nil || h.CPU == nil || h.Memory == nil || !h.CPU.Empty() {
		t.Fatalf("nil histograms: %v %+v", err, h)
	}
}

// A file written before kgotop counted gaps has no watched time: it loads
// as watched from its first sample to its last, as it was read then.
func TestHistoryStateWithoutWatchedTime(t *testing.T) {
	h := NewHistory(DefaultHistoryConfig)
	t0 := time.Unix(1_700_000_000, 0)
	h.Add("a", Sample{Time: t0, CPU: 1, Memory: 1}, 100)
	h.Add("a", Sample{Time: t0.Add(time.Hour), CPU: 1, Memory: 1}, 100)
	s := h.State()
	s.Watched = nil
	got, err := HistoryFromState(s)
	if err != nil {
		t.Fatal(err)
	}
	if h.Span() != 0 || got.Span() != time.Hour {
		t.Errorf("span %v, from an old file %v; want 0 and 1h", h.Span(), got.Span())
	}
}

// roundTrip saves a history as JSON and loads it back.
func roundTrip(t *testing.T, h *History) (HistoryState, *History) {
	t.Helper()
	b, err := json.Marshal(h.State())
	if err != nil {
		t.Fatal(err)
	}
	var s HistoryState
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	back, err := HistoryFromState(s)
	if err != nil {
		t.Fatal(err)
	}
	return s, back
}
