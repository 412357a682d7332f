package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
)

// footerKey is a key the footer offers; when the line is too narrow, the
// keys of lowest prio go first, so quit and help stay.
type footerKey struct {
	b    key.Binding
	prio int
}

// Footer priorities: what stays longest on a narrow terminal.
const (
	prioQuit = 100
	prioHelp = 90
	prioBack = 80
	prioMain = 70 // the key the view is for: enter, Y, space
	prioAct  = 60 // p, a, y
	prioMove = 30
	prioMore = 20
)

// footerView is the bottom line: the command or filter being typed, a
// notice, or the keys that work in the view shown.
func (m Model) footerView() string {
	st := m.styles
	switch {
	case m.command.Focused():
		f := m.keys.Filtering
		return truncate(":"+m.command.Value()+st.Selected.Render(" ")+st.Dim.Render("   "+helpText(relabel(f.Keep, "run"))+" · "+helpText(relabel(f.Clear, "cancel"))+" · "+commandHelp), m.width)
	case m.view == viewTable && m.table.filtering():
		f := m.keys.Filtering
		return truncate(m.table.filter.view(st)+st.Dim.Render("   "+helpText(f.Keep)+" · "+helpText(f.Clear)+" · names, kind:sts, ns:NAME"), m.width)
	case m.notice.Text != "":
		return truncate(" "+st.render(m.notice.Level, m.notice.Text), m.width)
	}
	return " " + footerLine(m.footerKeys(), m.width-1, st)
}

// footerKeys are the keys that do something in the view shown now.
func (m Model) footerKeys() []footerKey {
	k := m.keys
	help, quit := footerKey{k.Help, prioHelp}, footerKey{k.Quit, prioQuit}
	back := footerKey{helpEntry("q/esc", "back"), prioBack}
	switch {
	case m.showHelp:
		out := scrollKeys(m.helpOffset > 0, m.helpOffset < m.helpEnd())
		return append(out, footerKey{helpEntry(ifElse(len(out) > 0, "any other key", "any key"), "closes this help"), prioMain}, footerKey{k.Interrupt, prioQuit})
	case m.view == viewDetail:
		out := scrollKeys(m.detail.offset > 0, m.detail.offset < m.detail.maxOffset())
		if m.detail.patch.ready() {
			out = append(out, footerKey{k.Patch, prioAct}, footerKey{k.Apply, prioAct - 5})
		} else if m.detail.patch.changes {
			out = append(out, footerKey{relabel(k.Patch, "why no patch"), prioAct})
		} else if m.detail.patch.undoHeld {
			out = append(out, footerKey{relabel(k.Patch, "the alternative to the undo"), prioAct})
		} else if m.detail.patch.held > 0 {
			out = append(out, footerKey{relabel(k.Patch, "held sizing"), prioAct})
		}
		if _, _, ok := copyTarget(m.detail.patch, m.detail.snippets); ok {
			out = append(out, footerKey{relabel(k.Copy, ifElse(m.detail.patch.ready(), "copy the patch", "copy [1]")), prioAct + 5})
		}
		if n := len(m.detail.snippets); n > 1 || (n == 1 && m.detail.patch.ready()) {
			keys, desc := "1", "copy [1]"
			if n > 1 {
				keys, desc = fmt.Sprintf("1-%d", min(n, 9)), fmt.Sprintf("copy [1]-[%d]", min(n, 9))
			}
			out = append(out, footerKey{helpEntry(keys, desc), prioAct - 15})
		}
		if m.detail.w != nil && m.undoable(m.detail.w.Ref) {
			// The undo leads when it is the top advice: it stays at 80 columns.
			out = append(out, footerKey{k.Undo, ifElse(undoFirst(m.detail.advice), prioMain-1, prioAct-20)})
		}
		return append(out, back, help)
	case m.view == viewPatch:
		return append(m.patch.footerKeys(k, back), help)
	case len(m.table.rows) == 0:
		return []footerKey{help, quit} // nothing to move to, open or patch yet
	}
	out := []footerKey{
		{helpEntry("↑↓", "move"), prioMove}, {helpEntry("→", "containers"), prioMore}, {k.Details, prioMain},
		{k.Filter, prioAct - 10}, {k.Sort, prioAct - 15}, {k.Patch, prioAct}, {k.Apply, prioAct - 5}, {k.Copy, prioAct - 20},
	}
	if r, _, ok := m.table.current(); ok && undoFirst(r.advice) {
		// The undo is the top advice: u opens it, a dry-runs it.
		out[5], out[6] = footerKey{relabel(k.Patch, "patch"), prioAct - 25}, footerKey{relabel(k.Apply, "dry-run the undo"), prioAct - 5}
		if m.undoInPlace(r) {
			// The template alone leaves crashing pods as they are: i first.
			out[6] = footerKey{relabel(k.Apply, "undo the template only"), prioAct - 25}
			out = slices.Insert(out, 6, footerKey{relabel(k.Resize, "undo in place"), prioMain - 2})
		}
		out = append(out, footerKey{k.Undo, prioMain - 1})
	} else if ok && r.changed && m.undoable(r.ref) {
		out = append(out, footerKey{k.Undo, prioAct - 3})
	}
	return append(out, footerKey{k.Command, prioMore - 5}, help, quit)
}

// scrollKeys are the keys that scroll a view, in the directions it can go.
func scrollKeys(up, down bool) []footerKey {
	switch {
	case up && down:
		return []footerKey{{helpEntry("↑↓", "scroll"), prioMove}, {helpEntry("pgup/pgdn", "page"), prioMore}}
	case down:
		return []footerKey{{helpEntry("↓/j", "down"), prioMove}, {helpEntry("pgdn", "page down"), prioMore}}
	case up:
		return []footerKey{{helpEntry("↑/k", "up"), prioMove}, {helpEntry("pgup", "page up"), prioMore}}
	}
	return nil
}

// footerKeys are the patch view's keys in the state it is in, back the
// key that leaves it.
func (p patchModel) footerKeys(k KeyMap, back footerKey) []footerKey {
	// a, i, y and H before space on a narrow screen: the advice list's
	// heading says what space does, and nothing else says what H does.
	choose := []footerKey{{helpEntry("↑↓", "choose"), prioMove}, {k.Toggle, prioAct - 5}}
	if p.heldCount() > 0 {
		choose = append(choose, footerKey{relabel(k.Held, ifElse(p.heldIn(), "leave held out", "include held")), prioAct - 2})
	}
	if p.undo != nil || len(p.advice) == 0 || p.alongsideOnly() {
		choose = nil // nothing to choose from
	}
	switch {
	case p.ip.active():
		return []footerKey{{helpEntry("esc", "stop after this pod"), prioBack}}
	case p.busy():
		return []footerKey{back}
	case p.ip.state == ipConfirm:
		return []footerKey{{relabel(k.Confirm, "resize, then patch"), prioMain}, {helpEntry("n/esc", "cancel"), prioBack}}
	case p.state == patchConfirm && p.ip.offered && p.ip.plan.InPlace() && !p.readOnly:
		return []footerKey{{k.Confirm, prioMain}, {k.Resize, prioMain - 1}, {helpEntry("n/esc", "cancel"), prioBack}, {k.Copy, prioAct - 10}}
	case p.state == patchConfirm:
		return []footerKey{{k.Confirm, prioMain}, {helpEntry("n/esc", "cancel"), prioBack}, {k.Copy, prioAct - 10}}
	}
	var undo []footerKey
	if p.undoable() {
		undo = []footerKey{{k.Undo, prioMain - 2}}
	}
	switch {
	case p.err != nil && (len(p.advice) == 0 || errors.Is(p.err, advisor.ErrNotPatchable)):
		return append(undo, back)
	case p.err != nil:
		return append(append(undo, choose...), back)
	case p.done():
		return append(undo, footerKey{k.Copy, prioAct - 10}, back)
	}
	out := append(undo, choose...)
	out = append(out, footerKey{k.Copy, prioAct + 5})
	if !p.readOnly {
		apply := k.Apply
		if p.state == patchFailed {
			apply = relabel(apply, "dry run again")
		}
		out = append(out, footerKey{apply, prioMain}) // the key the view is for: the status above names it
		if p.ip.offered && p.ip.plan.InPlace() && p.ip.state == ipIdle {
			out = append(out, footerKey{k.Resize, prioAct + 1})
		}
	}
	return append(out, back)
}

// footerLine joins keys as "enter details • q quit" in width cells,
// leaving out the keys of lowest prio (the last of them first) until it fits.
func footerLine(keys []footerKey, width int, st Styles) string {
	sep := " • "
	item := func(f footerKey) string { return helpText(f.b) }
	for len(keys) > 1 {
		w := ansi.StringWidth(sep) * (len(keys) - 1)
		for _, f := range keys {
			w += ansi.StringWidth(item(f))
		}
		if w <= width {
			break
		}
		low := len(keys) - 1
		for i := len(keys) - 1; i >= 0; i-- {
			if keys[i].prio < keys[low].prio {
				low = i
			}
		}
		keys = append(keys[:low:low], keys[low+1:]...)
	}
	parts := make([]string, len(keys))
	for i, f := range keys {
		parts[i] = st.Key.Render(f.b.Help().Key) + " " + f.b.Help().Desc
	}
	return truncate(strings.Join(parts, st.Dim.Render(sep)), width)
}

// helpText is a binding's help: "enter keep".
func helpText(b key.Binding) string { return b.Help().Key + " " + b.Help().Desc }
