package ui

import (
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// footer is the last line of the screen, colour stripped.
func footer(m Model) string {
	lines := strings.Split(screen(m), "\n")
	return lines[len(lines)-1]
}

// TestTooSmallIgnoresKeys: while the terminal is too small to show
// anything, no key but q and ctrl+c does anything: keys pressed blind must
// not open, dry-run or apply a patch.
func TestTooSmallIgnoresKeys(t *testing.T) {
	f := &fakeApply{}
	m := start(t, deps(fixture(), f), 120, 30)
	before := selected(m)
	m = send(t, m, tea.WindowSizeMsg{Width: 40, Height: 10})
	for _, k := range []string{"j", "j", "p", "a", "Y", "enter", "y", "space", "/", "r", "?", "esc", "G"} {
		var cmd tea.Cmd
		m, cmd = pressCmd(t, m, k)
		if cmd != nil {
			t.Fatalf("%s while too small made a command", k)
		}
	}
	if len(f.calls) != 0 || m.view != viewTable || m.showHelp || m.table.filtering() || selected(m) != before {
		t.Fatalf("keys acted while too small: %d calls, view %v, help %v, on %q", len(f.calls), m.view, m.showHelp, selected(m))
	}
	m = send(t, m, tea.PasteMsg{Content: "pay"})
	if m.table.filter.Value() != "" {
		t.Fatal("a paste acted while too small")
	}
	// The message is wrapped to the width, whole.
	v := m.View().Content
	var words []string
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > 40 {
			t.Fatalf("line %d wide at 40 columns: %q", w, l)
		}
		words = append(words, strings.Fields(l)...)
	}
	if got := strings.Join(words, " "); got != "kgotop needs at least 60x15; this terminal is 40x10. Enlarge it, or press q to quit; kgotop --report prints the same as text." {
		t.Fatalf("too-small message: %q", got)
	}
	for _, k := range []string{"q", "ctrl+c"} {
		if _, cmd := pressCmd(t, m, k); cmd == nil || !reflect.DeepEqual(cmd(), tea.QuitMsg{}) {
			t.Fatalf("%s should quit while too small", k)
		}
	}
	// Grown again, the keys work.
	m = press(t, send(t, m, tea.WindowSizeMsg{Width: 120, Height: 30}), "j")
	if selected(m) == before {
		t.Fatal("keys should work again once the terminal is big enough")
	}
}

// TestFooterKeepsQuit: at the smallest size, every view's footer keeps
// "? help", and the way out whole: "q quit" in the table, "q/esc back" in
// a view; it leaves out lesser keys instead.
func TestFooterKeepsQuit(t *testing.T) {
	for _, keys := range [][]string{nil, {"down", "enter"}, {"down", "enter", "G"}, {"down", "p"}, {"G", "p"}, {"down", "a"}} {
		m := press(t, start(t, deps(fixture(), &fakeApply{}), minWidth, minHeight), keys...)
		f := footer(m)
		out := ifElse(len(keys) == 0, "q quit", "q/esc back")
		if !strings.Contains(f, "? help") || !strings.Contains(f, out) || strings.Contains(f, "…") {
			t.Errorf("after %v the footer is %q", keys, f)
		}
	}
}

// TestFooterOnlyOffersWhatWorks: the footer names the keys that do
// something where the person is, and no other.
func TestFooterOnlyOffersWhatWorks(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 160, 48)
	nothing := press(t, m, ":", "e", "d", "g", "e", "enter", "p") // edge: nothing to patch
	if f := footer(nothing); !strings.Contains(f, "esc back") || strings.ContainsAny(f, "Y") ||
		strings.Contains(f, "space") || strings.Contains(f, "y copy") || strings.Contains(f, "a dry run") {
		t.Errorf("nothing to patch, the footer is %q", f)
	}
	preview := press(t, m, "down", "p")
	if f := footer(preview); !strings.Contains(f, "a dry run") || !strings.Contains(f, "y copy") || strings.Contains(f, "Y apply") {
		t.Errorf("the patch before a dry run: %q", f)
	}
	confirm, cmd := pressCmd(t, press(t, m, "down"), "a")
	confirm, _ = run(t, confirm, cmd)
	if f := footer(confirm); !strings.Contains(f, "Y apply") || !strings.Contains(f, "esc cancel") || strings.Contains(f, "space") {
		t.Errorf("after the dry run: %q", f)
	}

	// The details say where they are scrolled to, and offer only the ways to go.
	d := press(t, start(t, deps(fixture(), &fakeApply{}), 110, 24), "down", "enter")
	if v, f := screen(d), footer(d); !strings.Contains(v, "more lines below") || strings.Contains(v, "above") || strings.Contains(f, "↑") || !strings.Contains(f, "↓/j down") {
		t.Errorf("details at the top:\n%s", v)
	}
	d = press(t, d, "j", "j")
	if v, f := screen(d), footer(d); !strings.Contains(v, "↑ 3 more lines above") || !strings.Contains(v, "more lines below") || !strings.Contains(f, "↑↓ scroll") {
		t.Errorf("details in the middle:\n%s", v)
	}
	d = press(t, d, "G")
	if v, f := screen(d), footer(d); !strings.Contains(v, "more lines above") || strings.Contains(v, "below") || strings.Contains(f, "↓") || strings.Contains(f, "pgdn") {
		t.Errorf("details at the bottom:\n%s", v)
	}
}

// TestHelpIsPerView: the help screen describes the keys of the view it
// was opened on, and explains the table's symbols.
func TestHelpIsPerView(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 120, 40)
	table := screen(press(t, m, "?"))
	for _, want := range []string{"→/l/space", "show containers", "←/h", "- probes set and passing", "- none", "go? Go env vars"} {
		if !strings.Contains(table, want) {
			t.Errorf("the table's help lacks %q", want)
		}
	}
	for _, not := range []string{"toggle advice", "Y  ", "include or leave out"} {
		if strings.Contains(table, not) {
			t.Errorf("the table's help offers %q, which does not work there", not)
		}
	}
	patch := screen(press(t, m, "down", "p", "?"))
	for _, want := range []string{"Keys in the patch view", "space/x", "include or leave out", "apply, once a dry run passed"} {
		if !strings.Contains(patch, want) {
			t.Errorf("the patch view's help lacks %q", want)
		}
	}
	detail := screen(press(t, m, "down", "enter", "?"))
	if !strings.Contains(detail, "Keys in the details") || strings.Contains(detail, "show containers") {
		t.Errorf("the details' help:\n%s", detail)
	}
}

// At 80 columns the patch view's footer keeps a, the key its status names,
// and i where the pods can be resized in place; space goes first, its
// heading says what it does.
func TestPatchFooterKeepsTheApplyKey(t *testing.T) {
	m := openOrders(t, resizable(), &fakeApply{}, &fakeResize{}, &recorder{})
	m = send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, want := range []string{"a dry run", "i resize in place", "q/esc back"} {
		if !strings.Contains(footer(m), want) {
			t.Errorf("footer %q lacks %q", footer(m), want)
		}
	}
}
