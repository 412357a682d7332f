package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

func TestHPAShift(t *testing.T) {
	hpa := func(cur int32) *model.HPA {
		return &model.HPA{Name: "api", MinReplicas: 2, MaxReplicas: 10, CurrentReplicas: 4,
			Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, CurrentUtilization: cur}}}
	}
	// A week at 100m against a 1-core request: the request drops to ~115m.
	over := usage(84*time.Hour, 5*time.Minute, 1, 1000, steady(100, 100*mi))
	cases := []struct {
		name    string
		c       model.Container
		hpa     *model.HPA
		sev     Severity
		reason  string
		absent  bool
		reqKind bool // the cpu-request advice exists and is referenced
		optIn   bool // Options.AdviseHPAResources
	}{
		{name: "a smaller request pushes utilization over the target", c: model.Container{Resources: res(1000, 0, 0, 0), Usage: over},
			hpa: hpa(10), sev: Info, reason: "from 10% to 8", reqKind: true}, // the request change is not offered: only said
		{name: "offered, the same shift is a warning", c: model.Container{Resources: res(1000, 0, 0, 0), Usage: over},
			hpa: hpa(10), sev: Warning, reason: "from 10% to 8", optIn: true},
		{name: "no current utilization: the threshold moves", c: model.Container{Resources: res(1000, 0, 0, 0), Usage: over},
			hpa: hpa(0), sev: Info, reason: "instead of 600m", reqKind: true},
		{name: "no request change, no shift", c: model.Container{Resources: res(120, 0, 0, 0), Usage: over}, hpa: hpa(50), absent: true},
		{name: "no CPU request breaks the HPA", c: model.Container{Usage: over}, hpa: hpa(0), sev: Critical, reason: "no CPU request"},
		{name: "memory HPAs are not moved by CPU", c: model.Container{Resources: res(1000, 0, 0, 0), Usage: over},
			hpa: &model.HPA{Name: "api", MaxReplicas: 3, Metrics: []model.HPAMetric{{Resource: "memory", TargetUtilization: 60}}}, absent: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(withProbes(tc.c))
			w.HPA = tc.hpa
			got := AdviseWorkload(w, Options{AdviseHPAResources: tc.optIn})
			a := find(got, KindHPAShift)
			if tc.absent {
				if a != nil {
					t.Fatalf("unexpected: %s", a.Reason)
				}
				return
			}
			if a == nil {
				t.Fatalf("no hpa-shift; got %v", kinds(got))
			}
			if a.Severity != tc.sev || !strings.Contains(a.Reason, tc.reason) {
				t.Errorf("%s %q, want %s with %q", a.Severity, a.Reason, tc.sev, tc.reason)
			}
			if tc.reqKind {
				r := find(got, KindCPURequest)
				if r == nil || len(a.Requires) != 1 || a.Requires[0] != r.ID {
					t.Errorf("requires %v, want the cpu-request advice", a.Requires)
				}
				if r.Patchable() {
					t.Errorf("the HPA's resource was patched without opting in")
				}
			}
		})
	}
}

// The HPA controller leaves its replicas alone while utilization is within
// 10% of its target (its default tolerance): 62% against 60% keeps 3
// replicas. The P95 of the usage watched says where busy hours take it.
func TestHPAShiftKeepsTheControllersTolerance(t *testing.T) {
	hpa := func(cur, target int32) *model.HPA {
		return &model.HPA{Name: "web", MinReplicas: 2, MaxReplicas: 10, CurrentReplicas: 3,
			Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: target, CurrentUtilization: cur}}}
	}
	// Half the windows at 60m, half at 100m: a mean of 80m, 16% of 500m.
	use := usage(84*time.Hour, 5*time.Minute, 3, 500, func(i int, _ time.Time) (int64, int64) {
		return 60 + 40*int64(i%2), 100 * mi
	})
	for _, tc := range []struct {
		name        string
		cur, target int32
		want, not   []string
		severity    Severity
	}{
		{"inside the tolerance", 15, 60, []string{"within the HPA's 10% tolerance: it stays at 3 replicas", "; at the P95 usage (", " a pod against the ", " it scales above) about 5"}, []string{"instead of"}, Info},
		{"outside it", 20, 60, []string{"about 5 replicas instead of 3"}, []string{"tolerance", "at the P95"}, Warning},
		{"the P95 inside the tolerance too", 15, 80, []string{"below its 80% target: it stays at 3 replicas"}, []string{"at the P95", "instead of"}, Info},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(withProbes(model.Container{Resources: res(500, 0, 0, 0), Usage: use}))
			w.Desired, w.HPA = 3, hpa(tc.cur, tc.target)
			a := find(AdviseWorkload(w, Options{AdviseHPAResources: true}), KindHPAShift)
			if a == nil {
				t.Fatal("no hpa-shift advice")
			}
			for _, s := range tc.want {
				if !strings.Contains(a.Reason, s) {
					t.Errorf("reason %q lacks %q", a.Reason, s)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(a.Reason, s) {
					t.Errorf("reason %q has %q", a.Reason, s)
				}
			}
			if a.Severity != tc.severity {
				t.Errorf("severity %s, want %s", a.Severity, tc.severity)
			}
		})
	}
}
