package advisor

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// ring returns a history whose ring holds memory(i) at 15 s points.
func ring(n int, memory func(i int) int64) *model.History {
	h := model.NewHistory(model.DefaultHistoryConfig)
	for i := range n {
		at := t0.Add(time.Duration(i) * 15 * time.Second)
		m := memory(i)
		h.Add("pod-a", model.Sample{Time: at, CPU: 50, Memory: m}, 100)
		h.AddPoint(model.Point{Unix: at.Unix(), CPU: 50, Memory: m})
	}
	return h
}

func TestLeakDetection(t *testing.T) {
	wobble := func(i int) int64 { return int64(3*mi) * int64(i%7-3) / 3 } // GC sawtooth noise
	cases := []struct {
		name   string
		memory func(i int) int64
		leak   bool
	}{
		{"a steady climb", func(i int) int64 { return 120*mi + int64(i)*mi/4 + wobble(i) }, true},
		{"flat with noise", func(i int) int64 { return 180*mi + wobble(i) }, false},
		{"a cache that fills, then levels off", func(i int) int64 {
			return 100*mi + int64(100*float64(mi)*(1-math.Exp(-float64(i)/60))) + wobble(i)
		}, false},
		{"climbed until a restart 20 minutes ago: the run before counts", func(i int) int64 {
			if i < 400 {
				return 120*mi + int64(i)*mi/4
			}
			return 60*mi + int64(i-400)*mi/4
		}, true},
		{"flat until a restart, then too short to judge", func(i int) int64 {
			if i < 400 {
				return 180*mi + wobble(i)
			}
			return 60*mi + int64(i-400)*mi/4
		}, false},
		{"restarted an hour ago and climbing again", func(i int) int64 {
			if i < 200 {
				return 200 * mi
			}
			return 60*mi + int64(i-200)*mi/4 + wobble(i)
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, got := detectLeak(ring(480, tc.memory), time.Time{})
			if got != tc.leak {
				t.Errorf("leak = %v, want %v", got, tc.leak)
			}
		})
	}
}

func TestLeakAdvice(t *testing.T) {
	h := ring(480, func(i int) int64 { return 120*mi + int64(i)*mi/4 })
	c := model.Container{Resources: res(100, 200*mi, 0, 256*mi), Usage: h, Go: model.GoInfo{Detection: model.GoConfirmed, Version: "1.25.3"},
		Instances: []model.ContainerInstance{oomInstance("pod-a")}}
	w := deployment(withProbes(c))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	a := find(got, KindMemoryLeak)
	if a == nil {
		t.Fatalf("no leak advice; got %v", kinds(got))
	}
	// 0.25Mi every 15 s is 60Mi an hour.
	if !strings.Contains(a.Reason, "60Mi") || !strings.Contains(a.Reason, "spaces out the OOMKills") || a.Patchable() || a.Code == "" {
		t.Errorf("%s: %q, code %q", a.Severity, a.Reason, a.Code)
	}
	if l := find(got, KindMemoryLimit); l == nil || !strings.Contains(strings.Join(l.Notes, " "), "buys time") {
		t.Errorf("the limit advice does not say the raise only buys time: %+v", l)
	}
	if g := find(got, KindGOMEMLIMIT); g == nil || g.Severity != Info || g.Patchable() {
		t.Errorf("GOMEMLIMIT on a leak should only inform, with no patch: %+v", g)
	}
	// Near its limit but never OOMKilled, the climb may be page cache or a
	// traffic ramp, yet it reaches the limit within the hour: a warning all
	// the same. GOMEMLIMIT keeps its weight, but not its patch: if it is a
	// leak, GOMEMLIMIT only makes the GC thrash before the OOMKill.
	c.Instances = nil
	got = AdviseWorkload(deployment(withProbes(c)), Options{})
	if a := find(got, KindMemoryLeak); a == nil || a.Severity != Warning || !strings.Contains(a.Reason, "buys time") {
		t.Errorf("a climb with no OOMKill, at the limit within the hour: %+v", a)
	}
	if g := find(got, KindGOMEMLIMIT); g == nil || g.Severity != Warning || g.Patchable() {
		t.Errorf("GOMEMLIMIT without an OOMKill to confirm the leak: %+v", g)
	}
	// Far below its limit and never killed, a climb is not worth a word yet.
	c.Resources.Limits.Memory, c.Instances = 4<<30, nil
	if a := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindMemoryLeak); a != nil {
		t.Errorf("a climb at 6%% of the limit: %s", a.Reason)
	}
}

// A point taken after a gap in watching (kgotop was not running) starts a
// run of its own; the climb before the gap is still judged, not as current.
func TestLeakAcrossAGapInWatching(t *testing.T) {
	h := ring(300, func(i int) int64 { return 120*mi + int64(i)*mi/4 })
	later := t0.Add(24 * time.Hour)
	h.Add("pod-a", model.Sample{Time: later, CPU: 50, Memory: 150 * mi}, 100)
	h.AddPoint(model.Point{Unix: later.Unix(), CPU: 50, Memory: 150 * mi})
	l, ok := detectLeak(h, time.Time{})
	if !ok || l.current {
		t.Fatalf("leak %v, current %v; want the earlier run, not current", ok, l.current)
	}
}

// Issue 15 item 8: a raised limit buys time, not a fix. The pods the bump
// rolled out have no OOMKill behind them and their peak is far below the
// new limit, yet memory climbs as before: the leak stays a warning until
// the memory stops climbing. An earlier run's climb only informs.
func TestLeakStaysAWarningAfterALimitBump(t *testing.T) {
	climb := func(from int) func(i int) int64 {
		return func(i int) int64 {
			if i < from {
				return 120*mi + int64(i)*mi/4 // the run the 256Mi limit ended
			}
			return 120*mi + int64(i-from)*mi/4 // the new pod, 60Mi an hour again
		}
	}
	bumped := model.Container{Resources: res(100, 296*mi, 0, 356*mi), Usage: ring(720, climb(480)),
		Go: model.GoInfo{Detection: model.GoConfirmed, Version: "1.25.3"}, Instances: []model.ContainerInstance{{Pod: "pod-b", Ready: true}}}
	w := deployment(withProbes(bumped))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	a := find(got, KindMemoryLeak)
	if a == nil || a.Severity != Warning || !strings.Contains(a.Reason, "reaches the 356Mi limit in about") || !strings.Contains(a.Reason, "buys time") {
		t.Fatalf("a leak after the limit bump: %+v", a)
	}
	// A fix rolled out: the new run levels off at once. Until it has been
	// flat for leakSettled, nothing says the climb stopped; then the
	// advice goes.
	flat := func(n int) model.Container {
		c := bumped
		c.Usage = ring(480+n, func(i int) int64 {
			if i < 480 {
				return climb(480)(i)
			}
			return 120*mi + int64(40*float64(mi)*(1-math.Exp(-float64(i-480)/20)))
		})
		return c
	}
	if a := find(AdviseWorkload(deployment(withProbes(flat(180))), Options{}), KindMemoryLeak); a == nil || a.Severity != Warning ||
		!regexp.MustCompile(`fits \S+ of the run before this one with R² [0-9.]+; this one is too young to judge\)`).MatchString(a.Reason) {
		t.Errorf("45 minutes after the rollout: %+v", a)
	}
	if a := find(AdviseWorkload(deployment(withProbes(flat(300))), Options{}), KindMemoryLeak); a != nil {
		t.Errorf("memory flat for 75 minutes: %s %s", a.Severity, a.Reason)
	}
	// A climb seen only before a gap in watching, never OOMKilled, near the
	// limit: it informs.
	h := ring(300, func(i int) int64 { return 120*mi + int64(i)*mi/4 })
	later := t0.Add(24 * time.Hour)
	h.Add("pod-a", model.Sample{Time: later, CPU: 50, Memory: 150 * mi}, 100)
	h.AddPoint(model.Point{Unix: later.Unix(), CPU: 50, Memory: 150 * mi})
	earlier := bumped
	earlier.Usage, earlier.Resources.Limits.Memory = h, 256*mi
	if a := find(AdviseWorkload(deployment(withProbes(earlier)), Options{}), KindMemoryLeak); a == nil || a.Severity != Info {
		t.Errorf("an earlier run's climb: %+v", a)
	}
}
