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
