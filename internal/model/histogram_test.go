package model

import (
	"math"
	"testing"
	"time"
)

func TestHistogramPercentileEndsOfBuckets(t *testing.T) {
	h := NewCPUHistogram(24 * time.Hour)
	t0 := time.Unix(1_700_000_000, 0)
	// 90 samples at 0.1 cores and 10 at 0.5 cores: P50 and P85 sit at ~0.1, P95 at ~0.5.
	for range 90 {
		h.Add(0.1, 1, t0)
	}
	for range 10 {
		h.Add(0.5, 1, t0)
	}
	for _, c := range []struct {
		p, want float64
	}{{0.5, 0.1}, {0.85, 0.1}, {0.95, 0.5}, {1, 0.5}} {
		got := h.Percentile(c.p)
		// A percentile is the end of a 5% bucket: never below the value, at most 5% above.
		if got < c.want || got > c.want*1.051 {
			t.Errorf("P%v = %v, want within [%v, %v]", c.p*100, got, c.want, c.want*1.05)
		}
	}
}

// A percentile never reads above the peak seen, except in the open-ended
// last bucket, where the peak is all the histogram can say.
func TestHistogramCappedPercentile(t *testing.T) {
	h := NewCPUHistogram(24 * time.Hour)
	t0 := time.Unix(1_700_000_000, 0)
	for range 100 {
		h.Add(0.971, 1, t0)
	}
	raw := h.Percentile(0.9)
	if raw <= 0.971 {
		t.Fatalf("the bucket's end should lie above the sample: %v", raw)
	}
	if got := h.CappedPercentile(0.9, 0.971); got != 0.971 {
		t.Errorf("capped at the peak: %v, want 0.971", got)
	}
	if got := h.CappedPercentile(0.9, 2); got != raw {
		t.Errorf("a peak above the bucket caps nothing: %v, want %v", got, raw)
	}
	if got := h.CappedPercentile(0.9, 0); got != raw {
		t.Errorf("no peak known: %v, want %v", got, raw)
	}
	h.Add(5000, 1e6, t0) // past the last bucket's start (1000 cores)
	if got := h.CappedPercentile(0.9, 5000); got != 5000 {
		t.Errorf("in the open-ended bucket the peak is the answer: %v", got)
	}
}

func TestHistogramEmptyAndBadInput(t *testing.T) {
	h := NewMemoryHistogram(time.Hour)
	if !h.Empty() || h.Percentile(0.9) != 0 {
		t.Fatal("new histogram should be empty with percentile 0")
	}
	now := time.Now()
	h.Add(math.NaN(), 1, now)
	h.Add(math.Inf(1), 1, now)
	h.Add(-5, 1, now)
	h.Add(100, 0, now)
	h.Add(100, math.NaN(), now)
	if !h.Empty() {
		t.Fatalf("bad input was counted: total %v", h.Total)
	}
	h.Add(1e15, 1, now) // beyond the last bucket lands in the open-ended one
	if got := h.Percentile(1); got <= 0 || got > 1.1e12 {
		t.Fatalf("huge value percentile = %v", got)
	}
}

func TestHistogramDecayFavoursRecent(t *testing.T) {
	h := NewCPUHistogram(time.Hour)
	t0 := time.Unix(1_700_000_000, 0)
	h.Add(1.0, 1, t0)                  // old, high
	h.Add(0.1, 1, t0.Add(5*time.Hour)) // five half-lives later: weight x32
	if p := h.Percentile(0.5); p > 0.11 {
		t.Fatalf("P50 = %v, want the recent 0.1 to dominate", p)
	}
	// Far in the future the reference shifts instead of overflowing.
	h.Add(0.2, 1, t0.Add(500*time.Hour))
	if math.IsInf(h.Total, 0) || math.IsNaN(h.Total) {
		t.Fatalf("total overflowed: %v", h.Total)
	}
	if p := h.Percentile(0.5); p < 0.2 || p > 0.22 {
		t.Fatalf("after shift P50 = %v, want ~0.2", p)
	}
}

func TestHistogramBucketsAreContiguousAndSparse(t *testing.T) {
	h := NewMemoryHistogram(time.Hour)
	for i := 0; i < h.Buckets; i++ {
		if b := h.bucket(h.bucketStart(i)); b != i {
			t.Fatalf("bucket(start(%d)) = %d", i, b)
		}
	}
	now := time.Now()
	h.Add(300<<20, 1, now)
	h.Add(100<<20, 1, now)
	h.Add(200<<20, 1, now)
	if len(h.Weights) > 30 {
		t.Fatalf("weights not sparse: %d buckets for values within 100-300MiB", len(h.Weights))
	}
	if p := h.Percentile(0); p < 100<<20 || p > 106<<20 {
		t.Fatalf("P0 = %v, want ~100MiB", p)
	}
}

func TestHistogramMergeAndClone(t *testing.T) {
	a, b := NewCPUHistogram(time.Hour), NewCPUHistogram(time.Hour)
	now := time.Now()
	a.Add(0.1, 1, now)
	b.Add(0.9, 3, now)
	c := a.Clone()
	c.Merge(b)
	if a.Total != 1 {
		t.Fatalf("clone shares weights with original: total %v", a.Total)
	}
	if c.Total != 4 || c.Percentile(0.5) < 0.9 {
		t.Fatalf("merge: total %v P50 %v", c.Total, c.Percentile(0.5))
	}
	c.Merge(NewMemoryHistogram(time.Hour)) // different layout: ignored
	if c.Total != 4 {
		t.Fatal("merging a different layout changed the histogram")
	}
}

// ShareAtLeast reads a share as the percentiles do: a bucket counts by its
// end, so the bucket holding the value counts, and P(1-share) is the value
// or more.
func TestHistogramShareAtLeast(t *testing.T) {
	h := NewCPUHistogram(24 * time.Hour)
	t0 := time.Unix(1_700_000_000, 0)
	if got := h.ShareAtLeast(0.95); got != 0 {
		t.Errorf("empty: %v", got)
	}
	for _, v := range []float64{0.5, 0.6, 0.94, 1.0} {
		h.Add(v, 1, t0)
	}
	// 0.94 shares the bucket [0.923, 0.971) with 0.95: it counts.
	for _, c := range []struct{ at, want float64 }{{0.95, 0.5}, {0.3, 1}, {1.2, 0}, {0.55, 0.75}, {0.98, 0.25}} {
		got := h.ShareAtLeast(c.at)
		if math.Abs(got-c.want) > 1e-9 {
			t.Errorf("share at %v or more = %v, want %v", c.at, got, c.want)
		}
		if p := 1 - got + 1e-9; got > 0 && h.Percentile(p) < c.at {
			t.Errorf("P%v = %v, below %v", 100*p, h.Percentile(p), c.at)
		}
	}
}
