package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/clip"
	"github.com/kgotop/kgotop/internal/model"
)

// snippet is a command or piece of code a piece of advice carries: the
// details number them [1], [2], ... in the order they show them, and y or
// the number copies one.
type snippet struct {
	code string
}

// inOrder returns a workload's advice in the order the details show it:
// container by container, then the workload's own.
func inOrder(w *model.Workload, advice []advisor.Advice) []advisor.Advice {
	if w == nil {
		return advice
	}
	out := make([]advisor.Advice, 0, len(advice))
	for _, c := range w.Containers {
		out = append(out, forContainer(advice, c.Name)...)
	}
	return append(out, forContainer(advice, "")...)
}

// snippets are the code of the advice, numbered as the details show them.
func snippets(w *model.Workload, advice []advisor.Advice) []snippet {
	var out []snippet
	for _, a := range inOrder(w, advice) {
		if a.Code != "" {
			out = append(out, snippet{code: strings.TrimRight(a.Code, "\n")})
		}
	}
	return out
}

// copyTarget is what y copies for a workload: its patch's command when it
// has one, else its first snippet; ok is false when it has neither.
func copyTarget(patch patchAvail, snips []snippet) (what, text string, ok bool) {
	switch {
	case patch.ready():
		return "the kubectl patch command", patch.command, true
	case len(snips) > 0:
		return snippetName(1), snips[0].code, true
	}
	return "", "", false
}

// snippetName names snippet n for the footer as the details number it: "[1]".
func snippetName(n int) string {
	return "[" + string(rune('0'+n)) + "]"
}

// copiedMsg answers copyCmd: where the text named what went.
type copiedMsg struct {
	what string
	res  clip.Result
}

// copyText copies text: to the terminal's clipboard with OSC 52, and
// through Deps.Copy, off the UI goroutine, to the local clipboard and the
// state folder's file; copiedMsg then says where it went.
func (m Model) copyText(what, text string) (Model, tea.Cmd) {
	m.notice = model.Cell{Text: "copying " + what + "…", Level: model.Idle}
	return m, tea.Batch(tea.SetClipboard(text), copyCmd(m.deps.Copy, what, text))
}

// copyCmd runs copy (which may be nil: nowhere but the terminal) off the UI goroutine.
func copyCmd(copy func(string) clip.Result, what, text string) tea.Cmd {
	return func() tea.Msg {
		r := clip.Result{ClipboardErr: clip.ErrNoClipboard}
		if copy != nil {
			r = copy(text)
		}
		return copiedMsg{what: what, res: r}
	}
}

// copyNotice says where a copy went, as fully as width allows: never
// "copied" for the terminal's clipboard, which may go nowhere (tmux drops
// OSC 52 unless set-clipboard is on), and always the file when there is one.
func copyNotice(msg copiedMsg, width int) model.Cell {
	r := msg.res
	file := clip.Short(r.File)
	var lines []string
	lvl := model.Good
	switch {
	case r.File != "" && r.Clipboard:
		lines = []string{
			"copied " + msg.what + " to the clipboard and " + file + " (and sent it to the terminal as OSC 52)",
			"copied " + msg.what + " to the clipboard and " + file,
			"copied to the clipboard and " + file,
		}
	case r.File != "":
		lines = []string{
			"saved " + msg.what + " in " + file + "; also sent to the terminal's clipboard (OSC 52), which tmux passes on only with set-clipboard on",
			"saved " + msg.what + " in " + file + "; also sent as OSC 52, which tmux passes on only with set-clipboard on",
			"saved " + msg.what + " in " + file + " (OSC 52: tmux set-clipboard on)",
			"saved in " + file + " (OSC 52: tmux set-clipboard on)",
			"saved in " + file,
		}
	case r.Clipboard:
		lines = []string{"copied " + msg.what + " to the clipboard, and sent it as OSC 52 (not saved: " + errText(r.FileErr) + ")", "copied " + msg.what + " to the clipboard"}
	default:
		lvl = model.Near
		lines = []string{
			"sent " + msg.what + " to the terminal's clipboard (OSC 52) only: " + errText(r.ClipboardErr) + "; " + errText(r.FileErr),
			"sent " + msg.what + " to the terminal's clipboard (OSC 52) only, which tmux passes on only with set-clipboard on",
			"sent as OSC 52 only (tmux: only with set-clipboard on)",
			"sent as OSC 52 only (tmux: set-clipboard on)",
		}
	}
	for _, l := range lines {
		if ansi.StringWidth(l)+1 <= width {
			return model.Cell{Text: l, Level: lvl}
		}
	}
	return model.Cell{Text: lines[len(lines)-1], Level: lvl}
}

// errText is err's text, or "no file" when there is none.
func errText(err error) string {
	if err == nil {
		return "no state folder to save in"
	}
	return err.Error()
}
