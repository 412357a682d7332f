package advisor

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// TestBoundsNarrowWithHistory checks the VPA's confidence widening: the
// same usage seen for longer gives a tighter range around the same target;
// below the sizing minimum it widens no further than at it.
func TestBoundsNarrowWithHistory(t *testing.T) {
	var prevWidth float64
	for i, span := range []time.Duration{20 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
		h := usage(span, time.Minute, 1, 2000, spiky(100, 300, 200*mi, 260*mi))
		w := deployment(withProbes(model.Container{Resources: res(2000, 0, 0, 0), Usage: h}))
		a := find(AdviseWorkload(w, Options{}), KindCPURequest)
		if a == nil || a.Range == nil {
			t.Fatalf("%s: no ranged cpu-request advice", span)
		}
		lo, s, hi := a.Range.Lower.Amount, a.Suggested.Amount, a.Range.Upper.Amount
		if lo > s || s > hi {
			t.Errorf("%s: range %d..%d does not hold the target %d", span, lo, hi, s)
		}
		width := float64(hi) / float64(lo)
		if belowMin := span < defaultSizingMin; i > 0 && (width > prevWidth || width == prevWidth && !belowMin) {
			t.Errorf("%s: range x%.2f is not narrower than x%.2f with less history", span, width, prevWidth)
		}
		prevWidth = width
		wantLevel := map[bool]Level{true: Low, false: Medium}[span < 3*time.Hour]
		if span >= 24*time.Hour {
			wantLevel = High
		}
		if a.Confidence.Level != wantLevel || (wantLevel == Low) != strings.Contains(a.Confidence.Note, "watch at least") {
			t.Errorf("%s: confidence %+v, want %s", span, a.Confidence, wantLevel)
		}
	}
}

func TestStaleHistoryIsSaid(t *testing.T) {
	h := usage(84*time.Hour, 5*time.Minute, 1, 2000, steady(100, 100*mi))
	w := deployment(withProbes(model.Container{Resources: res(2000, 0, 0, 0), Usage: h}))
	snap := model.Snapshot{Taken: h.Last.Add(5 * time.Hour), Workloads: []model.Workload{w}}
	a := find(Advise(snap, Options{}), KindCPURequest)
	if a == nil || !strings.Contains(a.Confidence.Note, "newest sample is 5h old") {
		t.Fatalf("stale history not said: %+v", a)
	}
}

func TestWatchLongerThresholds(t *testing.T) {
	for _, tc := range []struct {
		span    time.Duration
		step    time.Duration
		opts    Options
		sizes   bool
		comment string
	}{
		{5 * time.Minute, 15 * time.Second, Options{}, false, "under the default 10 minutes"},
		{12 * time.Minute, 15 * time.Second, Options{}, true, "past 10 minutes and 10 samples"},
		{12 * time.Minute, 2 * time.Minute, Options{}, false, "past 10 minutes but only 7 samples"},
		{time.Hour, 20 * time.Minute, Options{}, false, "an hour of 20-minute gaps is not an hour watched"},
		{12 * time.Minute, 15 * time.Second, Options{MinSpan: time.Hour}, false, "a stricter minimum"},
	} {
		w := deployment(withProbes(model.Container{Resources: res(2000, 0, 0, 0), Usage: usage(tc.span, tc.step, 1, 2000, steady(100, 100*mi))}))
		got := AdviseWorkload(w, tc.opts)
		if sized := find(got, KindCPURequest) != nil; sized != tc.sizes || (find(got, KindWatchLonger) != nil) == tc.sizes {
			t.Errorf("%s: got %v", tc.comment, kinds(got))
		}
	}
}

func TestTimeSensitive(t *testing.T) {
	h := usage(4*time.Hour, time.Minute, 2, 250, steady(100, 200*mi))
	w := deployment(withProbes(model.Container{Resources: res(250, 256*mi, 0, 512*mi), Usage: h}))
	end := h.Last
	at := func(d time.Duration) []Advice { return AdviseWorkload(w, Options{Now: end.Add(d)}) }
	// Fresh: the advice is the same however the clock moves.
	if TimeSensitive(w, end.Add(time.Hour)) || !reflect.DeepEqual(at(time.Minute), at(time.Hour)) {
		t.Error("advice on an hour-old history changed with the clock alone, or was called time-sensitive")
	}
	// Stale: the confidence says how old the newest sample is.
	if !TimeSensitive(w, end.Add(time.Hour+time.Second)) || reflect.DeepEqual(at(2*time.Hour), at(3*time.Hour)) {
		t.Error("advice on a stale history should name its age and be called time-sensitive")
	}
	if TimeSensitive(deployment(withProbes(model.Container{})), end.Add(48*time.Hour)) {
		t.Error("no history: nothing depends on the clock")
	}
}
