package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

const week = 7 * 24 * time.Hour

func TestSizing(t *testing.T) {
	type want struct {
		kind       Kind
		lo, hi     int64 // suggested amount range; 0,0 = any
		sev        Severity
		level      Level
		patchable  bool
		reasonHas  string
		absentKind bool
	}
	cases := []struct {
		name string
		c    model.Container
		hpa  *model.HPA
		opts Options
		want []want
	}{
		{
			name: "no requests or limits, a week of steady use",
			c:    model.Container{Usage: usage(week, 5*time.Minute, 2, 0, steady(200, 300*mi))},
			want: []want{
				{kind: KindCPURequest, lo: 230, hi: 242, sev: Warning, level: High, patchable: true},
				{kind: KindMemoryRequest, lo: 345 * mi, hi: 363 * mi, sev: Warning, level: High, patchable: true},
				{kind: KindMemoryLimit, lo: 345 * mi, hi: 363 * mi, sev: Info, level: High, patchable: true},
				{kind: KindCPULimit, absentKind: true},
			},
		},
		{
			name: "over-provisioned for a week",
			c: model.Container{Resources: res(2000, 2048*mi, 0, 4096*mi),
				Usage: usage(week, 5*time.Minute, 3, 2000, steady(100, 200*mi))},
			want: []want{
				// 1885m and 1.8Gi less: krr's critical bands.
				{kind: KindCPURequest, lo: 115, hi: 121, sev: Critical, level: High, patchable: true, reasonHas: "lower it"},
				{kind: KindMemoryRequest, lo: 230 * mi, hi: 242 * mi, sev: Critical, level: High, patchable: true},
				// The 4Gi limit comes down with the request, to the upper
				// bound of the range (under 2x the request on a week).
				{kind: KindMemoryLimit, lo: 280 * mi, hi: 290 * mi, sev: Info, patchable: true, reasonHas: "lower the limit to 285Mi, the upper bound"},
			},
		},
		{
			name: "one sample is never a right-size",
			c:    model.Container{Resources: res(2000, 2048*mi, 0, 0), Usage: usage(0, time.Minute, 1, 2000, steady(100, 200*mi))},
			want: []want{
				{kind: KindWatchLonger, sev: Info, level: Low},
				{kind: KindCPURequest, absentKind: true},
				{kind: KindMemoryRequest, absentKind: true},
			},
		},
		{
			name: "an hour gives low-confidence advice that only informs",
			c: model.Container{Resources: res(2000, 2048*mi, 0, 0),
				Usage: usage(time.Hour, 15*time.Second, 1, 2000, steady(100, 200*mi))},
			want: []want{
				{kind: KindCPURequest, lo: 115, hi: 121, sev: Info, level: Low, patchable: true},
				{kind: KindMemoryRequest, lo: 230 * mi, hi: 242 * mi, sev: Info, level: Low, patchable: true},
				{kind: KindMemoryLimit, absentKind: true}, // no new limit on low confidence
				{kind: KindWatchLonger, absentKind: true},
			},
		},
		{
			name: "zero usage keeps the floors",
			c:    model.Container{Resources: res(500, 512*mi, 0, 0), Usage: usage(week, 5*time.Minute, 1, 500, steady(0, 0))},
			want: []want{
				{kind: KindCPURequest, lo: 10, hi: 10, patchable: true},
				// Zero memory is no memory reading at all: nothing to size on.
				{kind: KindMemoryRequest, absentKind: true},
				{kind: KindMemoryLimit, absentKind: true},
			},
		},
		{
			name: "a team's floors replace krr's",
			c:    model.Container{Resources: res(500, 512*mi, 0, 0), Usage: usage(week, 5*time.Minute, 1, 500, steady(1, 20*mi))},
			opts: Options{CPUFloor: 50, MemoryFloor: 256 * mi},
			want: []want{
				{kind: KindCPURequest, lo: 50, hi: 50, patchable: true},
				{kind: KindMemoryRequest, lo: 256 * mi, hi: 256 * mi, patchable: true},
			},
		},
		{
			name: "within the noise threshold nothing is said",
			c:    model.Container{Resources: res(240, 350*mi, 0, 0), Usage: usage(week, 5*time.Minute, 1, 240, steady(200, 300*mi))},
			want: []want{{kind: KindCPURequest, absentKind: true}, {kind: KindMemoryRequest, absentKind: true}},
		},
		{
			name: "OOMKilled at the limit bumps it, whatever the history",
			c: model.Container{Resources: res(100, 128*mi, 0, 256*mi),
				Instances: []model.ContainerInstance{oomInstance("pod-a")},
				Usage:     usage(2*time.Minute, 15*time.Second, 1, 100, steady(50, 240*mi))},
			want: []want{
				// used = max(request, peak) = 240Mi (the VPA's rule: the
				// limit is not counted); max(340Mi, 288Mi).
				{kind: KindMemoryLimit, lo: 340 * mi, hi: 340 * mi, sev: Critical, level: High, patchable: true},
				{kind: KindWatchLonger, sev: Info},
			},
		},
		{
			name: "OOMKilled with no limit reserves the bump",
			c: model.Container{Resources: res(100, 128*mi, 0, 0),
				Instances: []model.ContainerInstance{oomInstance("pod-a")}},
			want: []want{
				{kind: KindMemoryRequest, lo: 228 * mi, hi: 228 * mi, sev: Critical, patchable: true},
				{kind: KindMemoryLimit, lo: 228 * mi, hi: 228 * mi, sev: Warning, patchable: true},
			},
		},
		{
			name: "peak near the limit raises it",
			c: model.Container{Resources: res(100, 256*mi, 0, 256*mi),
				Usage: usage(week, 5*time.Minute, 1, 100, spiky(50, 60, 150*mi, 240*mi))},
			// 240Mi x 1.15 = 276Mi is under a 15% step: a raise is at least one (295Mi).
			want: []want{{kind: KindMemoryLimit, lo: 295 * mi, hi: 295 * mi, sev: Warning, patchable: true, reasonHas: "94%"}},
		},
		{
			name: "throttled at the CPU limit",
			c: model.Container{Resources: res(500, 0, 500, 0),
				Usage: usage(week, 5*time.Minute, 1, 500, steady(500, 100*mi))},
			want: []want{
				{kind: KindCPULimit, lo: 1000, hi: 1000, sev: Warning, patchable: true, reasonHas: "likely throttled"},
			},
		},
		{
			name: "a CPU limit well above use is kept",
			c: model.Container{Resources: res(100, 0, 4000, 0),
				Usage: usage(week, 5*time.Minute, 1, 100, steady(90, 100*mi))},
			want: []want{{kind: KindCPULimit, absentKind: true}, {kind: KindCPURequest, absentKind: true}},
		},
		{
			name: "HPA on CPU: informs without a patch",
			c:    model.Container{Resources: res(1000, 0, 0, 0), Usage: usage(week, 5*time.Minute, 1, 1000, steady(100, 100*mi))},
			hpa:  &model.HPA{Name: "api", MinReplicas: 2, MaxReplicas: 10, CurrentReplicas: 2, Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, CurrentUtilization: 10}}},
			want: []want{{kind: KindCPURequest, lo: 115, hi: 121, sev: Info, patchable: false}},
		},
		{
			name: "HPA on CPU with opt-in: patchable",
			c:    model.Container{Resources: res(1000, 0, 0, 0), Usage: usage(week, 5*time.Minute, 1, 1000, steady(100, 100*mi))},
			hpa:  &model.HPA{Name: "api", MinReplicas: 2, MaxReplicas: 10, CurrentReplicas: 2, Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, CurrentUtilization: 10}}},
			opts: Options{AdviseHPAResources: true},
			want: []want{{kind: KindCPURequest, lo: 115, hi: 121, patchable: true}},
		},
		{
			name: "absurd numbers stay bounded",
			c: model.Container{Resources: res(1<<62, 1<<62, 1<<62, 1<<62),
				Usage: usage(week, 5*time.Minute, 1, 1<<62, steady(1<<61, 1<<61))},
			want: []want{{kind: KindMemoryRequest, absentKind: true}, {kind: KindCPURequest, absentKind: true}, {kind: KindMemoryLimit, absentKind: true}},
		},
		{
			name: "a live heap that crowds GOMEMLIMIT raises the limit",
			c: model.Container{Resources: res(100, 256*mi, 0, 256*mi),
				Go:    model.GoInfo{Detection: model.GoConfirmed, Version: "1.24.1", Runtime: &model.GoRuntime{HeapLive: 200 * mi, GOGC: 100}},
				Usage: usage(week, 5*time.Minute, 1, 100, steady(50, 220*mi))},
			// 200Mi is 87% of the 230MiB GOMEMLIMIT of 256Mi; 278Mi holds it
			// under 80%, and a raise is a real step (295Mi).
			want: []want{{kind: KindMemoryLimit, lo: 295 * mi, hi: 295 * mi, sev: Warning, patchable: true, reasonHas: "live heap"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(withProbes(tc.c))
			w.HPA = tc.hpa
			got := AdviseWorkload(w, tc.opts)
			for _, wt := range tc.want {
				a := find(got, wt.kind)
				if wt.absentKind {
					if a != nil {
						t.Errorf("unexpected %s: %s (%s -> %s)", wt.kind, a.Reason, a.Current.Display, a.Suggested.Display)
					}
					continue
				}
				if a == nil {
					t.Errorf("no %s advice; got %v", wt.kind, kinds(got))
					continue
				}
				if wt.hi > 0 && (a.Suggested.Amount < wt.lo || a.Suggested.Amount > wt.hi) {
					t.Errorf("%s suggests %s (%d), want %d..%d", wt.kind, a.Suggested.Display, a.Suggested.Amount, wt.lo, wt.hi)
				}
				if wt.sev != "" && a.Severity != wt.sev {
					t.Errorf("%s severity %s, want %s (%s)", wt.kind, a.Severity, wt.sev, a.Reason)
				}
				if wt.level != "" && a.Confidence.Level != wt.level {
					t.Errorf("%s confidence %s, want %s", wt.kind, a.Confidence.Level, wt.level)
				}
				if wt.kind != KindWatchLonger && a.Patchable() != wt.patchable {
					t.Errorf("%s patchable %v, want %v", wt.kind, a.Patchable(), wt.patchable)
				}
				if !strings.Contains(a.Reason, wt.reasonHas) {
					t.Errorf("%s reason %q lacks %q", wt.kind, a.Reason, wt.reasonHas)
				}
			}
			checkInvariants(t, w, got)
		})
	}
}
