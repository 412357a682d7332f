package ui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// names returns the workload or container names of the table's lines, in order.
func names(m Model) []string {
	var out []string
	for _, l := range m.table.lines {
		r := m.table.rows[l.w]
		if l.c >= 0 {
			out = append(out, "  "+r.containers[l.c].name)
			continue
		}
		out = append(out, r.ref.Name)
	}
	return out
}

func selected(m Model) string {
	r, c, ok := m.table.current()
	if !ok {
		return ""
	}
	if c != "" {
		return r.ref.Name + "/" + c
	}
	return r.ref.Name
}

func TestWorstWorkloadFirst(t *testing.T) {
	m := start(t, deps(fixture(), nil), 120, 30)
	got := names(m)
	// accounts' warning only cuts a request: it sorts after edge's and
	// mailer's single warnings, which are about risk.
	if got[0] != "thumbs" || got[len(got)-2] != "edge" || got[len(got)-1] != "accounts" {
		t.Fatalf("default order (advice, worst first) = %v", got)
	}
	if selected(m) != "thumbs" {
		t.Fatalf("cursor starts on %q, want the worst workload", selected(m))
	}
}

func TestNavigation(t *testing.T) {
	m := start(t, deps(fixture(), nil), 120, 30)
	m = press(t, m, "down", "j")
	if selected(m) != "web" {
		t.Fatalf("two down: %q", selected(m))
	}
	m = press(t, m, "up")
	if selected(m) != "orders" {
		t.Fatalf("up: %q", selected(m))
	}
	m = press(t, m, "G")
	if selected(m) != "accounts" {
		t.Fatalf("G: %q", selected(m))
	}
	m = press(t, m, "down", "down")
	if selected(m) != "accounts" {
		t.Fatalf("down past the end moved to %q", selected(m))
	}
	m = press(t, m, "g", "up")
	if selected(m) != "thumbs" {
		t.Fatalf("g then up: %q", selected(m))
	}
}

func TestExpandContainers(t *testing.T) {
	m := start(t, deps(fixture(), nil), 120, 30)
	m = press(t, m, "down", "down") // web, two containers
	before := len(m.table.lines)
	m = press(t, m, "right")
	if len(m.table.lines) != before+2 {
		t.Fatalf("expanding web added %d lines, want 2: %v", len(m.table.lines)-before, names(m))
	}
	m = press(t, m, "down")
	if selected(m) != "web/app" {
		t.Fatalf("down into the containers: %q", selected(m))
	}
	view := m.View().Content
	if !strings.Contains(view, "└ app") || !strings.Contains(view, "└ nginx") {
		t.Fatalf("expanded containers not drawn:\n%s", view)
	}
	// The selection survives a refresh, container and all.
	m = refreshWith(t, m, fixture())
	if selected(m) != "web/app" {
		t.Fatalf("after a refresh the cursor is on %q", selected(m))
	}
	m = press(t, m, "left")
	if len(m.table.lines) != before || selected(m) != "web" {
		t.Fatalf("collapse: %d lines, cursor on %q", len(m.table.lines), selected(m))
	}
	m = press(t, m, "space", "space")
	if len(m.table.lines) != before {
		t.Fatal("space twice should toggle back")
	}
}

func TestSort(t *testing.T) {
	m := start(t, deps(fixture(), nil), 120, 30)
	m = press(t, m, "s") // advice -> name
	if m.table.sortCol != colName {
		t.Fatalf("s moved sort to %v", m.table.sortCol)
	}
	want := []string{"accounts", "edge", "mailer", "orders", "payments", "thumbs", "web"}
	if got := names(m); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("by name: %v", got)
	}
	if selected(m) != "thumbs" {
		t.Fatalf("the cursor should stay on its workload, is on %q", selected(m))
	}
	m = press(t, m, "S")
	if got := names(m); got[0] != "web" || got[len(got)-1] != "accounts" {
		t.Fatalf("reversed: %v", got)
	}
	if !strings.Contains(m.View().Content, "WORKLOAD↑") {
		t.Fatal("the sort column's title should carry the arrow")
	}
	if m.table.layout(120).width[colKind] != 0 {
		t.Fatal("the fixture should show no KIND column at 120 columns")
	}
	m = press(t, m, "s", "s", "s", "s") // ready, go, cpu, memory: KIND is not shown, so not sorted by
	if m.table.sortCol != colMem || m.table.reverse {
		t.Fatalf("after four more s: column %v reverse %v", m.table.sortCol, m.table.reverse)
	}
	if got := names(m); got[0] != "orders" {
		t.Fatalf("by memory, fullest first: %v", got)
	}
	m = press(t, m, "s")
	if got := names(m); got[0] != "orders" && got[0] != "thumbs" {
		t.Fatalf("by restarts: %v", got)
	}
}

func TestFilter(t *testing.T) {
	m := start(t, deps(fixture(), nil), 120, 30)
	m = press(t, m, "/", "p", "a", "y")
	if !m.table.filtering() || m.table.filter.Value() != "pay" {
		t.Fatalf("typing a filter: %q focused=%v", m.table.filter.Value(), m.table.filtering())
	}
	if got := names(m); len(got) != 1 || got[0] != "payments" {
		t.Fatalf("filtered: %v", got)
	}
	if !strings.Contains(m.View().Content, "/pay") {
		t.Fatal("the filter being typed is not shown")
	}
	m = press(t, m, "backspace", "backspace", "backspace", "n", "g", "i", "n", "x") // containers match too
	if got := names(m); len(got) != 1 || got[0] != "web" {
		t.Fatalf("filter by container name: %v", got)
	}
	m = press(t, m, "enter")
	if m.table.filtering() || m.table.filter.Value() != "nginx" {
		t.Fatal("enter keeps the filter and stops typing")
	}
	if !strings.Contains(m.View().Content, `1 of 7 workloads`) {
		t.Fatal("the status line should say how many workloads the filter shows")
	}
	m = press(t, m, "esc")
	if len(names(m)) != 7 {
		t.Fatalf("esc clears the filter: %v", names(m))
	}
	m = press(t, m, "/", "q")
	if m.table.filter.Value() != "q" {
		t.Fatal("q while typing a filter is a letter, not quit")
	}
	m = press(t, m, "x", "x", "x")
	if !strings.Contains(m.View().Content, `No workload matches "qxxx"`) {
		t.Fatalf("an empty filter result should say so:\n%s", m.View().Content)
	}
	m = press(t, m, "esc")
	if m.table.filtering() || len(names(m)) != 7 {
		t.Fatal("esc while typing drops the filter")
	}
}

// The filter's editing keys are the KeyMap's: ctrl+w deletes a word,
// ctrl+u everything, and a remapped key moves with the map.
func TestFilterKeysComeFromTheKeyMap(t *testing.T) {
	ctrl := func(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }
	m := press(t, start(t, deps(fixture(), nil), 120, 30), "/", "w", "e", "b", "space", "a", "p", "p")
	if m = send(t, m, ctrl('w')); m.table.filter.Value() != "web " {
		t.Fatalf("ctrl+w should delete the last word: %q", m.table.filter.Value())
	}
	if m = send(t, m, ctrl('u')); m.table.filter.Value() != "" {
		t.Fatalf("ctrl+u should delete everything: %q", m.table.filter.Value())
	}
	m.keys.Filtering.DeleteAll = key.NewBinding(key.WithKeys("ctrl+k"))
	m = press(t, m, "a", "p", "p")
	if m = send(t, m, ctrl('u')); m.table.filter.Value() != "app" {
		t.Fatalf("ctrl+u is no longer bound: %q", m.table.filter.Value())
	}
	if m = send(t, m, ctrl('k')); m.table.filter.Value() != "" {
		t.Fatalf("ctrl+k, bound in its place, should delete everything: %q", m.table.filter.Value())
	}
	m.keys.Filtering.Keep = key.NewBinding(key.WithKeys("tab"))
	if m = send(t, m, tea.KeyPressMsg{Code: tea.KeyTab}); m.table.filtering() {
		t.Fatal("tab, bound to keep the filter, should stop the typing")
	}
}

func TestPanelShowsTheMostUrgentAdvice(t *testing.T) {
	m := press(t, start(t, deps(fixture(), nil), 120, 30), "down", "down") // web: app has warnings, nginx a critical
	if v := screen(m); !strings.Contains(v, "● critical web (2)") {
		t.Fatalf("the panel should lead with the critical advice of the sidecar:\n%s", v)
	}
	m = press(t, m, "right", "down") // web/app alone has no critical advice
	if v := screen(m); !strings.Contains(v, "▲ warning web/app") {
		t.Fatalf("on a container line the panel is about that container:\n%s", v)
	}
}

// A table whose rows do not all fit says how many more there are above and
// below, as the details do, and the cursor's row is always in sight.
func TestTableSaysWhatDoesNotFit(t *testing.T) {
	s := fixture()
	for _, w := range s.Workloads {
		w.Ref.Name += "-b"
		s.Workloads = append(s.Workloads, w)
	}
	m := start(t, deps(s, &fakeApply{}), 80, 16)
	if m.table.height >= len(m.table.lines) {
		t.Fatalf("all %d lines fit in %d: nothing to test", len(m.table.lines), m.table.height)
	}
	if v := screen(m); !strings.Contains(v, "↓ ") || !strings.Contains(v, "more (pgdn)") || strings.Contains(v, "more (pgup)") {
		t.Errorf("at the top:\n%s", v)
	}
	for range m.table.lines {
		r, _, _ := m.table.current()
		if v := screen(m); !strings.Contains(v, "▌"+r.ref.Name) {
			t.Fatalf("the cursor's row %s is out of sight:\n%s", r.ref.Name, v)
		}
		m = press(t, m, "down")
	}
	if v := screen(m); !strings.Contains(v, "more (pgup)") || strings.Contains(v, "more (pgdn)") {
		t.Errorf("at the bottom:\n%s", v)
	}
}
