package ui

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/resize"
)

// applyTimeout bounds one dry run or apply.
const applyTimeout = 30 * time.Second

// patchState is where the patch view is in preview → dry run → confirm → apply.
type patchState int

const (
	patchPreview  patchState = iota // showing the patch
	patchDryRun                     // waiting for the server-side dry run
	patchConfirm                    // dry run passed: waiting for Y
	patchApplying                   // waiting for the real apply
	patchApplied                    // the server took it
	patchFailed                     // the dry run or the apply failed
)

// patchModel is the patch view of one workload: which of its patchable
// advice goes into the patch, the patch BuildPatch makes of it, and the dry
// run and apply. The patch is built when the view opens and kept while it
// is open, so what is applied is exactly what was shown and dry-run. Its
// lines are laid out whenever what they show changes (relayout), never
// while drawing.
type patchModel struct {
	w        *model.Workload
	all      []advisor.Advice // all the workload's advice, to name what advice requires
	advice   []advisor.Advice // the workload's patchable advice
	accepted []bool
	cursor   int
	// offset is the first of the scrolling lines shown (see view); follow
	// is whether the view keeps the cursor in sight. It opens at the top,
	// not following, so that the changes and the command show first.
	offset int
	follow bool

	patch advisor.Patch
	err   error // why there is no patch

	state patchState
	// seq numbers the dry run or apply in flight; it keeps counting across
	// patch views so that a late answer for another patch is dropped.
	seq          uint64
	result       string // what the server said
	failure      error
	failedDryRun bool

	readOnly bool // applying is off (--read-only): the status says so
	// undo, when set, is the change the view undoes: its patch is
	// advisor.UndoPatch's, not made from advice.
	undo *model.AppliedChange
	// served is whether the in-place resize may be offered (the cluster
	// serves pods/resize and the dashboard can send it); ip is it.
	served bool
	ip     inPlace
	// restarts are each pod's restarts in the newest snapshot: a pod's
	// count when the run resizes it, to tell restarts since.
	restarts map[string]int32
	st       Styles
	lines    patchLayout
	width    int
	height   int
}

// newPatch opens the patch view of w with all its patchable advice
// accepted but the held (listed, left out: H includes it), offering an
// in-place resize when served says the cluster serves it; resize then lays
// it out for the screen.
func newPatch(w *model.Workload, all []advisor.Advice, seq uint64, readOnly, served bool, st Styles) patchModel {
	p := patchModel{w: w, all: all, advice: advisor.PatchableWithHeld(all), seq: seq, readOnly: readOnly, served: served, st: st}
	p.accepted = make([]bool, len(p.advice))
	for i, a := range p.advice {
		p.accepted[i] = !a.Held
	}
	return p.build()
}

// newUndo opens the patch view of the patch that undoes a change kgotop
// applied to w: the values from before it, put back.
func newUndo(w *model.Workload, ch model.AppliedChange, seq uint64, readOnly, served bool, st Styles) patchModel {
	p := patchModel{w: w, undo: &ch, seq: seq, readOnly: readOnly, served: served, st: st}
	return p.build()
}

// build makes the patch from the accepted advice (or the undo patch), and
// plans its in-place resize.
func (p patchModel) build() patchModel {
	p.state, p.result, p.failure = patchPreview, "", nil
	p.ip = inPlace{}
	if p.w == nil {
		p.patch, p.err = advisor.Patch{}, errors.New("the workload is gone")
		return p
	}
	if p.restarts == nil {
		p.restarts = p.w.PodRestarts()
	}
	if p.undo != nil {
		p.patch, p.err = advisor.UndoPatch(*p.w, *p.undo)
	} else {
		var accepted []advisor.Advice
		for i, a := range p.advice {
			if p.accepted[i] {
				accepted = append(accepted, a)
			}
		}
		p.patch, p.err = advisor.BuildPatch(*p.w, accepted)
	}
	if p.err == nil && p.served && resize.Offered(p.patch) {
		p.ip = inPlace{offered: true, plan: resize.New(*p.w, p.patch)}
	}
	return p.relayout()
}

// serve offers the in-place resize once the cluster is known to serve it:
// discovery may answer after the view opened. The view plans again only
// while it shows the patch and nothing is under way.
func (p patchModel) serve(served bool) patchModel {
	if !served || p.served || p.w == nil || p.state != patchPreview || p.busy() || p.ip.state != ipIdle {
		return p
	}
	p.served = true
	return p.build()
}

// resize sets the room the view has; a new width lays it out again.
func (p patchModel) resize(width, height int) patchModel {
	p.height = height
	if width != p.width {
		p.width = width
		return p.relayout()
	}
	return p
}

// relayout lays the view's lines out again, after what they show changed.
func (p patchModel) relayout() patchModel {
	p.lines = p.layout()
	return p
}

// busy reports whether a request is in flight, or an in-place resize runs.
func (p patchModel) busy() bool {
	return p.state == patchDryRun || p.state == patchApplying || p.ip.busy() || p.ip.active()
}

// undoable reports whether u may open, from this view, the undo of the
// last change kgotop applied to the workload: it is not the undo already,
// and nothing is in flight.
func (p patchModel) undoable() bool {
	if p.undo != nil || p.w == nil || p.busy() {
		return false
	}
	_, ok := p.w.LastUndoable()
	return ok
}

// actions are what the patch view sends through: Deps.Apply, Deps.Resize,
// Deps.Record, and the clock changes are filed at.
type actions struct {
	apply  applyFunc
	resize resizeFunc
	record func(model.AppliedChange)
	now    func() time.Time
}

// update handles the patch view's keys: choosing advice, dry run, confirm,
// and the in-place resize. Moving and paging work while a request is in
// flight or a resize runs; nothing else does.
func (p patchModel) update(msg tea.KeyPressMsg, k KeyMap, ctx context.Context, acts actions) (patchModel, tea.Cmd) {
	switch {
	case key.Matches(msg, k.Up):
		return p.move(-1), nil
	case key.Matches(msg, k.Down):
		return p.move(1), nil
	case key.Matches(msg, k.PageUp):
		return p.scroll(func(off, page, _ int) int { return off - page }), nil
	case key.Matches(msg, k.PageDown):
		return p.scroll(func(off, page, _ int) int { return off + page }), nil
	case key.Matches(msg, k.Top):
		return p.scroll(func(int, int, int) int { return 0 }), nil
	case key.Matches(msg, k.Bottom):
		return p.scroll(func(_, _, end int) int { return end }), nil
	case p.busy() || p.done():
		return p, nil // nothing to choose or send once applied
	case key.Matches(msg, k.Toggle) && len(p.advice) > 0 && !p.alongsideOnly():
		p.accepted[p.cursor] = !p.accepted[p.cursor]
		p.follow = true
		return p.build().settle(), nil
	case key.Matches(msg, k.Held) && p.heldCount() > 0:
		return p.toggleHeld().build().settle(), nil
	case p.ip.state == ipConfirm && key.Matches(msg, k.Confirm):
		return p.confirmInPlace(ctx, acts)
	case p.state == patchConfirm && key.Matches(msg, k.Confirm):
		p.seq++
		p.state = patchApplying
		return p.relayout(), applyCmd(ctx, acts.apply, p.patch, false, p.seq)
	case key.Matches(msg, k.Apply):
		return p.dryRun(ctx, acts.apply)
	case key.Matches(msg, k.Resize):
		return p.startInPlace(ctx, acts)
	}
	return p, nil
}

// move moves the advice cursor by d and follows it. When the cursor is out
// of sight (the view opened at the top, or was paged away from it), the
// key only brings it back into sight.
func (p patchModel) move(d int) patchModel {
	l, room := p.lines, p.lines.room(p.height)
	off, cursor := p.firstShown(room), l.cursorLine(p.cursor)
	if p.follow || cursor < 0 || reveal(off, cursor, len(l.rest), room) == off {
		p.cursor = max(min(p.cursor+d, len(p.advice)-1), 0)
	}
	p.follow = true
	return p.settle()
}

// scroll pages the view to where to says, from the offset shown, a page
// and the last offset, and stops following the cursor.
func (p patchModel) scroll(to func(offset, page, end int) int) patchModel {
	room := p.lines.room(p.height)
	end := max(len(p.lines.rest)-room, 0)
	p.offset = max(min(to(p.firstShown(room), max(room-2, 1), end), end), 0)
	p.follow = false
	return p
}

// settle keeps the offset the view shows, so that the next key moves on
// from what is on the screen.
func (p patchModel) settle() patchModel {
	p.offset = p.firstShown(p.lines.room(p.height))
	return p
}

// dryRun starts the server-side dry run of the patch.
func (p patchModel) dryRun(ctx context.Context, apply applyFunc) (patchModel, tea.Cmd) {
	if p.err != nil || p.busy() || apply == nil {
		return p, nil
	}
	p.seq++
	p.state, p.result, p.failure = patchDryRun, "", nil
	if p.ip.offered {
		p.ip = inPlace{offered: true, plan: p.ip.plan} // the template patch alone
	}
	return p.relayout(), applyCmd(ctx, apply, p.patch, true, p.seq)
}

// back handles esc: it cancels a confirmation (stay is true) or leaves the view.
func (p patchModel) back() (patchModel, bool) {
	switch {
	case p.state == patchConfirm:
		p.state, p.result = patchPreview, ""
		return p.relayout(), true
	case p.ip.state == ipConfirm:
		p.ip = inPlace{offered: true, plan: p.ip.plan}
		p.result = ""
		return p.relayout(), true
	}
	return p, false
}

// applyFunc is Deps.Apply.
type applyFunc = func(ctx context.Context, p advisor.Patch, dryRun bool) (string, error)

// applyMsg answers applyCmd: what the server made of the patch numbered seq.
type applyMsg struct {
	seq     uint64
	dryRun  bool
	summary string
	err     error
}

// applyCmd sends a patch (or its dry run) off the UI goroutine.
func applyCmd(ctx context.Context, apply applyFunc, p advisor.Patch, dryRun bool, seq uint64) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, applyTimeout)
		defer cancel()
		summary, err := apply(ctx, p, dryRun)
		return applyMsg{seq: seq, dryRun: dryRun, summary: summary, err: err}
	}
}

// answer takes the server's answer; applied reports a real apply that succeeded.
func (p patchModel) answer(msg applyMsg) (patchModel, bool) {
	if msg.seq != p.seq || (p.state != patchDryRun && p.state != patchApplying) {
		return p, false // for a patch no longer shown, or cancelled
	}
	p.result, p.failure, p.failedDryRun = msg.summary, msg.err, msg.dryRun
	switch {
	case msg.err != nil:
		p.state = patchFailed
	case msg.dryRun:
		p.state = patchConfirm
	default:
		p.state = patchApplied
		return p.relayout(), true
	}
	return p.relayout(), false
}

// outcome is the result of the last request in one line, for the footer
// when the patch view is closed by the time it arrives.
func (p patchModel) outcome() model.Cell {
	switch p.state {
	case patchApplied:
		return model.Cell{Text: "applied to " + patchName(p.patch) + ": " + p.result, Level: model.Good}
	case patchConfirm:
		return model.Cell{Text: "dry run of " + patchName(p.patch) + " passed: p, then Y, applies it", Level: model.Good}
	case patchFailed:
		return model.Cell{Text: explainFailure(p.failure, p.patch), Level: model.Over}
	}
	return model.Cell{}
}

// patchName is "deployment api".
func patchName(p advisor.Patch) string {
	return kindWord(p.Kind) + " " + p.Name
}
