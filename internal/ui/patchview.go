package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// view draws the patch view: a title and the state of the dry run or apply
// stay at the top; the changes, the command and the advice list scroll
// under them. It opens at the top, follows the advice cursor once a key
// moves it, and pages as pgup, pgdn, home and end ask (see patch.go).
// The lines are relayout's; drawing only marks the advice under the cursor.
func (p patchModel) view(height int) []string {
	l := p.lines
	room := l.room(height)
	rest := l.rest
	if c := l.cursorLine(p.cursor); c >= 0 {
		rest = slices.Clone(rest)
		rest[c] = p.st.Selected.Render("▌" + ansi.Strip(rest[c])[1:])
	}
	return append(slices.Clone(l.top), scrolled(rest, p.firstShown(room), room, p.st)...)
}

// patchLayout is the patch view cut in two: the lines pinned at the top
// and the lines that scroll under them.
type patchLayout struct {
	top, rest []string
	advice    int // the first advice line in rest; -1 when there is none
}

// room is how many of the scrolling lines fit under the pinned ones.
func (l patchLayout) room(height int) int { return max(height-len(l.top), 1) }

// cursorLine is the line in rest of the advice under the cursor; -1 when
// there is none.
func (l patchLayout) cursorLine(cursor int) int {
	if l.advice < 0 {
		return -1
	}
	return l.advice + cursor
}

// layout makes every line of the view, none of them marked as under the
// cursor (view does that).
func (p patchModel) layout() patchLayout {
	st, width := p.st, p.widthHint()
	l := patchLayout{top: []string{st.Emphasis.Render(p.title())}, advice: -1}
	status := p.status()
	if ip := p.inPlaceStatus(); ip != nil {
		status = ip
	}
	switch left, ok := p.leftAfter(); {
	case ok:
		status = append(status, left)
	case p.err == nil && !p.running() && !p.done() && !p.ip.chosen():
		status = append([]model.Cell{p.effect()}, status...)
	}
	if held, ok := p.heldStatus(); ok && !p.done() {
		status = append(status, held)
	}
	for _, c := range status {
		text := strings.TrimLeft(c.Text, " ")
		indent := " " + c.Text[:len(c.Text)-len(text)]
		hang := indent + ifElse(len(indent) > 1, "  ", "") // under the text past a mark
		for i, line := range strings.Split(ansi.Wrap(text, width-len(hang)-1, ""), "\n") {
			l.top = append(l.top, ifElse(i == 0, indent, hang)+st.render(c.Level, line))
		}
	}
	l.top = append(l.top, "")

	if p.done() {
		l.rest = p.doneLines()
		return l
	}
	var rest []string
	if p.err == nil {
		rest = append(rest, st.Emphasis.Render(" CHANGES"))
		rest = append(rest, fieldTable(p.patch.Fields, st)...)
		rest = append(rest, "", st.Emphasis.Render(" COMMAND")+st.Dim.Render("  (y copies it)"))
		for _, line := range model.BreakCode(p.patch.Command, "shell", width-4) {
			rest = append(rest, "   "+st.Code.Render(line))
		}
		rest = append(rest, "")
		rest = append(rest, p.inPlaceLines(width)...)
	}
	if notes := p.notes(); len(notes) > 0 {
		for _, n := range notes {
			for i, line := range strings.Split(ansi.Wrap(n, width-6, ""), "\n") {
				rest = append(rest, st.Warn.Render(ifElse(i == 0, "   ! ", "     ")+line))
			}
		}
		rest = append(rest, "")
	}
	if len(p.advice) > 0 {
		if errors.Is(p.err, advisor.ErrNotPatchable) {
			rest = append(rest, st.Emphasis.Render(" ADVICE TO CARRY INTO THE MANIFEST"))
		} else {
			rest = append(rest, st.Emphasis.Render(" ADVICE IN THIS PATCH")+st.Dim.Render(ifElse(p.alongsideOnly(), "  (none: it goes only with other changes)", "  (↑↓ choose, space includes or leaves out)")))
		}
		l.advice = len(rest)
		for i, a := range p.advice {
			mark, lvl := severityMark(a.Severity)
			var text string
			switch {
			case p.leftOut(i):
				// Ticked, yet not in the patch: the box says what the patch holds.
				why := ifElse(a.Alongside, "alone not worth a rollout", "see ! above")
				text = st.Dim.Render(fmt.Sprintf("[-] %s %s  %s  (not in the patch: %s)", mark, adviceChange(a), a.Target.Container, why))
			default:
				box := ifElse(p.accepted[i], "[x]", "[ ]")
				text = fmt.Sprintf("%s %s %s  %s", box, st.render(lvl, mark), adviceChange(a), st.Dim.Render(a.Target.Container))
				if a.Held {
					text += "  " + st.Warn.Render("held: "+a.HeldWhy)
				}
			}
			rest = append(rest, " "+text)
		}
	}
	l.rest = rest
	return l
}

// firstShown is the first scrolling line shown in room lines: the offset
// the keys asked for, kept in bounds and, while the view follows the
// cursor, moved as little as it takes to show it.
func (p patchModel) firstShown(room int) int {
	l := p.lines
	off := max(min(p.offset, len(l.rest)-room), 0)
	if c := l.cursorLine(p.cursor); p.follow && c >= 0 {
		off = reveal(off, c, len(l.rest), room)
	}
	return off
}

// sight returns the first and last of n lines shown from offset in room
// lines, past the markers scrolled puts over the first and last of them.
func sight(offset, n, room int) (first, last int) {
	if n <= room {
		return 0, n - 1
	}
	first, last = offset, offset+room-1
	if room < 3 {
		return first, last
	}
	if offset > 0 {
		first++
	}
	if offset+room < n {
		last--
	}
	return first, last
}

// reveal returns the offset nearest to offset that shows line of n lines
// in room lines.
func reveal(offset, line, n, room int) int {
	first, last := sight(offset, n, room)
	marker := ifElse(room >= 3, 1, 0)
	switch {
	case line < first:
		offset = line - ifElse(line > 0, marker, 0)
	case line > last:
		offset = line - room + 1 + marker
	}
	return max(min(offset, n-room), 0)
}

// scrolled returns the room lines of lines from offset, the first and last
// of them replaced by how many more lines there are above and below when
// there are (as the detail view does), with the key that pages there.
func scrolled(lines []string, offset, room int, st Styles) []string {
	if len(lines) <= room {
		return lines
	}
	offset = max(min(offset, len(lines)-room), 0)
	out := slices.Clone(lines[offset : offset+room])
	if room < 3 {
		return out
	}
	if offset > 0 {
		out[0] = st.Dim.Render(fmt.Sprintf(" ↑ %s above (pgup)", plural(offset+1, "more line")))
	}
	if below := len(lines) - offset - room; below > 0 {
		out[room-1] = st.Dim.Render(fmt.Sprintf(" ↓ %s below (pgdn)", plural(below+1, "more line")))
	}
	return out
}

// notes are what BuildPatch warns of (accepted advice it left out, and
// why), wrapped by the view, never cut. Should a warning name advice by
// its ID, the ID is replaced by what people call the advice.
func (p patchModel) notes() []string {
	out := make([]string, 0, len(p.patch.Warnings))
	for _, w := range p.patch.Warnings {
		for _, a := range p.all {
			if a.ID != "" && strings.Contains(w, a.ID) {
				w = strings.ReplaceAll(w, a.ID, p.describe(a))
			}
		}
		out = append(out, w)
	}
	return out
}

// leftOut reports whether accepted advice i is not in the patch all the
// same: BuildPatch leaves out advice that assumes advice left out.
func (p patchModel) leftOut(i int) bool {
	if !p.accepted[i] || (p.err != nil && !errors.Is(p.err, advisor.ErrNoChanges)) {
		return false
	}
	return !slices.Contains(p.patch.Advice, p.advice[i].ID)
}

// find returns the workload's advice with an ID.
func (p patchModel) find(id string) (advisor.Advice, bool) {
	for _, a := range p.all {
		if a.ID == id {
			return a, true
		}
	}
	return advisor.Advice{}, false
}

// describe names a piece of advice for people: "memory limit → 356Mi",
// with its container when the workload has more than one.
func (p patchModel) describe(a advisor.Advice) string {
	s := a.Kind.Label()
	if a.Suggested.Display != "" {
		s += " → " + a.Suggested.Display
	}
	if p.w != nil && len(p.w.Containers) > 1 && a.Target.Container != "" {
		s += " (" + a.Target.Container + ")"
	}
	return s
}

// widthHint is the width the command wraps at; the root truncates lines to
// the real width, so this only needs to be no wider than the terminal.
func (p patchModel) widthHint() int { return max(p.width, 40) }

// title names the object and the size of the patch.
func (p patchModel) title() string {
	if p.w == nil {
		return " PATCH: the workload is gone"
	}
	ref := p.w.Ref
	s := fmt.Sprintf(" PATCH %s %s in %s", kindWord(ref.Kind), ref.Name, ref.Namespace)
	if u := p.undo; u != nil {
		s = fmt.Sprintf(" UNDO: %s %s in %s as before kgotop %s", kindWord(ref.Kind), ref.Name, ref.Namespace, u.Way.PastIt())
	}
	if p.err == nil {
		s += " · " + plural(len(p.patch.Fields), "field")
	}
	return s
}

// effect says what applying does to running pods.
func (p patchModel) effect() model.Cell {
	if p.patch.RestartsPods {
		return model.Cell{Text: "Applying restarts the pods: it " + p.patch.Effect + ".", Level: model.Near}
	}
	return model.Cell{Text: "Applying does not restart running pods: it " + p.patch.Effect + "."}
}

// plural is "1 field", "3 fields".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// status says where the dry run and apply stand, and which key is next.
func (p patchModel) status() []model.Cell {
	switch {
	case p.undo != nil && p.err != nil:
		return []model.Cell{{Text: "Nothing to undo: " + p.err.Error(), Level: model.Near}}
	case p.err != nil && len(p.advice) == 0 && p.w != nil && hpaHolds(*p.w, p.all):
		return []model.Cell{{Text: fmt.Sprintf("Nothing to patch: HPA %s scales on the requests this advice would resize, so kgotop offers no patch of them (--advise-hpa-resources offers one); the details (enter in the table) say what the change would do.", p.w.HPA.Name), Level: model.Near}}
	case p.err != nil && len(p.advice) == 0:
		if why := p.keptOut(); why != "" {
			return []model.Cell{{Text: "Nothing to patch: " + why + "; the details (enter in the table) say more.", Level: model.Near}}
		}
		return []model.Cell{{Text: "Nothing to patch: none of this workload's advice changes its pod template; the details (enter in the table) say what to do by hand or in code.", Level: model.Near}}
	case errors.Is(p.err, advisor.ErrNoChanges) && p.alongsideOnly():
		return []model.Cell{{Text: "Nothing to patch: " + p.describe(p.advice[0]) + " alone is not worth a rollout: it changes nothing the running program does, so it goes into a patch only with other changes, and this workload has none now. The details (enter in the table) say what it would do.", Level: model.Near}}
	case errors.Is(p.err, advisor.ErrNoChanges) && !slices.Contains(p.accepted, true) && p.heldCount() == len(p.advice):
		return []model.Cell{{Text: "Nothing to patch yet: this workload's only template changes are held sizing.", Level: model.Near}}
	case errors.Is(p.err, advisor.ErrNoChanges) && !slices.Contains(p.accepted, true):
		return []model.Cell{{Text: "Nothing to patch: all the advice is left out; space includes the advice under the cursor again.", Level: model.Near}}
	case errors.Is(p.err, advisor.ErrNoChanges) && p.onlyAlongsideIn():
		return []model.Cell{{Text: "Nothing to patch: what is still included goes into a patch only with other changes (alone it is not worth a rollout); space includes advice you left out again.", Level: model.Near}}
	case errors.Is(p.err, advisor.ErrNoChanges):
		return []model.Cell{{Text: "Nothing to patch: the advice still included assumes advice that is left out (! below); space includes that again.", Level: model.Near}}
	case p.err != nil:
		return []model.Cell{{Text: "Nothing to patch: " + p.err.Error(), Level: model.Near}}
	case p.readOnly:
		return []model.Cell{{Text: "read-only (--read-only): applying is off; y copies the command to run it yourself", Level: model.Near}}
	}
	switch p.state {
	case patchDryRun:
		return []model.Cell{{Text: "… server-side dry run in progress (nothing changes)", Level: model.Idle}}
	case patchConfirm:
		restarts := p.confirmEffect()
		return []model.Cell{
			{Text: "✓ dry run passed: " + p.result, Level: model.Good},
			{Text: fmt.Sprintf("Apply to %s in %s for real (%s)? Press Y to apply; n or esc cancels.", patchName(p.patch), p.patch.Namespace, restarts), Level: model.Near},
		}
	case patchApplying:
		return []model.Cell{{Text: "… applying", Level: model.Idle}}
	case patchApplied:
		text := "✓ applied: " + p.result
		if p.patch.RestartsPods {
			text += "; the pods roll now: the details show how far"
		}
		return []model.Cell{{Text: text, Level: model.Good}}
	case patchFailed:
		text := explainFailure(p.failure, p.patch)
		if p.failedDryRun {
			text = "The dry run failed. " + text
		}
		return []model.Cell{{Text: text, Level: model.Over}}
	}
	if p.ip.offered && p.ip.plan.InPlace() {
		return []model.Cell{{Text: "a runs a server-side dry run of the template patch, i of the in-place resize and the patch after it; nothing changes until you confirm with Y", Level: model.Idle}}
	}
	return []model.Cell{{Text: "a runs a server-side dry run first; nothing changes until you confirm with Y", Level: model.Idle}}
}

// fieldTable renders the before and after of each changed field.
func fieldTable(fs []advisor.FieldChange, st Styles) []string {
	rows := [][4]string{{"CONTAINER", "FIELD", "BEFORE", "AFTER"}}
	for _, f := range fs {
		rows = append(rows, [4]string{f.Container, f.Field, f.Before, f.After})
	}
	var w [4]int
	for _, r := range rows {
		for i, c := range r {
			w[i] = min(max(w[i], ansi.StringWidth(c)), 40)
		}
	}
	out := make([]string, 0, len(rows))
	for i, r := range rows {
		var b strings.Builder
		b.WriteString("   ")
		for j, c := range r {
			b.WriteString(padRight(truncate(c, w[j]), w[j]) + "  ")
		}
		line := strings.TrimRight(b.String(), " ")
		if i == 0 {
			line = st.Dim.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// confirmEffect says, in the confirmation, what the apply does to the
// running pods; where they could take the change in place instead, that
// they stay as they are until then, crashing if they crash now.
func (p patchModel) confirmEffect() string {
	switch {
	case p.patch.RestartsPods:
		return "the pods restart"
	case !p.ip.offered || !p.ip.plan.InPlace() || p.readOnly:
		return "running pods stay as they are"
	}
	if s, ok := advisor.FollowUp(*p.w); ok && p.undo != nil && s.Trouble() != "" {
		return "the template only: running pods keep crashing until resized; i resizes them in place"
	}
	return "the template only: running pods keep their values until replaced; i resizes them in place"
}
