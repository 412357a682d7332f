package model

import (
	"math"
	"time"
)

// Histogram is the VPA recommender's decaying histogram: exponential buckets,
// each Ratio times wider than the one before, whose weights decay with a
// half-life so that recent samples count more. Bucket weights are stored
// sparsely, from the first non-empty bucket to the last, so a container whose
// usage stays in a narrow band costs a few dozen floats.
type Histogram struct {
	// First is the width of the first bucket; Ratio the growth of each next one;
	// Buckets the number of buckets (the last one is open-ended).
	First   float64
	Ratio   float64
	Buckets int
	// HalfLife is the decay half-life; Ref is the time at which a sample has weight x1.
	HalfLife time.Duration
	Ref      time.Time
	// Offset is the index of Weights[0]; Total is the sum of Weights.
	Offset  int
	Weights []float64
	Total   float64
}

// NewCPUHistogram returns a histogram for CPU in cores: first bucket 1m, 5%
// growth, up to 1000 cores.
func NewCPUHistogram(halfLife time.Duration) *Histogram {
	return newHistogram(0.001, 1000, halfLife)
}

// NewMemoryHistogram returns a histogram for memory in bytes: first bucket
// 10MB, 5% growth, up to 1TB.
func NewMemoryHistogram(halfLife time.Duration) *Histogram {
	return newHistogram(1e7, 1e12, halfLife)
}

func newHistogram(first, maxValue float64, halfLife time.Duration) *Histogram {
	const ratio = 1.05
	n := int(math.Ceil(math.Log(maxValue*(ratio-1)/first+1)/math.Log(ratio))) + 1
	return &Histogram{First: first, Ratio: ratio, Buckets: n, HalfLife: halfLife}
}

// BucketStart returns the lower bound of bucket i.
func (h *Histogram) BucketStart(i int) float64 { return h.bucketStart(i) }

// bucketStart returns the lower bound of bucket i.
func (h *Histogram) bucketStart(i int) float64 {
	if i <= 0 {
		return 0
	}
	return h.First * (math.Pow(h.Ratio, float64(i)) - 1) / (h.Ratio - 1)
}

// bucket returns the bucket that holds v.
func (h *Histogram) bucket(v float64) int {
	if v < h.First {
		return 0
	}
	i := int(math.Floor(math.Log(v*(h.Ratio-1)/h.First+1) / math.Log(h.Ratio)))
	// Guard against rounding at bucket edges.
	for i > 0 && h.bucketStart(i) > v {
		i--
	}
	for i+1 < h.Buckets && h.bucketStart(i+1) <= v {
		i++
	}
	return min(i, h.Buckets-1)
}

// maxDecayExponent bounds the decay factor before the reference time moves,
// as the VPA does, so weights stay finite.
const maxDecayExponent = 100

// Add adds value with weight at time t. Values that are NaN, infinite or
// negative and non-positive weights are ignored.
func (h *Histogram) Add(value, weight float64, t time.Time) {
	if math.IsNaN(value) || math.IsInf(value, 0) || value < 0 {
		return
	}
	h.AddBucket(h.bucket(value), weight, t)
}

// BucketOf returns the index of the bucket that holds value: what
// floor(ln(1 + value x (Ratio-1) / First) / ln(Ratio)) gives, so that a
// store of metrics can bucket samples server-side (kgotop's PromQL does).
func (h *Histogram) BucketOf(value float64) int { return h.bucket(value) }

// AddBucket adds weight at time t to bucket i (clamped to the buckets):
// samples bucketed elsewhere, counted as if each had been added with Add.
// Non-positive and infinite weights are ignored.
func (h *Histogram) AddBucket(i int, weight float64, t time.Time) {
	if !(weight > 0) || math.IsInf(weight, 0) {
		return
	}
	i = min(max(i, 0), h.Buckets-1)
	if h.Ref.IsZero() {
		h.Ref = t
	}
	exp := float64(t.Sub(h.Ref)) / float64(h.HalfLife)
	if exp > maxDecayExponent {
		h.shiftRef(t)
		exp = 0
	}
	w := weight * math.Exp2(exp)
	h.grow(i)
	h.Weights[i-h.Offset] += w
	h.Total += w
}

// shiftRef moves the reference time to t, scaling every weight down.
func (h *Histogram) shiftRef(t time.Time) {
	f := math.Exp2(-float64(t.Sub(h.Ref)) / float64(h.HalfLife))
	h.Total = 0
	for i := range h.Weights {
		h.Weights[i] *= f
		h.Total += h.Weights[i]
	}
	h.Ref = t
}

// grow makes bucket i addressable in Weights.
func (h *Histogram) grow(i int) {
	switch {
	case len(h.Weights) == 0:
		h.Offset = i
		h.Weights = []float64{0}
	case i < h.Offset:
		w := make([]float64, len(h.Weights)+h.Offset-i)
		copy(w[h.Offset-i:], h.Weights)
		h.Weights, h.Offset = w, i
	case i >= h.Offset+len(h.Weights):
		h.Weights = append(h.Weights, make([]float64, i-h.Offset-len(h.Weights)+1)...)
	}
}

// Empty reports whether the histogram holds no weight.
func (h *Histogram) Empty() bool { return h == nil || h.Total <= 0 }

// Percentile returns the value below which fraction p (0..1) of the weight
// lies: the end of the bucket where the running sum reaches p, as the VPA
// does (the start of the last, open-ended bucket). It returns 0 when empty.
func (h *Histogram) Percentile(p float64) float64 {
	if h.Empty() {
		return 0
	}
	threshold := p * h.Total
	sum := 0.0
	i := 0
	for ; i < len(h.Weights)-1; i++ {
		sum += h.Weights[i]
		if sum >= threshold {
			break
		}
	}
	b := i + h.Offset
	if b < h.Buckets-1 {
		return h.bucketStart(b + 1)
	}
	return h.bucketStart(b)
}

// ShareAtLeast returns the share (0..1) of the weight at v or more as the
// percentiles read it: in buckets whose end reaches v, the bucket that
// holds v included (a percentile is the end of its bucket), so that
// Percentile(1-share) is v or more. It returns 0 when empty.
func (h *Histogram) ShareAtLeast(v float64) float64 {
	if h.Empty() {
		return 0
	}
	var sum float64
	for i, w := range h.Weights {
		b := i + h.Offset
		end := h.bucketStart(min(b+1, h.Buckets-1))
		if end >= v {
			sum += w
		}
	}
	return min(sum/h.Total, 1)
}

// CappedPercentile is Percentile p, never above peak, the largest value
// seen: a bucket's end lies up to 5% above any sample in it, and a P90
// above the peak would be a number nobody measured. In the last,
// open-ended bucket (beyond 1000 cores or 1TB) the histogram cannot tell
// values apart and the peak is the answer. A peak of 0 caps nothing. The
// advice and the dashboard's detail view both read percentiles this way.
func (h *Histogram) CappedPercentile(p, peak float64) float64 {
	v := h.Percentile(p)
	switch {
	case v >= h.bucketStart(h.Buckets-1):
		return max(v, peak)
	case peak > 0:
		return min(v, peak)
	}
	return v
}

// Clone returns a deep copy.
func (h *Histogram) Clone() *Histogram {
	if h == nil {
		return nil
	}
	c := *h
	c.Weights = append([]float64(nil), h.Weights...)
	return &c
}

// Merge adds o's weights into h (decayed to h's reference time). Both must
// have the same bucket layout; Merge does nothing otherwise.
func (h *Histogram) Merge(o *Histogram) {
	if o.Empty() || o.First != h.First || o.Ratio != h.Ratio || o.Buckets != h.Buckets {
		return
	}
	if h.Ref.IsZero() {
		h.Ref = o.Ref
	}
	f := math.Exp2(float64(o.Ref.Sub(h.Ref)) / float64(h.HalfLife))
	for j, w := range o.Weights {
		if w == 0 {
			continue
		}
		i := j + o.Offset
		h.grow(i)
		h.Weights[i-h.Offset] += w * f
		h.Total += w * f
	}
}
