package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/model"
)

// commandHelp lists the commands, for the command line and the help.
const commandHelp = ":q quits · :ns NAME shows one namespace · :NAME jumps to a workload · :mouse turns the mouse off or on"

// commandKey handles a key while the command line (":") takes keys: enter
// runs the command, esc drops it, and the filter's keys edit it.
func (m Model) commandKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	f := m.keys.Filtering
	switch {
	case key.Matches(msg, f.Keep):
		line := strings.TrimSpace(m.command.Value())
		m.command = filterInput{}
		return m.runCommand(line)
	case key.Matches(msg, f.Clear):
		m.command = filterInput{}
		return m, nil
	case key.Matches(msg, f.DeleteChar) && m.command.Value() == "":
		m.command = filterInput{} // backspace on nothing leaves, as in vim
		return m, nil
	}
	m.command = m.command.update(msg, f)
	return m, nil
}

// runCommand runs a command line, k9s-style: :q quits, :ns NAME shows one
// namespace (of those watched), :mouse toggles the mouse, and anything
// else names a workload to jump to.
func (m Model) runCommand(line string) (tea.Model, tea.Cmd) {
	verb, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch verb {
	case "":
		return m, nil
	case "q", "q!", "quit", "exit":
		return m, tea.Quit
	case "help", "?":
		m.showHelp = true
		return m, nil
	case "mouse":
		m.mouseOff = !m.mouseOff
		m.notice = model.Cell{Text: ifElse(m.mouseOff, "mouse off: the terminal selects text again; :mouse turns it back on", "mouse on: the wheel scrolls, a click selects (shift+drag selects text)")}
		return m, nil
	case "ns", "namespace":
		return m.namespaceCommand(arg), nil
	}
	return m.jumpTo(line), nil
}

// namespaceCommand shows only namespace ns when every namespace is watched
// (-A), or all of them again for "", "all" or "-A". Watching another
// namespace takes a restart: the collector watches one or all.
func (m Model) namespaceCommand(ns string) Model {
	watched := m.deps.Namespace
	switch {
	case watched != "" && (ns == "" || ns == watched):
		m.notice = model.Cell{Text: "kgotop watches namespace " + watched}
	case watched != "":
		m.notice = model.Cell{Text: "kgotop watches only namespace " + watched + ": run kgotop -n " + ns + " (or -A for all of them) to see " + ns, Level: model.Near}
	case ns == "" || ns == "all" || ns == "-A":
		m.table = m.table.showNamespace("")
	default:
		m.table = m.table.showNamespace(ns)
		if len(m.table.order) == 0 {
			m.notice = model.Cell{Text: "no workload in namespace " + ns + " (:ns all shows every namespace again)", Level: model.Near}
		}
	}
	m.view = viewTable
	return m
}

// jumpTo selects the workload named name in the table, clearing a filter
// that hides it: the exact name first, else the first name that starts
// with it, else the first that holds it.
func (m Model) jumpTo(name string) Model {
	q := strings.ToLower(name)
	best, rank := -1, 0
	for i := range m.table.rows {
		n := strings.ToLower(m.table.rows[i].ref.Name)
		r := 0
		switch {
		case n == q:
			r = 3
		case strings.HasPrefix(n, q):
			r = 2
		case strings.Contains(n, q):
			r = 1
		}
		if r > rank || (r == rank && r > 0 && m.table.before(i, best)) {
			best, rank = i, r
		}
	}
	if best < 0 {
		m.notice = model.Cell{Text: "no workload or command " + strings.TrimSpace(name) + ": " + commandHelp, Level: model.Near}
		return m
	}
	ref := m.table.rows[best].ref
	if !slices.Contains(m.table.order, best) {
		m.table, _ = m.table.clearFilter()
		m.table = m.table.showNamespace("")
	}
	m.table = m.table.selectRef(ref)
	m.view = viewTable
	return m
}
