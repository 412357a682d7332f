package advisor

import (
	"testing"

	"github.com/kgotop/kgotop/internal/model"
)

func TestSelectHelpers(t *testing.T) {
	w := deployment(model.Container{Image: "golang:1.16", Ports: []model.Port{{Name: "http", Port: 8080}},
		Instances: []model.ContainerInstance{{Pod: "a", RestartCount: 4, Waiting: "CrashLoopBackOff", LastTermination: &model.Termination{ExitCode: 2}}}})
	other := deployment(withProbes(model.Container{}))
	other.Ref.Name = "web"
	as := Advise(model.Snapshot{Workloads: []model.Workload{w, other}}, Options{})
	if Worst(as) != Critical || Worst(nil) != "" {
		t.Fatalf("worst %s", Worst(as))
	}
	if got := AtLeast(as, Critical); len(got) != 1 || got[0].Kind != KindRestarts {
		t.Fatalf("critical: %v", kinds(got))
	}
	if len(ForWorkload(as, other.Ref)) != 0 || len(ForWorkload(as, w.Ref)) != len(as) {
		t.Fatalf("per workload: %v", kinds(ForWorkload(as, w.Ref)))
	}
	if len(Patchable(as)) != 0 {
		t.Fatalf("patchable: %v", kinds(Patchable(as)))
	}
	if as[0].Severity != Critical {
		t.Errorf("advice not sorted by severity: %v", kinds(as))
	}
	for _, s := range []string{"info", "warning", "critical"} {
		if sev, err := ParseSeverity(s); err != nil || string(sev) != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s, sev, err)
		}
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Error("accepted fatal")
	}
}

// Third review, finding 2: a critical cut (krr's band: the size of the
// saving) waits behind a critical OOMKill or crash loop; a raise, a
// removed limit and advice that is not sizing are never savings.
func TestUrgencyPutsRiskBeforeSavings(t *testing.T) {
	v := func(n int64) Value { return Value{Set: true, Amount: n} }
	cut := Advice{Kind: KindCPURequest, Severity: Critical, Current: v(1000), Suggested: v(71)}
	oom := Advice{Kind: KindMemoryLimit, Severity: Critical, Current: v(256), Suggested: v(356)}
	crash := Advice{Kind: KindRestarts, Severity: Critical}
	unlimit := Advice{Kind: KindCPULimit, Severity: Warning, Current: v(1000)}
	warnCut := Advice{Kind: KindMemoryRequest, Severity: Warning, Current: v(2048), Suggested: v(107)}
	for _, tc := range []struct {
		a     Advice
		saves bool
	}{{cut, true}, {oom, false}, {crash, false}, {unlimit, false}, {warnCut, true}} {
		if tc.a.Saves() != tc.saves {
			t.Errorf("%s %s -> %s: saves = %v", tc.a.Kind, tc.a.Current.Display, tc.a.Suggested.Display, !tc.saves)
		}
	}
	if !(oom.Urgency() > cut.Urgency() && crash.Urgency() == oom.Urgency() && cut.Urgency() > unlimit.Urgency() && unlimit.Urgency() > warnCut.Urgency()) {
		t.Errorf("urgencies: oom %d crash %d cut %d unlimit %d warning cut %d", oom.Urgency(), crash.Urgency(), cut.Urgency(), unlimit.Urgency(), warnCut.Urgency())
	}
	if Urgency([]Advice{cut, warnCut}) != cut.Urgency() || Urgency([]Advice{cut, oom}) != oom.Urgency() || Urgency(nil) != -1 {
		t.Error("a workload's urgency is its most urgent advice's")
	}
}
