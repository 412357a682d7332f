package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the dashboard answers to, in one place. The footer
// and the help screen (?) are generated from it, per view (see help.go).
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	// Expand shows a workload's containers; those of its keys that are in
	// ExpandToggle hide them again when they show.
	Expand, ExpandToggle, Collapse      key.Binding
	Details, Back                       key.Binding
	Sort, Reverse, Filter               key.Binding
	Patch, Copy, Apply, Confirm, Toggle key.Binding
	Refresh, Help, Quit                 key.Binding
	// Interrupt quits from anywhere, even while the filter takes q.
	Interrupt key.Binding
	// Filtering are the keys of the filter being typed.
	Filtering FilterKeyMap
}

// FilterKeyMap are the keys the filter answers to while it is typed into;
// every other key types itself.
type FilterKeyMap struct {
	Keep, Clear key.Binding
	// Leave stops typing and moves the cursor as it does in the table.
	Leave key.Binding
	// DeleteChar, DeleteWord and DeleteAll delete the last rune, the last
	// word, everything.
	DeleteChar, DeleteWord, DeleteAll key.Binding
}

// DefaultKeyMap returns the dashboard's keys. The help of each binding
// names all its keys, as the help screen shows them.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:           b([]string{"up", "k"}, "↑/k", "up"),
		Down:         b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:       b([]string{"pgup", "ctrl+b"}, "pgup", "page up"),
		PageDown:     b([]string{"pgdown", "ctrl+f"}, "pgdn", "page down"),
		Top:          b([]string{"home", "g"}, "g", "top"),
		Bottom:       b([]string{"end", "G"}, "G", "bottom"),
		Expand:       b([]string{"right", "l", "space"}, "→/l/space", "containers"),
		ExpandToggle: b([]string{"space"}, "space", "containers"),
		Collapse:     b([]string{"left", "h"}, "←/h", "fold"),
		Details:      b([]string{"enter"}, "enter", "details"),
		Back:         b([]string{"esc"}, "esc", "back"),
		Sort:         b([]string{"s"}, "s", "sort"),
		Reverse:      b([]string{"S"}, "S", "reverse"),
		Filter:       b([]string{"/"}, "/", "filter"),
		Patch:        b([]string{"p"}, "p", "patch"),
		Copy:         b([]string{"y"}, "y", "copy"),
		Apply:        b([]string{"a"}, "a", "dry run"),
		// Only Y applies: no key pressed out of habit (enter) changes a cluster.
		Confirm:   b([]string{"Y"}, "Y", "apply"),
		Toggle:    b([]string{"space", "x"}, "space/x", "include/leave out"),
		Refresh:   b([]string{"r"}, "r", "refresh"),
		Help:      b([]string{"?"}, "?", "help"),
		Quit:      b([]string{"q", "ctrl+c"}, "q", "quit"),
		Interrupt: b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Filtering: FilterKeyMap{
			Keep:       b([]string{"enter"}, "enter", "keep"),
			Clear:      b([]string{"esc"}, "esc", "clear"),
			Leave:      b([]string{"up", "down"}, "↑↓", "move"),
			DeleteChar: b([]string{"backspace", "ctrl+h"}, "backspace", "delete"),
			DeleteWord: b([]string{"ctrl+w", "alt+backspace"}, "ctrl+w", "delete a word"),
			DeleteAll:  b([]string{"ctrl+u"}, "ctrl+u", "delete all"),
		},
	}
}

// relabel returns b with another description, for the help screen.
func relabel(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// helpEntry is a line of help for several bindings at once ("pgup/pgdn
// page"); it matches no key.
func helpEntry(keys, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, desc))
}
