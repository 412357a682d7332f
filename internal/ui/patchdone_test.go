package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// Once applied, the patch view shows what was applied and what was left
// out, not the offer made before it: no "Applying…", no in-place offer, no
// ticked list; space and a no longer act on the applied patch.
func TestAppliedPatchShowsWhatWasDone(t *testing.T) {
	f := &fakeApply{}
	m := start(t, resizeDeps(fixture(), f, &fakeResize{}, &recorder{}), 120, 40)
	m = press(t, m, "down", "p", "space") // leave the first advice out
	left := adviceChange(m.patch.advice[0])
	m = drain(t, m, func() tea.Msg { return keyPress("a") })
	m = drain(t, m, func() tea.Msg { return keyPress("Y") })
	if m.patch.state != patchApplied {
		t.Fatalf("state %v:\n%s", m.patch.state, screen(m))
	}
	v := flat(m)
	for _, want := range []string{"✓ applied", "APPLIED", "NOT APPLIED", left} {
		if !strings.Contains(v, want) {
			t.Errorf("done view lacks %q", want)
		}
	}
	for _, stale := range []string{"Applying", "i resizes", "ADVICE IN THIS PATCH", "[x]", "[ ]"} {
		if strings.Contains(v, stale) {
			t.Errorf("done view still says %q", stale)
		}
	}
	m = press(t, m, "space", "a")
	if m.patch.state != patchApplied || len(f.calls) != 2 {
		t.Errorf("keys acted on the applied patch: state %v, %d apply calls", m.patch.state, len(f.calls))
	}
	if t.Failed() {
		t.Log(screen(m))
	}
}
