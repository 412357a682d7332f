package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the dashboard answers to, in one place. The footer
// and the help screen (?) are generated from it.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Expand, Collapse                        key.Binding
	Details, Back                           key.Binding
	Sort, Reverse, Filter                   key.Binding
	Patch, Copy, Apply, Confirm, Toggle     key.Binding
	Refresh, Help, Quit                     key.Binding
}

// DefaultKeyMap returns the dashboard's keys.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+f"}, "pgdn", "page down"),
		Top:      b([]string{"home", "g"}, "g", "top"),
		Bottom:   b([]string{"end", "G"}, "G", "bottom"),
		Expand:   b([]string{"right", "l", "space"}, "→", "containers"),
		Collapse: b([]string{"left", "h"}, "←", "fold"),
		Details:  b([]string{"enter"}, "enter", "details"),
		Back:     b([]string{"esc"}, "esc", "back"),
		Sort:     b([]string{"s"}, "s", "sort"),
		Reverse:  b([]string{"S"}, "S", "reverse"),
		Filter:   b([]string{"/"}, "/", "filter"),
		Patch:    b([]string{"p"}, "p", "patch"),
		Copy:     b([]string{"y"}, "y", "copy"),
		Apply:    b([]string{"a"}, "a", "apply"),
		Confirm:  b([]string{"Y", "enter"}, "Y", "confirm"),
		Toggle:   b([]string{"space", "x"}, "space", "toggle"),
		Refresh:  b([]string{"r"}, "r", "refresh"),
		Help:     b([]string{"?"}, "?", "help"),
		Quit:     b([]string{"q", "ctrl+c"}, "q", "quit"),
	}
}

// ShortHelp is the footer of the main view.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Details, k.Filter, k.Sort, k.Patch, k.Apply, k.Help, k.Quit}
}

// FullHelp is the help screen, one column per group, each key said in full.
func (k KeyMap) FullHelp() [][]key.Binding {
	say := func(b key.Binding, desc string) key.Binding {
		b.SetHelp(b.Help().Key, desc)
		return b
	}
	shown := func(keys, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, desc))
	}
	return [][]key.Binding{
		{k.Up, k.Down, shown("pgup/dn", "page"), shown("g/G", "ends"), k.Help, k.Quit},
		{say(k.Expand, "show containers"), say(k.Collapse, "hide containers"), k.Details, k.Back,
			say(k.Filter, "filter by name"), say(k.Refresh, "refresh now")},
		{say(k.Sort, "sort by next column"), say(k.Reverse, "reverse the sort"), say(k.Patch, "show the patch"),
			say(k.Copy, "copy the command"), say(k.Apply, "dry run, then apply"), say(k.Confirm, "confirm apply")},
		{say(k.Toggle, "toggle advice")},
	}
}

// keyHelp is a footer built from a chosen list of bindings.
type keyHelp []key.Binding

// ShortHelp returns the bindings.
func (k keyHelp) ShortHelp() []key.Binding { return k }

// FullHelp returns the bindings as one column.
func (k keyHelp) FullHelp() [][]key.Binding { return [][]key.Binding{k} }
