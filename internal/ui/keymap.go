package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the dashboard answers to, in one place. The footer
// and the help screen (?) are generated from it, per view (see help.go).
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	// Expand shows a workload's containers; those of its keys that are in
	// ExpandToggle hide them again when they show.
	Expand, ExpandToggle, Collapse key.Binding
	// Back leaves a view for the one it was opened from (as q does there);
	// in the table, where ← and h fold containers, esc clears the filter.
	Details, Back key.Binding
	// Sort sorts by the next column shown, SortPrev and SortNext by the
	// column left or right of the one sorted by (htop's < and >), and
	// SortBy by one column each, for the columns that have a key (k9s's
	// shift-letters; the key of the column sorted by reverses it).
	Sort, SortPrev, SortNext, Reverse, Filter key.Binding
	SortBy                                    [numSortable]key.Binding
	Patch, Copy, Apply, Confirm, Toggle       key.Binding
	// Resize dry-runs the in-place resize the patch view offers (Y then
	// applies it); Undo opens the patch that undoes the last change kgotop
	// applied to the workload.
	Resize, Undo key.Binding
	// Held includes in the patch view's patch the sizing the advisor holds
	// back for little history (advisor.Advice.Held), or leaves it out again.
	Held key.Binding
	// CopyBlock copies the command or code numbered [1] to [9] in the details.
	CopyBlock key.Binding
	// Cancel declines the apply prompt, as Back does.
	Cancel key.Binding
	// Command opens the command line (:q, :ns NAME, :WORKLOAD).
	Command             key.Binding
	Refresh, Help, Quit key.Binding
	// Interrupt quits from anywhere, even while the filter takes q.
	Interrupt key.Binding
	// Filtering are the keys of the filter being typed; the command line
	// takes the same.
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
		Back:         b([]string{"esc", "left", "h", "backspace"}, "esc/←", "back"),
		Sort:         b([]string{"s"}, "s", "sort"),
		SortPrev:     b([]string{"<"}, "<", "sort by the column left"),
		SortNext:     b([]string{">"}, ">", "sort by the column right"),
		Reverse:      b([]string{"S"}, "S", "reverse"),
		SortBy: [numSortable]key.Binding{
			colName:     b([]string{"N"}, "N", "sort by name"),
			colCPU:      b([]string{"C"}, "C", "sort by CPU"),
			colMem:      b([]string{"M"}, "M", "sort by memory"),
			colRestarts: b([]string{"R"}, "R", "sort by restarts"),
			colProbes:   b([]string{"P"}, "P", "sort by probe failures"),
			colAdvice:   b([]string{"A"}, "A", "sort by advice"),
		},
		Filter: b([]string{"/"}, "/", "filter"),
		Patch:  b([]string{"p"}, "p", "patch"),
		Copy:   b([]string{"y"}, "y", "copy"),
		Apply:  b([]string{"a"}, "a", "dry run"),
		// Only Y applies: no key pressed out of habit (enter) changes a cluster.
		Confirm:   b([]string{"Y"}, "Y", "apply"),
		Resize:    b([]string{"i"}, "i", "resize in place"),
		Undo:      b([]string{"u"}, "u", "undo the change"),
		Held:      b([]string{"H"}, "H", "include held sizing"),
		Cancel:    b([]string{"n"}, "n", "cancel"),
		Toggle:    b([]string{"space", "x"}, "space/x", "include/leave out"),
		CopyBlock: b([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "1-9", "copy [1]-[9]"),
		Command:   b([]string{":"}, ":", "command"),
		Refresh:   b([]string{"r"}, "r", "refresh"),
		Help:      b([]string{"?"}, "?", "help"),
		Quit:      b([]string{"q"}, "q", "quit"),
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

// all are the bindings any view answers to, to tell a key that does
// nothing anywhere (see unknownKey).
func (k KeyMap) all() []key.Binding {
	out := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Expand, k.Collapse, k.Details, k.Back,
		k.Sort, k.SortPrev, k.SortNext, k.Reverse, k.Filter, k.Patch, k.Copy, k.Apply, k.Confirm, k.Toggle, k.CopyBlock, k.Resize, k.Undo,
		k.Held, k.Cancel, k.Command, k.Refresh, k.Help, k.Quit, k.Interrupt}
	return append(out, k.SortBy[:]...)
}

// helpEntry is a line of help for several bindings at once ("pgup/pgdn
// page"); it matches no key.
func helpEntry(keys, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, desc))
}
