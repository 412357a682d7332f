package model

import (
	"testing"
	"time"
)

func TestAddBucketCountsAsAddDoes(t *testing.T) {
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, v := range []float64{0, 0.0004, 0.045, 0.9, 3.7, 1500} {
		a, b := NewCPUHistogram(24*time.Hour), NewCPUHistogram(24*time.Hour)
		a.Add(v, 0.3, at)
		b.AddBucket(b.BucketOf(v), 0.3, at)
		if a.Percentile(0.5) != b.Percentile(0.5) || a.Total != b.Total {
			t.Errorf("%g: Add gives %g, AddBucket %g", v, a.Percentile(0.5), b.Percentile(0.5))
		}
	}
}

// pastOf is eight days of past ending at end: 2 pods at 100m every 2m,
// one 200Mi peak per pod per day.
func pastOf(end time.Time) PastUsage {
	p := PastUsage{Past: Past{Source: "Prometheus (monitoring/prometheus-operated)", First: end.Add(-8 * 24 * time.Hour), Last: end,
		Watched: 8 * 24 * time.Hour, Samples: 8 * 720 * 2}, Windows: 8,
		CPU: NewCPUHistogram(24 * time.Hour), Memory: NewMemoryHistogram(24 * time.Hour), MemoryPeak: Peak{Value: 200 << 20, Time: end}}
	for d := range 8 {
		day := end.Add(-time.Duration(d+1) * 24 * time.Hour)
		p.CPU.AddBucket(p.CPU.BucketOf(0.1), 720*2*0.25, day.Add(12*time.Hour))
		p.Memory.AddBucket(p.Memory.BucketOf(200<<20), 2, day)
	}
	return p
}

func TestAPastGoesInFrontOfWhatKgotopWatched(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	h := NewHistory(HistoryConfig{})
	for ts := now; ts.Before(now.Add(6 * time.Minute)); ts = ts.Add(15 * time.Second) {
		h.Add("api-1", Sample{Time: ts, Window: 15 * time.Second, CPU: 100, Memory: 150 << 20}, 250)
	}
	live := h.Span()
	h.Backfill(pastOf(now.Add(-time.Minute)))
	if h.First != now.Add(-time.Minute-8*24*time.Hour) || h.Samples != 24+8*720*2 || h.Windows != 8 {
		t.Errorf("first %s, samples %d, windows %d", h.First, h.Samples, h.Windows)
	}
	// The minute between the past and the present is watched: they join.
	if want := 8*24*time.Hour + time.Minute + live; h.Span() != want {
		t.Errorf("span %s, want %s", h.Span(), want)
	}
	if h.MemoryPeak.Value != 200<<20 || h.MemoryPeaks().Percentile(0.5) < 150<<20 {
		t.Errorf("memory peak %d, P50 %g", h.MemoryPeak.Value, h.MemoryPeaks().Percentile(0.5))
	}
	if got, want := h.Provenance(), "8d from Prometheus (monitoring/prometheus-operated), then 5m45s live"; got != want {
		t.Errorf("provenance %q, want %q", got, want)
	}
	if NewHistory(HistoryConfig{}).Provenance() != "" {
		t.Error("a history kgotop watched alone names a source")
	}
}

func TestThePastIsSavedWithTheHistory(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	h := NewHistory(HistoryConfig{})
	h.Backfill(pastOf(now))
	s, back := roundTrip(t, h)
	if back.Past == nil || *back.Past != *h.Past || back.Provenance() != h.Provenance() {
		t.Errorf("past after a round trip: %+v, want %+v", back.Past, h.Past)
	}
	s.Past.Samples = -1
	if _, err := HistoryFromState(s); err == nil {
		t.Error("a negative past was accepted")
	}
}
