// Package clip puts text a person copies from the dashboard where a paste
// can find it: the local clipboard, through github.com/atotto/clipboard
// (which runs pbcopy, wl-copy, xclip or xsel, whichever the machine has, and
// needs neither cgo nor a display to load), and always a file in kgotop's
// state folder, so that a paste never depends on which terminal, multiplexer
// or clipboard tool is in between. The terminal's own clipboard (OSC 52) is
// the dashboard's to ask for; this package does the rest.
package clip

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/atotto/clipboard"
)

// FileName is the file in the state folder that holds the last text copied.
const FileName = "copied.txt"

// Copier writes copied text to the local clipboard and to a file.
type Copier struct {
	// Dir is the folder the file goes in; "" writes no file.
	Dir string
	// Clipboard puts text on the local clipboard; nil means there is none.
	Clipboard func(string) error
}

// Result says where a copy went.
type Result struct {
	// File is the path of the file written, "" when none was.
	File string
	// FileErr is why the file could not be written.
	FileErr error
	// Clipboard reports whether the local clipboard took the text;
	// ClipboardErr says why not (ErrNoClipboard when there is no tool).
	Clipboard    bool
	ClipboardErr error
}

// ErrNoClipboard says the machine has no clipboard tool kgotop can use
// (a server, a container, an SSH session).
var ErrNoClipboard = errors.New("no local clipboard tool (pbcopy, wl-copy, xclip or xsel)")

// Local returns the copier for this machine: the state folder (StateDir)
// and the local clipboard when a tool for it is installed.
func Local() Copier {
	c := Copier{Dir: StateDir()}
	if !clipboard.Unsupported {
		c.Clipboard = clipboard.WriteAll
	}
	return c
}

// Copy writes text to the file and the clipboard. It may block while a
// clipboard tool runs: call it off the UI goroutine.
func (c Copier) Copy(text string) Result {
	var r Result
	if c.Dir != "" {
		r.File, r.FileErr = writeFile(c.Dir, text)
	}
	if c.Clipboard == nil {
		r.ClipboardErr = ErrNoClipboard
		return r
	}
	if err := c.Clipboard(text); err != nil {
		r.ClipboardErr = fmt.Errorf("local clipboard: %w", err)
		return r
	}
	r.Clipboard = true
	return r
}

// writeFile writes text, with a final newline, to FileName in dir, which it
// creates readable only by its owner (a command may name a secret).
func writeFile(dir, text string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("state folder: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return "", fmt.Errorf("saving the copy: %w", err)
	}
	return path, nil
}

// StateDir is kgotop's folder under the XDG state home: $XDG_STATE_HOME/kgotop,
// or ~/.local/state/kgotop; "" when neither is known.
func StateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "kgotop")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".local", "state", "kgotop")
}

// Short shows a path with the home folder as "~", as people write it.
func Short(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return path
	}
	if rest, ok := strings.CutPrefix(path, home+string(filepath.Separator)); ok {
		return "~" + string(filepath.Separator) + rest
	}
	return path
}
