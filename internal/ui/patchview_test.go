package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/model"
)

// When the patch view does not fit, markers say there is more above and
// below, and every advice row can be reached.
func TestPatchViewScrollMarkers(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 80, 24)
	m = press(t, m, "down", "p")
	const room = 16 // lines, of which 5 pinned: the list is cut
	m.patch = m.patch.resize(m.width, room)
	view := func() string { return ansi.Strip(strings.Join(m.patch.view(room), "\n")) }
	body := m.patch.view(room)
	if last := ansi.Strip(body[len(body)-1]); len(body) != room || !strings.HasPrefix(last, " ↓ ") || !strings.Contains(last, "more lines below (pgdn)") {
		t.Fatalf("no marker under a cut list:\n%s", view())
	}
	for i := range m.patch.advice {
		m = press(t, m, "down") // the first brings the cursor into sight
		v := view()
		if m.patch.cursor != i || !strings.Contains(v, "▌[") {
			t.Fatalf("advice %d: cursor %d out of sight:\n%s", i, m.patch.cursor, v)
		}
		if !strings.Contains(v, "more lines above (pgup)") {
			t.Fatalf("advice %d: CHANGES scrolled off with no marker:\n%s", i, v)
		}
		if n := len(strings.Split(v, "\n")); n != room {
			t.Fatalf("advice %d: %d lines, want %d", i, n, room)
		}
	}
}

// twoOrders is the fixture with a second container in orders, whose patch
// view does not fit at 80x24.
func twoOrders() model.Snapshot {
	s := fixture()
	for i, w := range s.Workloads {
		if w.Ref.Name == "orders" {
			c := w.Containers[0]
			c.Name = "audit"
			s.Workloads[i].Containers = append(slices.Clone(w.Containers), c)
		}
	}
	return s
}

// At 80x24 the patch view opens at the top, with its changes in sight;
// moving down the advice scrolls them off, and pgup, home and end page
// the whole view whatever the cursor.
func TestPatchViewPagesAtEightyByTwentyFour(t *testing.T) {
	m := press(t, selectRow(t, start(t, deps(twoOrders(), &fakeApply{}), 80, 24), "orders"), "p")
	if m.patch.w == nil || m.patch.w.Ref.Name != "orders" {
		t.Fatalf("p opened %v, want orders", m.patch.w)
	}
	if n := len(m.patch.advice); n < 4 {
		t.Fatalf("orders has %d pieces of advice, want two containers' worth", n)
	}
	sees := func(want ...string) {
		t.Helper()
		v := screen(m)
		for _, w := range want {
			if !strings.Contains(v, w) {
				t.Fatalf("the screen lacks %q:\n%s", w, v)
			}
		}
	}
	lacks := func(what string) {
		t.Helper()
		if v := screen(m); strings.Contains(v, what) {
			t.Fatalf("the screen shows %q:\n%s", what, v)
		}
	}
	sees(" CHANGES", "CONTAINER  FIELD", " COMMAND", "kubectl patch statefulset orders", "more lines below (pgdn)")
	lacks("more lines above")

	for range m.patch.advice {
		m = press(t, m, "down")
	}
	if m.patch.cursor != len(m.patch.advice)-1 {
		t.Fatalf("cursor %d after moving to the end", m.patch.cursor)
	}
	sees("▌[", "more lines above (pgup)")
	lacks(" CHANGES")

	for range 3 {
		m = press(t, m, "pgup")
	}
	sees(" CHANGES", "CONTAINER  FIELD", " COMMAND")
	lacks("▌[")
	m = press(t, m, "end")
	sees("▌[")
	lacks(" CHANGES")
	m = press(t, m, "home")
	sees(" CHANGES")
	// The cursor is where it was: an arrow brings it back into sight first.
	m = press(t, m, "up")
	if m.patch.cursor != len(m.patch.advice)-1 {
		t.Fatalf("up out of sight moved the cursor to %d", m.patch.cursor)
	}
	sees("▌[")
	m = press(t, m, "up")
	if m.patch.cursor != len(m.patch.advice)-2 {
		t.Fatalf("up in sight: cursor %d", m.patch.cursor)
	}
}

// Read-only, the status takes more lines; the keys page by the view as it
// is drawn, so end reaches the last line there too.
func TestReadOnlyPatchViewPagesToTheEnd(t *testing.T) {
	d := deps(twoOrders(), &fakeApply{})
	d.ReadOnly = true
	m := press(t, start(t, d, 80, 24), "p", "end")
	if v := screen(m); strings.Contains(v, "more lines below") || !strings.Contains(v, "more lines above") {
		t.Fatalf("end should show the last line of the patch view:\n%s", v)
	}
	for range m.patch.advice {
		m = press(t, m, "down")
	}
	if v := screen(m); !strings.Contains(v, "▌[") {
		t.Fatalf("the last advice should be in sight under the cursor:\n%s", v)
	}
}
