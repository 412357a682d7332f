package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// outOfPatchFixture is a deployment and advice of each kind p would not
// patch: a CPU request kept out by its own note (as the replica skew keeps
// stream's), a GOGC drop that goes only with other changes (billing's), a
// held memory request, and a limit p does patch.
func outOfPatchFixture() (model.Workload, map[string]advisor.Advice) {
	w := deploy(model.KindDeployment, "stream", 4, 4, model.Container{Name: "app", Resources: res(250, 200*mi, 2000, 400*mi)})
	target := advisor.Target{Kind: w.Ref.Kind, Namespace: "shop", Name: "stream", Container: "app"}
	limit := advisor.Change{Container: "app", Resource: &advisor.ResourceChange{Section: "limits", Name: "memory", Amount: 512 * mi, Quantity: "512Mi"}}
	env := advisor.Change{Container: "app", Env: &advisor.EnvChange{Name: "GOGC", Remove: true}}
	return w, map[string]advisor.Advice{
		"kept": {ID: "cpu-request", Kind: advisor.KindCPURequest, Severity: advisor.Info, Target: target,
			Current: advisor.Value{Display: "250m", Set: true}, Suggested: advisor.Value{Display: "429m", Set: true},
			KeptOut: "one replica does the others' work (see the replica skew advice)",
			Notes:   []string{advisor.KeptOutNote + "one replica does the others' work (see the replica skew advice)"}},
		"alongside": {ID: "gogc", Kind: advisor.KindGOGC, Severity: advisor.Info, Target: target, Alongside: true,
			Suggested: advisor.Value{Display: "drop env GOGC"}, Changes: []advisor.Change{env}},
		"held": {ID: "memory-request", Kind: advisor.KindMemoryRequest, Severity: advisor.Info, Target: target, Held: true, HeldWhy: advisor.HeldShortHistory,
			Current: advisor.Value{Display: "200Mi", Set: true}, Suggested: advisor.Value{Display: "220Mi", Set: true}, Changes: []advisor.Change{limit}},
		"patched": {ID: "memory-limit", Kind: advisor.KindMemoryLimit, Severity: advisor.Info, Target: target,
			Current: advisor.Value{Display: "400Mi", Set: true}, Suggested: advisor.Value{Display: "512Mi", Set: true}, Changes: []advisor.Change{limit}},
	}
}

// The table's TOP ADVICE offers what p patches before what it would
// refuse, and says so of a change it would not patch.
func TestTopAdviceSaysWhatThePatchLeavesOut(t *testing.T) {
	_, as := outOfPatchFixture()
	for _, c := range []struct {
		advice []advisor.Advice
		want   string
	}{
		{[]advisor.Advice{as["kept"]}, "no patch: CPU request → 429m"},
		{[]advisor.Advice{as["alongside"]}, "only with others: GOGC → drop env GOGC"},
		{[]advisor.Advice{as["held"]}, "held: memory request → 220Mi"},
		{[]advisor.Advice{as["kept"], as["held"], as["patched"]}, "memory limit → 512Mi"},
	} {
		if got := topAdvice(c.advice, "", false).Text; got != c.want {
			t.Errorf("top advice %q, want %q", got, c.want)
		}
	}
}

// The patch view gives the real reason for having nothing to patch, and
// space does not go round in a circle on a change that goes only with others.
func TestNothingToPatchSaysWhy(t *testing.T) {
	w, as := outOfPatchFixture()
	text := func(p patchModel) string {
		return strings.Join(strings.Fields(ansi.Strip(strings.Join(p.view(30), " "))), " ")
	}
	kept := text(newPatch(&w, []advisor.Advice{as["kept"]}, 0, false, false, DefaultStyles()))
	if !strings.Contains(kept, "Nothing to patch: CPU request → 429m is not in the patch: one replica does the others' work") || strings.Contains(kept, "pod template") {
		t.Errorf("a request kept out: %s", kept)
	}
	if h := availability(w, []advisor.Advice{as["kept"]}).hint(w.Ref.Kind); !strings.Contains(h, "one replica does the others' work") {
		t.Errorf("the panel's hint: %q", h)
	}

	m := start(t, deps(model.Snapshot{Namespace: "shop", Workloads: []model.Workload{w}}, &fakeApply{}), 120, 30)
	m.patch = newPatch(&w, []advisor.Advice{as["alongside"]}, 0, false, false, DefaultStyles()).resize(120, 28)
	m.view = viewPatch
	before := screen(m)
	for _, want := range []string{"Nothing to patch: GOGC → drop env GOGC alone is not worth a rollout", "(not in the patch: alone not worth a rollout)"} {
		if !strings.Contains(before, want) {
			t.Errorf("alone, the GOGC drop: lacks %q:\n%s", want, before)
		}
	}
	if strings.Contains(before, "space includes") || strings.Contains(before, "space include") {
		t.Errorf("nothing is left out, yet space is offered:\n%s", before)
	}
	if after := screen(press(t, m, "space")); after != before {
		t.Errorf("space changed a view with nothing to choose:\n%s", after)
	}
}

// Within one urgency a workload with no pod ready sorts before one that
// serves, whatever else it counts (notifier, down, before ingest, up).
func TestDownFirstWithinAnUrgency(t *testing.T) {
	crash := advisor.Advice{Kind: advisor.KindRestarts, Severity: advisor.Critical}
	more := []advisor.Advice{crash, {Kind: advisor.KindGOGC, Severity: advisor.Warning}}
	app := model.Container{Name: "app"}
	up := buildRow(deploy(model.KindDeployment, "ingest", 1, 1, app), more, patchAvail{}, model.Snapshot{Namespace: "shop"})
	down := buildRow(deploy(model.KindDeployment, "notifier", 0, 1, app), []advisor.Advice{crash}, patchAvail{}, model.Snapshot{Namespace: "shop"})
	if compareRows(&down, &up, colAdvice) >= 0 {
		t.Errorf("a workload that is down sorts after one that is up: scores %d, %d", down.counts.score(), up.counts.score())
	}
	cut := advisor.Advice{Kind: advisor.KindCPURequest, Severity: advisor.Critical, Current: advisor.Value{Set: true, Amount: 2}, Suggested: advisor.Value{Set: true, Amount: 1}}
	saves := buildRow(deploy(model.KindDeployment, "catalog", 0, 1, app), []advisor.Advice{cut}, patchAvail{}, model.Snapshot{Namespace: "shop"})
	if compareRows(&up, &saves, colAdvice) >= 0 {
		t.Errorf("down, a cut sorts before a crash loop that serves")
	}
}

// The TOP ADVICE cell names what ranks the row (newcomer round 4: checkout
// ranked by a memory limit raise and showed a CPU request cut): within a
// severity what fails comes before what only saves.
func TestTopAdviceIsWhatRanksTheRow(t *testing.T) {
	v := func(n int64) advisor.Value { return advisor.Value{Set: true, Amount: n, Display: "x"} }
	cut := advisor.Advice{Kind: advisor.KindCPURequest, Severity: advisor.Warning, Current: v(1000), Suggested: v(100),
		Changes: []advisor.Change{{Container: "app"}}}
	raise := advisor.Advice{Kind: advisor.KindMemoryLimit, Severity: advisor.Warning, Current: v(128), Suggested: v(148),
		Changes: []advisor.Change{{Container: "sidecar"}}}
	for _, as := range [][]advisor.Advice{{cut, raise}, {raise, cut}} {
		if top := topOf(as, "", false); top == nil || top.Kind != advisor.KindMemoryLimit {
			t.Errorf("top of %v is %+v, want the memory limit raise", []advisor.Kind{as[0].Kind, as[1].Kind}, top)
		}
	}
}
