package ui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// detailModel is the detail view of one workload: each container's usage
// history, probes, restarts, Go runtime and advice, as lines that scroll
// under a pinned title. The lines are built when the data or the size
// changes, never while drawing.
type detailModel struct {
	ref    model.WorkloadRef
	focus  string // the container to scroll to when the view opens
	placed bool   // whether the view scrolled to focus already

	w      *model.Workload // nil once the workload is gone
	advice []advisor.Advice
	now    time.Time
	patch  patchAvail // what p, a and y would find
	// snippets are the advice's commands and code, numbered as shown.
	snippets []snippet

	title   string
	lines   []string
	anchors map[string]int // container name -> its first line
	offset  int
	height  int
}

func newDetail(ref model.WorkloadRef, focus string) detailModel {
	return detailModel{ref: ref, focus: focus}
}

// refresh takes the workload's newest state, with its advice and whether
// that makes a patch (w is nil when it is gone); resize then builds the lines.
func (d detailModel) refresh(w *model.Workload, advice []advisor.Advice, patch patchAvail, now time.Time) detailModel {
	d.w, d.advice, d.patch, d.now = w, advice, patch, now
	d.snippets = snippets(w, advice)
	return d
}

// resize rebuilds the lines for a new size.
func (d detailModel) resize(width, height int, st Styles) detailModel {
	d.height = height
	if d.w == nil {
		d.title = st.Bad.Render(fmt.Sprintf(" %s is gone: it was deleted, or no longer matches. esc goes back.", d.ref))
		d.lines, d.anchors = nil, nil
		return d.scrollTo(0)
	}
	d.title, d.lines, d.anchors = detailLines(d.w, d.advice, d.patch, d.now, width, st)
	if !d.placed && width > 0 {
		d.placed = true
		return d.scrollTo(d.anchors[d.focus])
	}
	return d.scrollTo(d.offset)
}

// update scrolls.
func (d detailModel) update(msg tea.KeyPressMsg, k KeyMap) detailModel {
	page := max(d.height-2, 1)
	switch {
	case key.Matches(msg, k.Up):
		return d.scrollTo(d.offset - 1)
	case key.Matches(msg, k.Down):
		return d.scrollTo(d.offset + 1)
	case key.Matches(msg, k.PageUp):
		return d.scrollTo(d.offset - page)
	case key.Matches(msg, k.PageDown):
		return d.scrollTo(d.offset + page)
	case key.Matches(msg, k.Top):
		return d.scrollTo(0)
	case key.Matches(msg, k.Bottom):
		return d.scrollTo(len(d.lines))
	}
	return d
}

// scrollTo sets the first line shown, clamped so the last page stays full.
func (d detailModel) scrollTo(i int) detailModel {
	d.offset = max(0, min(i, d.maxOffset()))
	return d
}

// maxOffset is the first line shown when scrolled to the bottom.
func (d detailModel) maxOffset() int { return max(len(d.lines)-(d.height-1), 0) }

// view returns the pinned title and the lines that fit under it, the first
// and last of them replaced by how many more lines there are above and
// below when there are: every line shows at some scroll position.
func (d detailModel) view(height int, st Styles) []string {
	out := []string{d.title}
	end := min(d.offset+height-1, len(d.lines))
	out = append(out, d.lines[d.offset:end]...)
	if d.offset > 0 && len(out) > 1 {
		out[1] = st.Dim.Render(fmt.Sprintf(" ↑ %s above", plural(d.offset+1, "more line")))
	}
	if end < len(d.lines) && len(out) > 2 {
		out[len(out)-1] = st.Dim.Render(fmt.Sprintf(" ↓ %s below", plural(len(d.lines)-end+1, "more line")))
	}
	return out
}
