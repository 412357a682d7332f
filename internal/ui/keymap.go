package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the dashboard answers to, in one place. The footer
// and the help screen (?) are generated from it, per view (see help.go).
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Expand, Collapse                        key.Binding
	Details, Back                           key.Binding
	Sort, Reverse, Filter                   key.Binding
	Patch, Copy, Apply, Confirm, Toggle     key.Binding
	Refresh, Help, Quit                     key.Binding
}

// DefaultKeyMap returns the dashboard's keys. The help of each binding
// names all its keys, as the help screen shows them.
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
		Expand:   b([]string{"right", "l", "space"}, "→/l/space", "containers"),
		Collapse: b([]string{"left", "h"}, "←/h", "fold"),
		Details:  b([]string{"enter"}, "enter", "details"),
		Back:     b([]string{"esc"}, "esc", "back"),
		Sort:     b([]string{"s"}, "s", "sort"),
		Reverse:  b([]string{"S"}, "S", "reverse"),
		Filter:   b([]string{"/"}, "/", "filter"),
		Patch:    b([]string{"p"}, "p", "patch"),
		Copy:     b([]string{"y"}, "y", "copy"),
		Apply:    b([]string{"a"}, "a", "dry run"),
		// Only Y applies: no key pressed out of habit (enter) changes a cluster.
		Confirm: b([]string{"Y"}, "Y", "apply"),
		Toggle:  b([]string{"space", "x"}, "space/x", "include/leave out"),
		Refresh: b([]string{"r"}, "r", "refresh"),
		Help:    b([]string{"?"}, "?", "help"),
		Quit:    b([]string{"q", "ctrl+c"}, "q", "quit"),
	}
}

// say returns b with another description, for the help screen.
func say(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// shown is a help line for several bindings at once ("pgup/pgdn page").
func shown(keys, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, desc))
}
