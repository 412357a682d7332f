package ui

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
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

// update edits the text: printable keys and pastes insert, and k's keys
// delete a rune (backspace), a word (ctrl+w) or everything (ctrl+u).
func (f filterInput) update(msg tea.Msg, k FilterKeyMap) filterInput {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		f.value = append(f.value, []rune(strings.Map(printable, msg.Content))...)
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.DeleteChar):
			if len(f.value) > 0 {
				f.value = f.value[:len(f.value)-1]
			}
		case key.Matches(msg, k.DeleteWord):
			v := strings.TrimRightFunc(string(f.value), unicode.IsSpace)
			i := strings.LastIndexFunc(v, unicode.IsSpace)
			f.value = []rune(v[:i+1])
		case key.Matches(msg, k.DeleteAll):
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

// query is a filter parsed: words a workload's or a container's name must
// hold, and kinds ("kind:sts") and namespaces ("ns:shop") it must be of.
// Every part must match; a kind is never matched by a plain word, so that
// "/o" does not keep every Deployment for the "o" in "deploy".
type query struct {
	words, kinds, namespaces []string
}

// parseFilter reads the filter's text, case aside.
func parseFilter(text string) query {
	var q query
	for _, f := range strings.Fields(strings.ToLower(text)) {
		switch {
		case strings.HasPrefix(f, "kind:"):
			q.kinds = append(q.kinds, strings.TrimPrefix(f, "kind:"))
		case strings.HasPrefix(f, "ns:"):
			q.namespaces = append(q.namespaces, strings.TrimPrefix(f, "ns:"))
		default:
			q.words = append(q.words, f)
		}
	}
	return q
}

// matches reports whether a row is one the query asks for.
func (q query) matches(r *workloadRow) bool {
	for _, w := range q.words {
		if !strings.Contains(r.search, w) {
			return false
		}
	}
	for _, k := range q.kinds {
		if !strings.HasPrefix(r.ref.Kind.Short(), k) && !strings.HasPrefix(strings.ToLower(string(r.ref.Kind)), k) {
			return false
		}
	}
	for _, ns := range q.namespaces {
		if !strings.Contains(strings.ToLower(r.ref.Namespace), ns) {
			return false
		}
	}
	return true
}

// view renders "/text█" while typing and "/text" otherwise.
func (f filterInput) view(st Styles) string {
	s := "/" + string(f.value)
	if f.focused {
		return s + st.Selected.Render(" ")
	}
	return s
}
