package ui

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
)

// filterInput is the one-line filter the table matches names against. It
// is a few lines of its own rather than bubbles' textinput, which would
// bring a system clipboard package with it for no use here.
type filterInput struct {
	value   []rune
	focused bool
}

// Value returns the text typed.
func (f filterInput) Value() string { return string(f.value) }

// Focused reports whether the filter takes keys.
func (f filterInput) Focused() bool { return f.focused }

// update edits the text: printable keys and pastes insert, backspace
// deletes a rune, ctrl+w a word, ctrl+u everything.
func (f filterInput) update(msg tea.Msg) filterInput {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		f.value = append(f.value, []rune(strings.Map(printable, msg.Content))...)
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if len(f.value) > 0 {
				f.value = f.value[:len(f.value)-1]
			}
		case "ctrl+w", "alt+backspace":
			v := strings.TrimRightFunc(string(f.value), unicode.IsSpace)
			i := strings.LastIndexFunc(v, unicode.IsSpace)
			f.value = []rune(v[:i+1])
		case "ctrl+u":
			f.value = nil
		default:
			if msg.Text != "" {
				f.value = append(f.value, []rune(strings.Map(printable, msg.Text))...)
			}
		}
	}
	return f
}

// printable drops control characters from typed or pasted text.
func printable(r rune) rune {
	if unicode.IsPrint(r) {
		return r
	}
	return -1
}

// view renders "/text█" while typing and "/text" otherwise.
func (f filterInput) view(st Styles) string {
	s := "/" + string(f.value)
	if f.focused {
		return s + st.Selected.Render(" ")
	}
	return s
}
