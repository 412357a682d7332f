package advisor

import (
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Fourth review, finding 1: orders, limit 640Mi, GOMEMLIMIT 576MiB (what
// kgotop advised for 32MiB measured outside the runtime). One run measured
// 32.4MiB and asked for 575MiB with "OOMKilled before the GC reacts": a
// StatefulSet rollout for 1MiB, and the next run could ask for 574MiB.
// The alarm sits at half the room the advice keeps; below it, the advice
// moves GOMEMLIMIT back to the full room.
func TestAGOMEMLIMITNearItsAdviceDoesNotFlap(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    string
		nonGo  int64
		alarm  bool
		wantMi int64
	}{
		{"at the advice, outside measured a little higher", "576MiB", 32*mi + 400<<10, false, 0},
		{"at the advice, outside measured 10MiB higher", "576MiB", 42 * mi, false, 0},
		{"room under half the margin", "600MiB", 32 * mi, true, 576},
		{"room under what is measured outside", "620MiB", 32 * mi, true, 576},
		// Fifth review: 2MiB measured outside must not make the alarm
		// quieter than none measured (5% of the limit).
		{"little measured outside, room under 5%", "620MiB", 2 * mi, true, 576},
		{"little measured outside, room over 5%", "600MiB", 2 * mi, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := storeRuntime("go1.26.2", func(rt *model.GoRuntime) { rt.GOMAXPROCS, rt.OutsideGo = 2, tc.nonGo })
			c := withProbes(model.Container{Name: "orders", Resources: res(300, 640*mi, 1000, 640*mi), Go: g,
				Env:   []model.EnvVar{{Name: "GOMEMLIMIT", Value: tc.env}},
				Usage: usage(8*time.Hour, time.Minute, 2, 300, steady(250, 280*mi))})
			a := find(AdviseWorkload(deployment(c), Options{}), KindGOMEMLIMIT)
			if !tc.alarm {
				if a != nil {
					t.Errorf("GOMEMLIMIT %s with %dKiB outside: %s -> %s: %s", tc.env, tc.nonGo>>10, a.Current.Display, a.Suggested.Display, a.Reason)
				}
				return
			}
			if a == nil || !a.Patchable() || a.Suggested.Amount != tc.wantMi*mi {
				t.Fatalf("GOMEMLIMIT %s with %dMiB outside: %+v, want %dMiB", tc.env, tc.nonGo/mi, a, tc.wantMi)
			}
		})
	}
}
