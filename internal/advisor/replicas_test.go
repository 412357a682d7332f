package advisor

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// One replica's CPU above twice the median of its workload's is pinned load.
func TestReplicaSkew(t *testing.T) {
	// cpus are each replica's CPU (millicores), steady over span.
	workload := func(span time.Duration, limit int64, cpus ...int64) model.Workload {
		h := model.NewHistory(model.DefaultHistoryConfig)
		var pods []model.Pod
		for i := range cpus {
			pods = append(pods, model.Pod{Name: fmt.Sprintf("api-%d", i)})
		}
		for at := t0; !at.After(t0.Add(span)); at = at.Add(15 * time.Second) {
			for i, cpu := range cpus {
				h.Add(pods[i].Name, model.Sample{Time: at, Window: 15 * time.Second, CPU: cpu, Memory: 100 * mi}, 250)
			}
		}
		w := deployment(withProbes(model.Container{Resources: res(250, 128*mi, limit, 256*mi), Usage: h}))
		w.Pods, w.Desired = pods, int32(len(pods))
		return w
	}
	cases := []struct {
		name  string
		w     model.Workload
		hpa   bool
		sev   Severity // "" = no advice
		words []string
	}{
		{name: "one of four replicas at 3x the median", w: workload(time.Hour, 0, 600, 200, 190, 210), sev: Info,
			words: []string{"pod api-0 uses 600m CPU on average, 2.9x the median 205m of its 4 replicas", "balances connections, not requests"}},
		{name: "near its limit it is throttled", w: workload(time.Hour, 700, 600, 200, 190, 210), sev: Warning},
		{name: "an HPA averages it away", w: workload(time.Hour, 0, 600, 200, 190, 210), hpa: true, sev: Warning},
		{name: "under twice the median", w: workload(time.Hour, 0, 390, 200, 190, 210)},
		{name: "twice a tiny median is noise", w: workload(time.Hour, 0, 30, 5, 6, 5)},
		{name: "too short a watch", w: workload(5*time.Minute, 0, 600, 200, 190, 210)},
		{name: "two replicas have no median to leave", w: workload(time.Hour, 0, 600, 100)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.hpa {
				tc.w.HPA = &model.HPA{Name: "api", MinReplicas: 4, MaxReplicas: 8, CurrentReplicas: 4,
					Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 80, CurrentUtilization: 70}}}
			}
			got := AdviseWorkload(tc.w, Options{Now: t0.Add(time.Hour)})
			checkInvariants(t, tc.w, got)
			a := find(got, KindReplicaSkew)
			if tc.sev == "" {
				if a != nil {
					t.Fatalf("unexpected: %s", a.Reason)
				}
				return
			}
			if a == nil || a.Severity != tc.sev || a.Patchable() || !strings.Contains(a.Code, "MaxConnectionAge") {
				t.Fatalf("got %+v, want %s", a, tc.sev)
			}
			for _, w := range tc.words {
				if !strings.Contains(a.Reason, w) {
					t.Errorf("%q lacks %q", a.Reason, w)
				}
			}
		})
	}
}

// An HPA held at its minimum far below its target: the minimum sets the
// replica count, not the load.
func TestHPAPinnedAtItsMinimum(t *testing.T) {
	hpa := func(min, cur int32, util int32) *model.HPA {
		return &model.HPA{Name: "api", MinReplicas: min, MaxReplicas: 20, CurrentReplicas: cur,
			Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, CurrentUtilization: util}}}
	}
	sized := usage(26*time.Hour, 5*time.Minute, 1, 100, steady(20, 100*mi)) // 20% of a 100m request, sized
	cases := []struct {
		name  string
		c     model.Container
		hpa   *model.HPA
		words []string // "" = no advice
		min   int64    // the minimum advised, 0 = none
		low   bool     // low confidence: too little history to cut it
	}{
		// No usage watched, or less than the sizing minimum (3h, 100
		// samples): the HPA's status now is one moment, so the minimum is
		// kept (fourth review: a minReplicas cut from 0s of history).
		{name: "6 replicas at 10% of a 60% target, nothing watched: keep it", c: model.Container{Resources: res(100, 0, 0, 0)}, hpa: hpa(6, 6, 10),
			words: []string{"minimum of 6 replicas at 10% CPU utilization, against a 60% target: at the 100m request the load needs 1 replica",
				"but on 0s of history kgotop does not cut it: watch longer; a daily peak may need the minimum"}, low: true},
		{name: "20 minutes watched: keep it", c: model.Container{Resources: res(100, 0, 0, 0),
			Usage: usage(20*time.Minute, 15*time.Second, 1, 100, steady(35, 100*mi))}, hpa: hpa(6, 6, 10),
			words: []string{"(4 at the P95 of the 20m watched)", "but on 20m of history kgotop does not cut it: watch longer"}, low: true},
		// P95 35% of the request: 4 replicas at the target; the suggested request (41m) lifts utilization only to 24%.
		{name: "the P95 of the watched usage keeps more", c: model.Container{Resources: res(100, 0, 0, 0),
			Usage: usage(26*time.Hour, 5*time.Minute, 1, 100, steady(35, 100*mi))}, hpa: hpa(6, 6, 10),
			words: []string{"(4 at the P95 of the 26h watched)", "lower it to 4"}, min: 4},
		{name: "a request five times too big is the first lever", c: model.Container{Resources: res(500, 0, 0, 0),
			Usage: usage(26*time.Hour, 5*time.Minute, 1, 500, steady(100, 100*mi))}, hpa: hpa(3, 3, 20),
			words: []string{"the oversized CPU request keeps it there: with the suggested one it runs at 87%"}},
		{name: "above its minimum it scales by load", c: model.Container{Resources: res(100, 0, 0, 0), Usage: sized}, hpa: hpa(2, 4, 10)},
		{name: "near its target", c: model.Container{Resources: res(100, 0, 0, 0), Usage: sized}, hpa: hpa(3, 3, 45)},
		{name: "a minimum of 2 stays for availability", c: model.Container{Resources: res(100, 0, 0, 0), Usage: sized}, hpa: hpa(2, 2, 5)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(withProbes(tc.c))
			w.HPA = tc.hpa
			got := AdviseWorkload(w, Options{Now: t0.Add(26 * time.Hour)})
			checkInvariants(t, w, got)
			a := find(got, KindHPAPinned)
			if tc.words == nil {
				if a != nil {
					t.Fatalf("unexpected: %s", a.Reason)
				}
				return
			}
			if a == nil || a.Severity != Info || a.Patchable() {
				t.Fatalf("got %+v in %v", a, kinds(got))
			}
			for _, w := range tc.words {
				if !strings.Contains(a.Reason, w) {
					t.Errorf("%q lacks %q", a.Reason, w)
				}
			}
			if low := a.Confidence.Level == Low; low != tc.low || low && !strings.Contains(a.Confidence.Note, "usage history") {
				t.Errorf("confidence %+v, want low %v", a.Confidence, tc.low)
			}
			if a.Suggested.Amount != tc.min || (tc.min > 0) != strings.Contains(a.Code, fmt.Sprintf(`"minReplicas":%d`, tc.min)) {
				t.Errorf("suggested %+v, code %q, want minReplicas %d", a.Suggested, a.Code, tc.min)
			}
		})
	}
}
