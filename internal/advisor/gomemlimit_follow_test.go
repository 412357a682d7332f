package advisor

import (
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Issue 12, item 2: a GOMEMLIMIT set in env follows the limit an OOMKill
// raises, in the same patch, even before a run is long enough to judge the
// growth. The StatefulSet of the dashboard's resize e2e: GOMEMLIMIT=230MiB,
// OOMKilled at 256Mi and raised to 356Mi; left at 230MiB the GC keeps the
// heap where it was and the raise is wasted. Adding a GOMEMLIMIT where none
// was still waits for the growth to be judged.
func TestAGOMEMLIMITInEnvFollowsAnOOMKillsRaise(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     []model.EnvVar
		inPatch bool
	}{
		{"set in env: follows the raise", []model.EnvVar{{Name: "GOGC", Value: "100"}, {Name: "GOMEMLIMIT", Value: "230MiB"}}, true},
		{"not set: waits for the growth", []model.EnvVar{{Name: "GOGC", Value: "100"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := t0.Add(10 * time.Minute)
			in := oomInstance("ledger-0")
			in.RestartCount = 1
			in.LastTermination.FinishedAt = t0
			in.StartedAt = t0.Add(10 * time.Second)
			c := withProbes(model.Container{Name: "ledger", Resources: res(100, 256*mi, 500, 256*mi), Env: tc.env,
				Usage: usage(10*time.Minute, 15*time.Second, 1, 100, steady(60, 200*mi)), Instances: []model.ContainerInstance{in}})
			c.Go = model.DetectGo(c) // Go by its env, as the collector finds it
			w := deployment(c)
			w.Ref = model.WorkloadRef{Kind: model.KindStatefulSet, Namespace: "shop", Name: "ledger"}
			w.Desired, w.Ready = 1, 1
			as := AdviseWorkload(w, Options{Now: now})
			lim := find(as, KindMemoryLimit)
			if lim == nil || lim.Suggested.Amount <= 256*mi {
				t.Fatalf("no raise of the 256Mi limit after an OOMKill: %v", kinds(as))
			}
			gml := find(as, KindGOMEMLIMIT)
			if gml == nil {
				t.Fatalf("no GOMEMLIMIT advice beside the raise to %s: %v", lim.Suggested.Display, kinds(as))
			}
			if gml.Patchable() != tc.inPatch {
				t.Fatalf("GOMEMLIMIT %s in the patch = %v, want %v: %s %v", gml.Suggested.Display, gml.Patchable(), tc.inPatch, gml.Reason, gml.Notes)
			}
			if !tc.inPatch {
				return
			}
			want := int64(float64(lim.Suggested.Amount) * 0.9)
			if got := gml.Changes[0].Env.Value; gml.Suggested.Amount < want-2*mi || gml.Suggested.Amount > lim.Suggested.Amount {
				t.Errorf("GOMEMLIMIT %s under a %s limit, want about 90%% of it", got, lim.Suggested.Display)
			}
			p, err := BuildPatch(w, []Advice{*lim, *gml})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s", p.Command)
		})
	}
}
