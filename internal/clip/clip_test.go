package clip

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCopyWritesTheFileAndTheClipboard(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "kgotop")
	var got string
	r := Copier{Dir: dir, Clipboard: func(s string) error { got = s; return nil }}.Copy("kubectl logs x")
	if r.FileErr != nil || r.File != filepath.Join(dir, FileName) || !r.Clipboard || got != "kubectl logs x" {
		t.Fatalf("result %+v, clipboard %q", r, got)
	}
	b, err := os.ReadFile(r.File)
	if err != nil || string(b) != "kubectl logs x\n" {
		t.Fatalf("file holds %q (%v)", b, err)
	}
	if fi, _ := os.Stat(r.File); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestCopyWithoutAClipboardStillWritesTheFile(t *testing.T) {
	r := Copier{Dir: t.TempDir()}.Copy("x")
	if r.File == "" || r.Clipboard || !errors.Is(r.ClipboardErr, ErrNoClipboard) {
		t.Fatalf("result %+v", r)
	}
	failing := Copier{Dir: t.TempDir(), Clipboard: func(string) error { return errors.New("Can't open display") }}
	if r := failing.Copy("x"); r.Clipboard || r.ClipboardErr == nil || r.File == "" {
		t.Fatalf("a failing clipboard tool: %+v", r)
	}
}

func TestStateDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/tmp/xdg-state")
	if got := StateDir(); got != "/tmp/xdg-state/kgotop" {
		t.Errorf("StateDir = %q", got)
	}
	t.Setenv("XDG_STATE_HOME", "relative") // the spec says to ignore a relative path
	t.Setenv("HOME", "/home/ana")
	if got := StateDir(); got != "/home/ana/.local/state/kgotop" {
		t.Errorf("StateDir = %q", got)
	}
	if got := Short("/home/ana/.local/state/kgotop/copied.txt"); got != "~/.local/state/kgotop/copied.txt" {
		t.Errorf("Short = %q", got)
	}
}
