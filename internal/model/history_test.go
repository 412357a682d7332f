package model

import (
	"slices"
	"testing"
	"time"
)

func TestHistoryRingIsBounded(t *testing.T) {
	h := NewHistory(HistoryConfig{Points: 3})
	if _, ok := h.LastPoint(); ok {
		t.Fatal("empty history has a last point")
	}
	for i := int64(1); i <= 5; i++ {
		h.AddPoint(Point{Unix: i, CPU: i})
		if p, _ := h.LastPoint(); p.Unix != i {
			t.Fatalf("after adding %d last point is %d", i, p.Unix)
		}
	}
	got := h.Points()
	if len(got) != 3 || got[0].Unix != 3 || got[2].Unix != 5 {
		t.Fatalf("ring = %+v, want points 3,4,5", got)
	}
}

func TestHistoryPeaksAndWindows(t *testing.T) {
	h := NewHistory(HistoryConfig{Points: 10, PeakWindow: time.Hour, HalfLife: 24 * time.Hour})
	t0 := time.Unix(1_700_000_000, 0)
	h.Add("a", Sample{Time: t0, CPU: 100, Memory: 100 << 20}, 250)
	h.Add("b", Sample{Time: t0.Add(time.Minute), CPU: 300, Memory: 50 << 20}, 250)
	h.Add("a", Sample{Time: t0.Add(2 * time.Minute), CPU: 50, Memory: 150 << 20}, 250)
	if h.CPUPeak.Value != 300 || h.MemoryPeak.Value != 150<<20 || h.Samples != 3 {
		t.Fatalf("peaks %+v %+v samples %d", h.CPUPeak, h.MemoryPeak, h.Samples)
	}
	if h.Windows != 0 || h.OpenWindowPeak() != 150<<20 {
		t.Fatalf("open window: windows %d peak %d", h.Windows, h.OpenWindowPeak())
	}
	// The open window counts in MemoryPeaks but not yet in Memory.
	if !h.Memory.Empty() || h.MemoryPeaks().Total != 2 {
		t.Fatalf("memory %v peaks %v", h.Memory.Total, h.MemoryPeaks().Total)
	}
	h.Add("a", Sample{Time: t0.Add(61 * time.Minute), CPU: 10, Memory: 10 << 20}, 250)
	if h.Windows != 1 || h.Memory.Total != 2 {
		t.Fatalf("after a window closed: windows %d memory total %v", h.Windows, h.Memory.Total)
	}
	if !h.WindowStart.Equal(t0.Add(time.Hour)) {
		t.Fatalf("new window starts %v, want on the hour grid", h.WindowStart)
	}
	// The hour between the third sample and this one was not watched.
	if h.Span() != 2*time.Minute || h.Last.Sub(h.First) != 61*time.Minute {
		t.Fatalf("span %v, first to last %v", h.Span(), h.Last.Sub(h.First))
	}
	c := h.Clone()
	h.Add("c", Sample{Time: t0.Add(62 * time.Minute), Memory: 1 << 30}, 250)
	if c.OpenWindowPeak() == 1<<30 {
		t.Fatal("clone shares its window with the original")
	}
	h.Forget("c")
	// The folded peak is a third sample, weighted up a little for being an hour newer.
	if _, ok := h.WindowPeaks["c"]; ok || h.Memory.Total < 3 || h.Memory.Total > 3.1 {
		t.Fatalf("forget did not fold the peak in: %v", h.Memory.Total)
	}
}

func TestHistoryCPUWeighsByRequest(t *testing.T) {
	h := NewHistory(DefaultHistoryConfig)
	t0 := time.Unix(1_700_000_000, 0)
	h.Add("a", Sample{Time: t0, CPU: 100}, 0)    // weight 0.1
	h.Add("a", Sample{Time: t0, CPU: 900}, 2000) // weight 2
	if h.CPU.Total < 2.09 || h.CPU.Total > 2.11 {
		t.Fatalf("total weight %v, want 2.1", h.CPU.Total)
	}
}

// TestCloneKeepsItsPoints: a clone shares the ring's array with the original
// until the original overwrites a point; neither may see the other's later points.
func TestCloneKeepsItsPoints(t *testing.T) {
	h := NewHistory(HistoryConfig{Points: 4})
	pt := func(i int64) Point { return Point{Unix: i, CPU: i, Memory: i} }
	units := func(ps []Point) (out []int64) {
		for _, p := range ps {
			out = append(out, p.Unix)
		}
		return out
	}
	h.AddPoint(pt(1))
	h.AddPoint(pt(2))
	growing := h.Clone() // taken while the ring fills
	h.AddPoint(pt(3))
	h.AddPoint(pt(4))
	full := h.Clone()
	again := full.Clone()
	h.AddPoint(pt(5)) // overwrites the oldest
	h.AddPoint(pt(6))
	for _, c := range []struct {
		name string
		h    *History
		want []int64
	}{
		{"original", h, []int64{3, 4, 5, 6}},
		{"clone while filling", growing, []int64{1, 2}},
		{"clone when full", full, []int64{1, 2, 3, 4}},
		{"clone of a clone", again, []int64{1, 2, 3, 4}},
	} {
		if got := units(c.h.Points()); !slices.Equal(got, c.want) {
			t.Errorf("%s: points %v, want %v", c.name, got, c.want)
		}
	}
	full.AddPoint(pt(7)) // a clone may grow too, on its own
	if got := units(again.Points()); !slices.Equal(got, []int64{1, 2, 3, 4}) {
		t.Errorf("a clone's points changed with another clone's: %v", got)
	}
	if got := units(h.Points()); !slices.Equal(got, []int64{3, 4, 5, 6}) {
		t.Errorf("the original's points changed with a clone's: %v", got)
	}
}

func TestHistoryWatchedLeavesOutGaps(t *testing.T) {
	h := NewHistory(DefaultHistoryConfig)
	t0 := time.Unix(1_700_000_000, 0)
	add := func(from, to time.Duration) {
		for at := from; at <= to; at += 15 * time.Second {
			for _, pod := range []string{"a", "b"} { // replicas share a window: counted once
				h.Add(pod, Sample{Time: t0.Add(at), CPU: 1, Memory: 1}, 100)
			}
		}
	}
	add(0, 10*time.Minute)
	add(70*time.Minute, 80*time.Minute)                           // an hour not watched
	add(80*time.Minute+MaxSampleGap, 85*time.Minute+MaxSampleGap) // a gap short enough to count
	want := 10*time.Minute + 10*time.Minute + MaxSampleGap + 5*time.Minute
	if h.Span() != want || h.Last.Sub(h.First) != 85*time.Minute+MaxSampleGap {
		t.Errorf("span %v, want %v; first to last %v", h.Span(), want, h.Last.Sub(h.First))
	}
}

func TestWatchingSaysWhenGapsLeaveMostUnwatched(t *testing.T) {
	h := NewHistory(DefaultHistoryConfig)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 41 {
		h.Add("a", Sample{Time: t0.Add(time.Duration(i) * 15 * time.Second), CPU: 1, Memory: 1}, 100)
	}
	if got := h.Watching(); got != "10m of history" {
		t.Errorf("continuous: %q", got)
	}
	h.Add("a", Sample{Time: t0.Add(3 * time.Hour), CPU: 1, Memory: 1}, 100)
	if got := h.Watching(); got != "10m of history spread over 3h" {
		t.Errorf("with a gap: %q", got)
	}
	// A crash loop's runs, each too short and too far apart to count.
	scattered := NewHistory(DefaultHistoryConfig)
	for i := range 19 {
		scattered.Add("a", Sample{Time: t0.Add(time.Duration(i) * 10 * time.Minute), CPU: 1, Memory: 1}, 100)
	}
	if got := scattered.Watching(); got != "samples scattered over 3h" {
		t.Errorf("scattered: %q", got)
	}
}

// Each replica's mean CPU is kept while it is watched, weighted by the
// samples' windows, and forgotten with the replica.
func TestHistoryPerPodCPU(t *testing.T) {
	h := NewHistory(DefaultHistoryConfig)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 4 {
		at := t0.Add(time.Duration(i) * 15 * time.Second)
		h.Add("hot", Sample{Time: at, Window: 15 * time.Second, CPU: 600}, 250)
		h.Add("cold", Sample{Time: at, Window: 15 * time.Second, CPU: 100 + int64(i)*100}, 250)
	}
	if m := h.PodCPU["hot"].Mean(); m != 600 {
		t.Errorf("hot mean %v, want 600", m)
	}
	if c := h.PodCPU["cold"]; c.Mean() != 250 || c.Seconds != 60 {
		t.Errorf("cold %+v, want mean 250 over 60s", c)
	}
	c := h.Clone()
	h.Forget("hot")
	if _, ok := h.PodCPU["hot"]; ok {
		t.Error("a forgotten replica kept its CPU")
	}
	if _, ok := c.PodCPU["hot"]; !ok {
		t.Error("forgetting changed a clone")
	}
}
