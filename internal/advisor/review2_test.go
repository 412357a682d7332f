package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// The tests here carry the numbers of the SRE review of issue 12's demo
// report (review/issue12-review.md), one per finding.

// Finding 1: a Go older than 1.19 with GOMEMLIMIT in its env still gets a
// patch when its memory limit comes down: the env value follows the limit
// (inert today, right once rebuilt), and the GOMAXPROCS fix is not lost.
func TestReviewOldGoGOMEMLIMITFollowsALoweredLimit(t *testing.T) {
	for _, qos := range []MemoryQoS{MemoryAuto, MemoryGuaranteed} {
		c := model.Container{Resources: res(100, 1<<30, 500, 2<<30), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(80, 105*mi)),
			Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "1800MiB"}},
			Go:  goRuntime("1.16.15", func(r *model.GoRuntime) { r.GOMAXPROCS = 8 })}
		w := deployment(withProbes(c))
		got := AdviseWorkload(w, Options{MemoryQoS: qos, Now: t0.Add(8 * time.Hour)})
		checkInvariants(t, w, got)
		p, err := BuildPatch(w, Patchable(got))
		if err != nil {
			t.Fatalf("%q: the patch of the advisor's own advice: %v\n%s", qos, err, describeAll(got))
		}
		g := find(got, KindGOMEMLIMIT)
		if g == nil || !g.Patchable() || !strings.Contains(g.Reason, "Go 1.16 ignores it today") {
			t.Errorf("%q: GOMEMLIMIT %+v", qos, g)
		}
		lim := find(got, KindMemoryLimit)
		for _, want := range []string{`"name":"GOMAXPROCS","value":"2"`, `"name":"GOMEMLIMIT","value":"` + g.Suggested.Display + `"`} {
			if !strings.Contains(string(p.Data), want) {
				t.Errorf("%q: patch %s lacks %s", qos, p.Data, want)
			}
		}
		if lim == nil || g.Suggested.Amount >= lim.Suggested.Amount {
			t.Errorf("%q: GOMEMLIMIT %s for the limit %+v", qos, g.Suggested.Display, lim)
		}
	}
	// With the limit kept, the inert value only informs.
	c := model.Container{Resources: res(100, 128*mi, 500, 256*mi), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(80, 105*mi)),
		Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "230MiB"}}, Go: goRuntime("1.16.15", nil)}
	if g := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindGOMEMLIMIT); g == nil || g.Patchable() {
		t.Errorf("limit kept: %+v", g)
	}
}
