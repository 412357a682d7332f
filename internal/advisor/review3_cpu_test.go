package advisor

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// The tests here carry the numbers of the third SRE review of issue 12
// (review/issue12-review3.md) that concern the CPU advice.

// pinnedPricing is the demo's pricing (500m request, 1-core limit): span of
// samples around a P50 of 925m and a P90 of 1015m, and a ring of windows
// metrics windows over the same span of which the newest pinned sit at the
// limit (the ring holds the whole history, so its windows are the evidence).
func pinnedPricing(span time.Duration, windows, pinned int, goVersion string) model.Container {
	h := model.NewHistory(model.DefaultHistoryConfig)
	cpus := []int64{880, 925, 960, 1015}
	i := 0
	for at := t0; !at.After(t0.Add(span)); at = at.Add(time.Minute) {
		h.Add("pod-a", model.Sample{Time: at, Window: time.Minute, CPU: cpus[i%len(cpus)], Memory: 220 * mi}, 500)
		i++
	}
	end := t0.Add(span)
	for w := range windows {
		cpu := int64(900)
		if w >= windows-pinned {
			cpu = 1015
		}
		h.AddPoint(model.Point{Unix: end.Add(-time.Duration(windows-1-w) * span / time.Duration(max(windows-1, 1))).Unix(), CPU: cpu, Memory: 220 * mi})
	}
	c := model.Container{Resources: res(500, 256*mi, 1000, 512*mi), Usage: h}
	if goVersion != "" {
		c.Go = goRuntime(goVersion, func(r *model.GoRuntime) { r.GOMAXPROCS = 8 })
	}
	return withProbes(c)
}

// Finding 1: throttling shown by usage at the limit in a large share of
// many windows is relief like measured throttling: beside a GOMAXPROCS fix
// the limit's step stays in the patch as a warning and only the request
// waits. The peak at the limit in 3 of 4 windows is no emergency: it is
// sizing, held behind GOMAXPROCS and on short history, so the weak
// evidence never ranks above the strong.
func TestReview3InferredThrottlingIsRelief(t *testing.T) {
	type verdict struct {
		sev     Severity
		inPatch bool
	}
	for _, tc := range []struct {
		name           string
		goVersion      string
		span           time.Duration
		windows        int
		pinned         int
		p95            float64 // measured throttled share (P95); 0: none measured
		want           verdict
		requestNoteHas string // "" when the request is not held beside GOMAXPROCS
	}{
		{"demo: 205 of 480 windows", "1.23.4", 8 * time.Hour, 480, 205, 0, verdict{Warning, true},
			"the CPU limit's step stays in the patch (usage at the limit in 205 of the last 480 metrics windows)"},
		{"measured 58% of periods", "1.23.4", 8 * time.Hour, 4, 3, 0.58, verdict{Warning, true},
			"the CPU limit's step stays in the patch (measured throttling)"},
		{"3 of 4 windows", "1.23.4", 8 * time.Hour, 4, 3, 0, verdict{Info, false}, "the GOMAXPROCS change"},
		{"20 of 480 windows", "1.23.4", 8 * time.Hour, 480, 20, 0, verdict{Info, false}, "the GOMAXPROCS change"},
		{"measured 10% beats 205 of 480", "1.23.4", 8 * time.Hour, 480, 205, 0.10, verdict{Info, false}, "the GOMAXPROCS change"},
		{"Go unknown, 3 of 4, 1h", "", time.Hour, 4, 3, 0, verdict{Warning, false}, ""},
		{"Go unknown, 205 of 480, 2h", "", 2 * time.Hour, 480, 205, 0, verdict{Warning, true}, ""},
		{"Go unknown, 3 of 4, 8h", "", 8 * time.Hour, 4, 3, 0, verdict{Warning, true}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := pinnedPricing(tc.span, tc.windows, tc.pinned, tc.goVersion)
			if tc.p95 > 0 {
				c.Past = &model.PastEvents{Source: "Prometheus", Range: 8 * 24 * time.Hour, Throttling: &model.Throttling{Share: tc.p95 / 2, P95: tc.p95, Periods: 1e6}}
			}
			w := deployment(c)
			got := AdviseWorkload(w, Options{})
			checkInvariants(t, w, got)
			lim := find(got, KindCPULimit)
			if lim == nil {
				t.Fatal("no CPU limit advice")
			}
			// A real step (2x) where usage sits at the limit; measured
			// throttling under the alert's share makes it a close limit.
			if g := (verdict{lim.Severity, lim.Patchable() && !lim.Held}); g != tc.want || lim.Suggested.Amount != 2000 && tc.p95 != 0.10 {
				t.Errorf("CPU limit %s in the patch %v, want %+v: %s %q", g.sev, g.inPatch, tc.want, lim.Suggested.Display, lim.Notes)
			}
			req := find(got, KindCPURequest)
			if tc.requestNoteHas == "" {
				return
			}
			if req == nil || req.Patchable() || !strings.Contains(strings.Join(req.Notes, "\n"), tc.requestNoteHas) {
				t.Errorf("CPU request: %+v, want it held with %q", req, tc.requestNoteHas)
			}
		})
	}
}

// Finding 1: in any one setting, weaker evidence of throttling never gets
// a higher severity or a place in the patch that stronger evidence lacks.
func TestReview3WeakThrottlingNeverRanksAboveStrong(t *testing.T) {
	evidence := [][2]int{{4, 1}, {4, 3}, {480, 20}, {480, 100}, {480, 205}, {480, 480}} // weakest first
	for _, goVersion := range []string{"", "1.23.4", "1.26.1"} {
		for _, span := range []time.Duration{time.Hour, 8 * time.Hour} {
			prevRank, prevIn := -1, false
			for _, e := range evidence {
				c := pinnedPricing(span, e[0], e[1], goVersion)
				lim := find(AdviseWorkload(deployment(c), Options{}), KindCPULimit)
				if lim == nil {
					t.Fatalf("Go %q %s %d of %d: no CPU limit advice", goVersion, span, e[1], e[0])
				}
				in := lim.Patchable() && !lim.Held
				if lim.Severity.Rank() < prevRank || prevIn && !in {
					t.Errorf("Go %q %s: %d of %d windows gives %s (in the patch %v), below weaker evidence", goVersion, span, e[1], e[0], lim.Severity, in)
				}
				prevRank, prevIn = lim.Severity.Rank(), in
			}
		}
	}
}

// Finding 5: a request sized from usage at the limit is a lower bound at
// medium confidence, and medium confidence is at most a warning: 500m ->
// 1168m is 668m, past the half core of the critical band.
func TestReview3ALowerBoundIsAtMostAWarning(t *testing.T) {
	c := pinnedPricing(30*time.Hour, 480, 205, "")
	got := AdviseWorkload(deployment(c), Options{})
	req := find(got, KindCPURequest)
	if req == nil || req.Suggested.Amount != 1168 || !strings.Contains(req.Reason, "a lower bound") {
		t.Fatalf("CPU request: %+v", req)
	}
	if req.Confidence.Level != Medium || req.Severity != Warning {
		t.Errorf("CPU request %s at confidence %s, want a warning at medium", req.Severity, req.Confidence.Level)
	}
}

// Finding 7: the CPU request's range ends at the CPU limit in force after
// the patch; a request above a limit that stays needs the limit's step
// first, and so does a range that lies wholly above it.
func TestReview3CPURangeEndsAtTheLimit(t *testing.T) {
	// The limit's step is in the patch (2 cores): the range ends there.
	got := AdviseWorkload(deployment(pinnedPricing(8*time.Hour, 480, 205, "1.23.4")), Options{})
	req := find(got, KindCPURequest)
	if req == nil || req.Range == nil || req.Range.Upper.Amount != 2000 || req.Range.UpperBound == nil || req.Range.UpperBound.Amount <= 2000 ||
		!strings.Contains(req.Range.Words(), "to 2000m would do (from the recommender's lower bound to the 2000m limit after the patch") {
		t.Fatalf("CPU request beside the limit's step: %+v", req)
	}
	// The step waits with the request (3 of 4 windows): the 1-core limit
	// stays, below the 1168m request and below the whole range.
	got = AdviseWorkload(deployment(pinnedPricing(8*time.Hour, 4, 3, "1.23.4")), Options{})
	req = find(got, KindCPURequest)
	notes := ""
	if req != nil {
		notes = strings.Join(req.Notes, "\n")
	}
	if req == nil || req.Range != nil ||
		!strings.Contains(notes, "1168m needs the CPU limit's step first: it is above the 1-core limit, which stays, and a request above its limit is refused; so is all of the recommender's range, 1111m to 4669m") {
		t.Errorf("CPU request under a limit that stays: %+v", req)
	}
	// A request that fits under the limit that stays keeps a range that
	// ends there.
	c := pinnedPricing(8*time.Hour, 4, 0, "1.23.4")
	c.Resources.Limits.CPU = 1300
	got = AdviseWorkload(deployment(c), Options{})
	req = find(got, KindCPURequest)
	if req == nil || req.Suggested.Amount > 1300 || req.Range == nil || req.Range.Upper.Amount != 1300 || strings.Contains(strings.Join(req.Notes, "\n"), "step first") {
		t.Errorf("CPU request under a 1300m limit that stays: %+v", req)
	}
}

// Finding 8: the Go upgrade's Dockerfile comment says to drop, once the
// go.mod says go 1.25 or later, the GOMAXPROCS env the patch sets (an
// explicit GOMAXPROCS turns Go 1.25's following of the limit off), or the
// one the container sets, but not a deliberate 1 under a core.
func TestReview3GoUpgradeSaysToDropTheGOMAXPROCSEnv(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   string
		limit int64
		want  string
	}{
		{"the patch sets it", "", 1000, "# once go.mod says go 1.25 or later, drop the GOMAXPROCS env this patch sets: an explicit GOMAXPROCS turns that off\n"},
		{"the container sets 2", "2", 1000, "# once go.mod says go 1.25 or later, drop the GOMAXPROCS env the container sets: an explicit GOMAXPROCS turns that off\n"},
		{"a deliberate 1", "1", 500, ""},
		{"no limit, no env", "", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := model.Container{Resources: res(200, 128*mi, tc.limit, 256*mi), Usage: usage(8*time.Hour, time.Minute, 1, 200, steady(100, 100*mi)),
				Go: goRuntime("1.23.4", func(r *model.GoRuntime) { r.GOMAXPROCS = 8 })}
			if tc.env != "" {
				c.Env = []model.EnvVar{{Name: "GOMAXPROCS", Value: tc.env}}
				c.Go.Runtime.GOMAXPROCS = 2
			}
			got := AdviseWorkload(deployment(withProbes(c)), Options{Now: t0.Add(24 * time.Hour)})
			s := find(got, KindGoSupport)
			if s == nil {
				t.Fatal("no Go support advice")
			}
			has := strings.Contains(s.Code, "drop the GOMAXPROCS env")
			if tc.want == "" && has || tc.want != "" && !strings.Contains(s.Code, tc.want) {
				t.Errorf("code %q, want %q", s.Code, tc.want)
			}
			if !strings.HasSuffix(s.Code, fmt.Sprintf("FROM golang:%s AS build", supportOf(23, t0).newestName())) {
				t.Errorf("code %q does not end in the FROM line", s.Code)
			}
		})
	}
}
