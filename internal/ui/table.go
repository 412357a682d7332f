package ui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/model"
)

// rowKey names a table line across refreshes: a workload, or one of its
// containers when container is set.
type rowKey struct {
	ref       model.WorkloadRef
	container string
}

// tableLine is one line the table shows: rows[w], or its container c (c >= 0).
type tableLine struct{ w, c int }

// tableModel is the main table: workloads filtered, sorted and expanded to
// their containers, with a cursor that stays on the same workload across
// refreshes. It keeps the whole list but renders only what fits.
type tableModel struct {
	rows     []workloadRow
	order    []int       // indices into rows, filtered and sorted
	lines    []tableLine // order with expanded containers
	expanded map[model.WorkloadRef]bool
	cursor   int
	offset   int
	height   int // lines the table shows
	selected rowKey

	// widths are the widest text of each column over every row of every
	// snapshot since the terminal last changed width (or the namespace
	// changed): they only grow, so the layout settles and never flips back
	// and forth between refreshes as values change. content is the latest
	// snapshot's alone, what widths start again from.
	widths, content widths
	// width is the terminal's width; namespace the snapshot's.
	width     int
	namespace string

	sortCol column
	reverse bool
	filter  filterInput
	// namespace shows one namespace of all those watched (:ns NAME); "" all.
	onlyNS string
}

func newTable() tableModel {
	return tableModel{expanded: map[model.WorkloadRef]bool{}, sortCol: colAdvice, height: 1}
}

// setRows takes the rows of a new snapshot of namespace ns, measured by
// contentWidths, and keeps the cursor on the line it was on.
func (t tableModel) setRows(rows []workloadRow, measured widths, ns string) tableModel {
	t.rows, t.content = rows, measured
	if ns != t.namespace {
		t.namespace, t.widths = ns, measured
	}
	t.widths = t.widths.grow(measured)
	return t.relist()
}

// setSize sets the terminal's width and how many lines the table shows. A
// new width lays the columns out again from the latest snapshot alone.
func (t tableModel) setSize(width, h int) tableModel {
	if width != t.width {
		t.width, t.widths = width, t.content
	}
	t.height = max(h, 1)
	return t.scroll()
}

// layout lays the columns out in width cells, the sort column kept shown.
func (t tableModel) layout(width int) layout {
	return fit(t.widths, width, t.sortCol)
}

// nextSort is the column s and > (d 1) or < (d -1) sort by next: the next
// one shown at the current width, so that the table never sorts by a
// column it hides unless asked by name.
func (t tableModel) nextSort(d int) column {
	shown := fit(t.widths, t.width, numColumns).width
	c := t.sortCol
	for range numSortable {
		c = (c + column(d) + numSortable) % numSortable
		if shown[c] > 0 || t.width == 0 {
			return c
		}
	}
	return (t.sortCol + 1) % numSortable
}

// sortBy sorts by column c, reversed or not.
func (t tableModel) sortBy(c column, reverse bool) tableModel {
	t.sortCol, t.reverse = c, reverse
	return t.relist()
}

// showNamespace shows only the workloads of namespace ns ("" all).
func (t tableModel) showNamespace(ns string) tableModel {
	t.onlyNS = ns
	return t.relist()
}

// selectRef puts the cursor on a workload's line.
func (t tableModel) selectRef(ref model.WorkloadRef) tableModel {
	t.selected = rowKey{ref: ref}
	return t.relist()
}

// before reports whether row i comes before row j (-1: none) in the
// table's order, rows the table hides after those it shows.
func (t tableModel) before(i, j int) bool {
	if j < 0 {
		return true
	}
	pos := func(r int) int {
		if p := slices.Index(t.order, r); p >= 0 {
			return p
		}
		return len(t.rows) + r
	}
	return pos(i) < pos(j)
}

// filtering reports whether the filter is taking keys.
func (t tableModel) filtering() bool { return t.filter.Focused() }

// update handles the table's own keys: moving, expanding, sorting, filtering.
func (t tableModel) update(msg tea.KeyPressMsg, k KeyMap) (tableModel, tea.Cmd) {
	if t.filter.Focused() {
		switch f := k.Filtering; {
		case key.Matches(msg, f.Keep):
			t.filter.focused = false
			return t, nil
		case key.Matches(msg, f.Clear):
			t.filter = filterInput{}
			return t.relist(), nil
		case key.Matches(msg, f.Leave):
			t.filter.focused = false // stop typing and move
		default:
			return t.edit(msg, f), nil
		}
	}
	switch {
	case key.Matches(msg, k.Up):
		t = t.moveTo(t.cursor - 1)
	case key.Matches(msg, k.Down):
		t = t.moveTo(t.cursor + 1)
	case key.Matches(msg, k.PageUp):
		t = t.moveTo(t.cursor - t.height)
	case key.Matches(msg, k.PageDown):
		t = t.moveTo(t.cursor + t.height)
	case key.Matches(msg, k.Top):
		t = t.moveTo(0)
	case key.Matches(msg, k.Bottom):
		t = t.moveTo(len(t.lines) - 1)
	case key.Matches(msg, k.Expand):
		if r, _, ok := t.current(); ok {
			open := !t.expanded[r.ref] || !key.Matches(msg, k.ExpandToggle)
			t.setExpanded(r.ref, open)
			if !open {
				t.selected = rowKey{ref: r.ref}
			}
			t = t.relist()
		}
	case key.Matches(msg, k.Collapse):
		if r, _, ok := t.current(); ok {
			t.setExpanded(r.ref, false)
			t.selected = rowKey{ref: r.ref}
			t = t.relist()
		}
	case key.Matches(msg, k.Sort, k.SortNext):
		t = t.sortBy(t.nextSort(1), false)
	case key.Matches(msg, k.SortPrev):
		t = t.sortBy(t.nextSort(-1), false)
	case key.Matches(msg, k.SortBy[:]...):
		for c := range numSortable {
			if key.Matches(msg, k.SortBy[c]) {
				t = t.sortBy(c, c == t.sortCol && !t.reverse)
			}
		}
	case key.Matches(msg, k.Reverse):
		t.reverse = !t.reverse
		t = t.relist()
	case key.Matches(msg, k.Filter):
		t.filter.focused = true
	}
	return t, nil
}

// edit hands a key or a paste to the filter and relists when the text changed.
func (t tableModel) edit(msg tea.Msg, k FilterKeyMap) tableModel {
	before := t.filter.Value()
	t.filter = t.filter.update(msg, k)
	if t.filter.Value() != before {
		t = t.relist()
	}
	return t
}

// clearFilter drops the filter; it reports false when there was none.
func (t tableModel) clearFilter() (tableModel, bool) {
	if t.filter.Value() == "" {
		return t, false
	}
	t.filter = filterInput{}
	return t.relist(), true
}

func (t *tableModel) setExpanded(ref model.WorkloadRef, open bool) {
	if open {
		t.expanded[ref] = true
	} else {
		delete(t.expanded, ref)
	}
}

// current returns the workload under the cursor and the container when the
// cursor is on a container line ("" otherwise).
func (t tableModel) current() (*workloadRow, string, bool) {
	if t.cursor < 0 || t.cursor >= len(t.lines) {
		return nil, "", false
	}
	l := t.lines[t.cursor]
	r := &t.rows[l.w]
	if l.c >= 0 {
		return r, r.containers[l.c].name, true
	}
	return r, "", true
}

// moveTo puts the cursor on line i (clamped) and scrolls it into view.
func (t tableModel) moveTo(i int) tableModel {
	t.cursor = min(max(i, 0), max(len(t.lines)-1, 0))
	if r, c, ok := t.current(); ok {
		t.selected = rowKey{ref: r.ref, container: c}
	}
	return t.scroll()
}

// scroll keeps the cursor inside the visible window.
func (t tableModel) scroll() tableModel {
	switch {
	case t.cursor < t.offset:
		t.offset = t.cursor
	case t.cursor >= t.offset+t.height:
		t.offset = t.cursor - t.height + 1
	}
	t.offset = max(0, min(t.offset, len(t.lines)-t.height))
	// The first and last lines say how many more there are above and
	// below (moreAbove, moreBelow): the cursor stays off them.
	switch {
	case t.moreAbove() > 0 && t.cursor == t.offset:
		t.offset--
	case t.moreBelow() > 0 && t.cursor == t.offset+t.height-1:
		t.offset++
	}
	return t
}

// moreAbove is how many lines the table does not show above the window,
// the first line of which then says so ("↑ 3 more"); 0 when none, or the
// window is too small to spare a line.
func (t tableModel) moreAbove() int {
	if t.height < 3 || t.offset == 0 {
		return 0
	}
	return t.offset + 1
}

// moreBelow is how many lines the table does not show under the window,
// the last line of which then says so ("↓ 3 more"); 0 when all fit, or the
// window is too small to spare a line.
func (t tableModel) moreBelow() int {
	if t.height < 3 || t.offset+t.height >= len(t.lines) {
		return 0
	}
	return len(t.lines) - (t.offset + t.height - 1)
}

// relist filters, sorts and expands the rows, then finds the selected line again.
func (t tableModel) relist() tableModel {
	q := parseFilter(t.filter.Value())
	t.order = make([]int, 0, len(t.rows))
	for i := range t.rows {
		r := &t.rows[i]
		if q.matches(r) && (t.onlyNS == "" || r.ref.Namespace == t.onlyNS) {
			t.order = append(t.order, i)
		}
	}
	slices.SortStableFunc(t.order, func(a, b int) int {
		c := compareRows(&t.rows[a], &t.rows[b], t.sortCol)
		if t.reverse {
			c = -c
		}
		return cmp.Or(c, strings.Compare(t.rows[a].cells[colName].Text, t.rows[b].cells[colName].Text))
	})
	t.lines = make([]tableLine, 0, len(t.order))
	cursor := -1
	for _, i := range t.order {
		r := &t.rows[i]
		if r.ref == t.selected.ref && (t.selected.container == "" || !t.expanded[r.ref]) {
			cursor = len(t.lines)
		}
		t.lines = append(t.lines, tableLine{w: i, c: -1})
		if !t.expanded[r.ref] {
			continue
		}
		for j := range r.containers {
			if r.ref == t.selected.ref && r.containers[j].name == t.selected.container {
				cursor = len(t.lines)
			}
			t.lines = append(t.lines, tableLine{w: i, c: j})
		}
	}
	if cursor < 0 {
		cursor = t.cursor // the selected workload is gone: stay where we were
	}
	return t.moveTo(cursor)
}

// compareRows orders two workloads by a column, the most alarming first for
// numbers (most advice, fullest, most restarts, least ready) and
// alphabetically for names.
func compareRows(a, b *workloadRow, col column) int {
	switch col {
	case colName:
		return strings.Compare(a.cells[colName].Text, b.cells[colName].Text)
	case colKind:
		return strings.Compare(a.cells[colKind].Text, b.cells[colKind].Text)
	case colReady:
		return cmp.Compare(a.readyFrac, b.readyFrac)
	case colGo:
		return compareVersions(a.goKey, b.goKey)
	case colCPU:
		return cmp.Compare(b.cpu, a.cpu)
	case colMem:
		return cmp.Compare(b.mem, a.mem)
	case colRestarts:
		return cmp.Compare(b.restarts, a.restarts)
	case colProbes:
		return cmp.Compare(b.probeFails, a.probeFails)
	case colAdvice:
		return cmp.Compare(b.counts.score(), a.counts.score())
	}
	return 0
}

// compareVersions orders Go versions newest first ("1.25.1" before "1.9"),
// unknown last.
func compareVersions(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return cmp.Compare(y, x)
		}
	}
	return 0
}
