package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// heldFixture is the fixture with one more workload, search, watched for
// an hour: under the sizing minimum, so its sizing is held.
func heldFixture() model.Snapshot {
	s := fixture()
	search := model.Container{
		Name: "search", Image: "registry.shop/search:1.4.0",
		Resources: res(1000, 1024*mi, 2000, 1024*mi),
		Env:       []model.EnvVar{{Name: "GOMEMLIMIT", Value: "921MiB"}},
		Probes:    model.Probes{Readiness: httpProbe, Liveness: httpProbe},
		Instances: []model.ContainerInstance{instance("search-0", 200, 300*mi)},
		Usage:     history(time.Hour, []string{"search-0"}, 200, 300*mi, 1000),
		Go:        model.GoInfo{Detection: model.GoConfirmed, Version: "1.26.2", Evidence: "go_info"},
	}
	s.Workloads = append(s.Workloads, deploy(model.KindDeployment, "search", 1, 1, search))
	return s
}

// fields names the fields a patch changes.
func fields(p advisor.Patch) []string {
	var out []string
	for _, f := range p.Fields {
		out = append(out, f.Field)
	}
	return out
}

// Held sizing is listed in the patch view, unticked and marked with why;
// H includes it in this patch, the view then says it is built on little
// history, and H again leaves it out.
func TestHeldSizingTakenByAKey(t *testing.T) {
	f := &fakeApply{}
	m := press(t, selectRow(t, start(t, deps(heldFixture(), f), 100, 40), "search"), "p")
	if len(m.patch.advice) == 0 || m.patch.heldCount() != len(m.patch.advice) || slices.Contains(m.patch.accepted, true) {
		t.Fatalf("the held advice must be listed and left out: %d listed, %d held, accepted %v", len(m.patch.advice), m.patch.heldCount(), m.patch.accepted)
	}
	s := screen(m)
	for _, want := range []string{"[ ] · CPU request 1 → 275m  search  held: short history", "Nothing to patch yet", "Held back: 2 pieces of advice", "H include held"} {
		if !strings.Contains(s, want) {
			t.Errorf("before H, the view lacks %q:\n%s", want, s)
		}
	}
	if _, cmd := pressCmd(t, m, "a"); cmd != nil {
		t.Error("a dry-ran a patch of held advice nobody asked for")
	}

	m = press(t, m, "H")
	if got := fields(m.patch.patch); m.patch.err != nil || !slices.Contains(got, "resources.requests.cpu") || !slices.Contains(got, "resources.requests.memory") {
		t.Fatalf("H must put the held sizing in the patch: %v, %v", got, m.patch.err)
	}
	s = screen(m)
	for _, want := range []string{"[x] · CPU request 1 → 275m", "Includes held sizing (short history", "built on little history", "H leave held out"} {
		if !strings.Contains(s, want) {
			t.Errorf("after H, the view lacks %q:\n%s", want, s)
		}
	}
	m, cmd := pressCmd(t, m, "a")
	m, _ = run(t, m, cmd)
	m, cmd = pressCmd(t, m, "Y")
	run(t, m, cmd)
	if len(f.calls) != 2 || f.calls[1].dryRun || !slices.Contains(fields(f.calls[1].patch), "resources.requests.cpu") {
		t.Fatalf("Y must apply the patch with the held sizing: %+v", f.calls)
	}

	m = press(t, press(t, selectRow(t, press(t, m, "esc"), "search"), "p"), "H", "H")
	if m.patch.heldIn() || !strings.Contains(screen(m), "Nothing to patch yet") {
		t.Errorf("H again must leave the held sizing out:\n%s", screen(m))
	}
}

// Space includes one piece of held advice, and the view warns the same.
func TestHeldAdviceTickedByHand(t *testing.T) {
	m := press(t, selectRow(t, start(t, deps(heldFixture(), &fakeApply{}), 100, 40), "search"), "p", "space")
	if got := fields(m.patch.patch); len(got) != 1 || got[0] != "resources.requests.cpu" || !strings.Contains(screen(m), "Includes held sizing (short history)") {
		t.Errorf("fields %v:\n%s", got, screen(m))
	}
}

// The table and the details say why a workload of held sizing has no
// patch, and that the patch view includes it.
func TestHeldSizingHinted(t *testing.T) {
	m := selectRow(t, start(t, deps(heldFixture(), &fakeApply{}), 120, 40), "search")
	r, _, _ := m.table.current()
	if r.patch.held != 2 || r.patch.ready() || !strings.Contains(screen(m), "no patch yet: its sizing rests on little history (held)") {
		t.Errorf("held %d, ready %v:\n%s", r.patch.held, r.patch.ready(), screen(m))
	}
	m = press(t, m, "enter", "G")
	if s := screen(m); !strings.Contains(s, "PATCH  no patch yet") || !strings.Contains(s, "p held sizing") {
		t.Errorf("details:\n%s", s)
	}
	// A workload with a patch too says how much more is held back.
	w := deploy(model.KindDeployment, "api", 1, 1, model.Container{Name: "app", Resources: res(100, 128*mi, 0, 256*mi)})
	change := func(id, name string, amount int64, held bool) advisor.Advice {
		return advisor.Advice{ID: id, Held: held, HeldWhy: ifElse(held, advisor.HeldShortHistory, ""),
			Target:  advisor.Target{Kind: w.Ref.Kind, Namespace: "shop", Name: "api", Container: "app"},
			Changes: []advisor.Change{{Container: "app", Resource: &advisor.ResourceChange{Section: "limits", Name: name, Amount: amount, Quantity: model.FormatBytes(amount)}}}}
	}
	as := []advisor.Advice{change("memory-limit", "memory", 512*mi, false), change("cpu-request", "cpu", 200, true)}
	p := availability(w, as)
	_, lines, _ := detailLines(&w, as, p, t0, 120, DefaultStyles())
	if text := ansi.Strip(strings.Join(lines, "\n")); !p.ready() || p.held != 1 || !strings.Contains(strings.Join(strings.Fields(text), " "), "(1 piece of advice; 1 more held back for little history: p, then H, includes it)") {
		t.Errorf("ready %v, held %d:\n%s", p.ready(), p.held, text)
	}
}

// The patch view of held sizing at the classic size, before and after H.
// Regenerate with: go test ./internal/ui -run TestGoldenHeld -update
func TestGoldenHeld(t *testing.T) {
	for name, keys := range map[string][]string{"held_listed_80x24": {"p"}, "held_included_80x24": {"p", "H"}} {
		t.Run(name, func(t *testing.T) {
			m := press(t, selectRow(t, start(t, deps(heldFixture(), &fakeApply{}), 80, 24), "search"), keys...)
			golden.RequireEqual(t, ansi.Strip(m.View().Content))
		})
	}
}
