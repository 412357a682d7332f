package ui

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/clip"
)

// copied presses k and delivers what its command did; it returns the text
// the OSC 52 request sets ("" when there is none).
func copied(t *testing.T, m Model, k string) (Model, string) {
	t.Helper()
	m, cmd := pressCmd(t, m, k)
	osc := ""
	for _, msg := range cmdMsgs(cmd) {
		if c, ok := msg.(copiedMsg); ok {
			m = send(t, m, c)
			continue
		}
		if v := reflect.ValueOf(msg); v.Kind() == reflect.String && reflect.DeepEqual(msg, tea.SetClipboard(v.String())()) {
			osc = v.String()
		}
	}
	return m, osc
}

// localCopy is Deps.Copy writing to the state folder of a home of the
// test's, with a fake clipboard when clipboard is not nil.
func localCopy(t *testing.T, clipboard *string) (func(string) clip.Result, string) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", "")
	dir := clip.StateDir()
	c := clip.Copier{Dir: dir}
	if clipboard != nil {
		c.Clipboard = func(s string) error { *clipboard = s; return nil }
	}
	return c.Copy, dir
}

// y copies the patch's command three ways, and the footer says which
// worked and names the file, which always holds it.
func TestCopyPatchCommand(t *testing.T) {
	var board string
	d := deps(fixture(), &fakeApply{})
	var dir string
	d.Copy, dir = localCopy(t, &board)
	m := press(t, start(t, d, 160, 30), "down") // orders
	r, _, _ := m.table.current()
	want := r.patch.command
	if !strings.HasPrefix(want, "kubectl patch statefulset orders -n shop") {
		t.Fatalf("orders' patch command: %q", want)
	}
	m, osc := copied(t, m, "y")
	file, err := os.ReadFile(dir + "/" + clip.FileName)
	if osc != want || board != want || err != nil || string(file) != want+"\n" {
		t.Fatalf("y: OSC 52 %q, clipboard %q, file %q (%v); want %q", osc, board, file, err, want)
	}
	if f := footer(m); !strings.Contains(f, "copied the kubectl patch command to the clipboard and ~/.local/state/kgotop/copied.txt") {
		t.Errorf("footer: %q", f)
	}
	for _, keys := range [][]string{{"enter"}, {"p"}} { // the details and the patch view copy the same
		if _, osc := copied(t, press(t, m, keys...), "y"); osc != want {
			t.Errorf("y after %v copies %q", keys, osc)
		}
	}
}

// Without a local clipboard the footer never says "copied": OSC 52 may go
// nowhere (tmux's default drops it); it names the file that holds the text.
func TestCopyClaimsOnlyWhatWorked(t *testing.T) {
	d := deps(fixture(), &fakeApply{})
	d.Copy, _ = localCopy(t, nil)
	m, _ := copied(t, press(t, start(t, d, 160, 30), "down"), "y")
	f := footer(m)
	if strings.Contains(f, "copied ") || !strings.Contains(f, "saved the kubectl patch command in ~/.local/state/kgotop/copied.txt") || !strings.Contains(f, "OSC 52") {
		t.Errorf("no local clipboard: %q", f)
	}
	nowhere, _ := copied(t, press(t, start(t, deps(fixture(), &fakeApply{}), 160, 30), "down"), "y")
	if f := footer(nowhere); strings.Contains(f, "copied ") || !strings.Contains(f, "(OSC 52) only") {
		t.Errorf("neither a clipboard nor a file: %q", f)
	}
	small, _ := copied(t, press(t, start(t, d, minWidth, minHeight), "down"), "y")
	if f := footer(small); strings.Contains(f, "…") || !strings.Contains(f, clip.FileName) {
		t.Errorf("at %d columns the notice should still name the file whole: %q", minWidth, f)
	}
}

// The details number each command and piece of code; its number copies it,
// and y copies the first when the workload makes no patch.
func TestCopySnippets(t *testing.T) {
	d := deps(fixture(), &fakeApply{})
	d.Copy, _ = localCopy(t, nil)
	m := press(t, start(t, d, 120, 40), "enter") // thumbs: a patch, and a kubectl logs command and a Dockerfile
	snips := m.detail.snippets
	details := ansi.Strip(strings.Join(m.detail.lines, "\n"))
	for i := range snips {
		if !strings.Contains(details, fmt.Sprintf("    [%d] ", i+1)) {
			t.Errorf("the details do not number snippet %d:\n%s", i+1, details)
		}
	}
	if len(snips) < 2 {
		t.Fatalf("thumbs' snippets: %+v", snips)
	}
	for i, s := range snips {
		got, osc := copied(t, m, string(rune('1'+i)))
		if osc != s.code || !strings.Contains(footer(got), "["+string(rune('1'+i))+"]") {
			t.Errorf("%d copies %q (%q), want %q", i+1, osc, footer(got), s.code)
		}
	}
	if got, osc := copied(t, m, "9"); osc != "" || !strings.Contains(footer(got), "nothing numbered [9]") {
		t.Errorf("9 with no [9]: %q", footer(got))
	}
	// edge makes no patch: y copies its first snippet, or says there is nothing.
	edge := press(t, start(t, d, 120, 40), ":", "e", "d", "g", "e", "enter")
	r, _, _ := edge.table.current()
	snips = snippets(edge.workload(r.ref), r.advice)
	got, osc := copied(t, edge, "y")
	switch {
	case len(snips) > 0 && osc != snips[0].code:
		t.Errorf("y on edge copies %q, want its [1] %q", osc, snips[0].code)
	case len(snips) == 0 && (osc != "" || !strings.Contains(footer(got), "nothing to copy for edge")):
		t.Errorf("y on edge, with nothing to copy: %q", footer(got))
	}
}

// At 80 columns the notice still says tmux drops OSC 52 unless
// set-clipboard is on, in the same words for y and the number keys.
func TestCopyNoticeAtEightyColumns(t *testing.T) {
	d := deps(fixture(), &fakeApply{})
	d.Copy, _ = localCopy(t, nil)
	m := press(t, start(t, d, 80, 24), "enter") // thumbs: a patch and numbered snippets
	y, _ := copied(t, m, "y")
	one, _ := copied(t, m, "1")
	for key, f := range map[string]string{"y": footer(y), "1": footer(one)} {
		if !strings.Contains(f, "(OSC 52: tmux set-clipboard on)") || strings.Contains(f, "…") {
			t.Errorf("%s at 80 columns: %q", key, f)
		}
	}
}
