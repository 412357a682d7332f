package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// What p, a and y would do is decided with the row, and the panel's hint
// and the detail's keys read it from there (no frame builds a patch).
func TestPatchAvailability(t *testing.T) {
	app := model.Container{Name: "app", Resources: res(100, 128*mi, 0, 256*mi)}
	dep := deploy(model.KindDeployment, "api", 1, 1, app)
	pod := deploy(model.KindPod, "one-off", 1, 1, app)
	limit := func(ref model.WorkloadRef) advisor.Advice {
		return advisor.Advice{ID: "memory-limit", Target: advisor.Target{Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name, Container: "app"},
			Changes: []advisor.Change{{Container: "app", Resource: &advisor.ResourceChange{Section: "limits", Name: "memory", Amount: 512 * mi, Quantity: "512Mi"}}}}
	}
	inCode := advisor.Advice{ID: "db-pool", Target: advisor.Target{Kind: dep.Ref.Kind, Namespace: "shop", Name: "api", Container: "app"}, Code: "db.SetMaxOpenConns(50)"}
	behindUndo := limit(dep.Ref)
	behindUndo.Held, behindUndo.HeldWhy = true, advisor.HeldBehindUndo
	for _, c := range []struct {
		name          string
		w             model.Workload
		advice        []advisor.Advice
		ready, change bool
		hint          string
	}{
		{"a deployment's limit", dep, []advisor.Advice{limit(dep.Ref)}, true, true, "p patch · a dry run"},
		{"advice in code only", dep, []advisor.Advice{inCode}, false, false, "nothing here is a pod template change"},
		{"a raise beside the undo", dep, []advisor.Advice{behindUndo}, false, false, "u undoes kgotop's change"},
		{"a bare pod's limit", pod, []advisor.Advice{limit(pod.Ref)}, false, true, "a pod cannot be patched in place"},
		{"a bare pod, nothing to patch", pod, nil, false, false, "a pod cannot be patched in place"},
		{"advice BuildPatch refuses", dep, []advisor.Advice{limit(pod.Ref)}, false, true, "p shows why this advice makes no patch"},
	} {
		p := availability(c.w, c.advice)
		if p.ready() != c.ready || p.changes != c.change || !strings.HasPrefix(p.hint(c.w.Ref.Kind), c.hint) {
			t.Errorf("%s: ready %v, changes %v, hint %q; want %v, %v, %q…", c.name, p.ready(), p.changes, p.hint(c.w.Ref.Kind), c.ready, c.change, c.hint)
		}
		row := buildRow(c.w, c.advice, p, model.Snapshot{Namespace: "shop"})
		if row.patch != p {
			t.Errorf("%s: the row does not keep its patch availability", c.name)
		}
	}
}

// A request an HPA scales on is advised without a patch: the hint and the
// patch view say that is why, not that nothing changes the pod template.
func TestTheHPAIsWhyThereIsNoPatch(t *testing.T) {
	w := deploy(model.KindDeployment, "web", 3, 3, model.Container{Name: "app", Resources: res(500, 256*mi, 1000, 512*mi)})
	w.HPA = &model.HPA{Name: "web", MinReplicas: 3, MaxReplicas: 10}
	cpu := advisor.Advice{ID: "cpu-request", Kind: advisor.KindCPURequest, Target: advisor.Target{Kind: w.Ref.Kind, Namespace: "shop", Name: "web", Container: "app"},
		Current: advisor.Value{Display: "500m", Set: true}, Suggested: advisor.Value{Display: "140m", Set: true}}
	as := []advisor.Advice{cpu}
	if h := availability(w, as).hint(w.Ref.Kind); !strings.Contains(h, "its HPA scales on these requests") {
		t.Errorf("hint %q", h)
	}
	text := func(p patchModel) string {
		return strings.Join(strings.Fields(ansi.Strip(strings.Join(p.view(24), " "))), " ")
	}
	got := text(newPatch(&w, as, 0, false, false, DefaultStyles()))
	if !strings.Contains(got, "Nothing to patch: HPA web scales on the requests this advice would resize") || strings.Contains(got, "pod template") {
		t.Errorf("patch view: %s", got)
	}
	w.HPA = nil
	if got := text(newPatch(&w, as, 0, false, false, DefaultStyles())); !strings.Contains(got, "none of this workload's advice changes its pod template") {
		t.Errorf("without an HPA: %s", got)
	}
}
