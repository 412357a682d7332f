package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// This file is the dashboard's follow-up of the changes kgotop applied:
// the mark in the table, the section atop the details, and the undo.

// resizeRefresh is how often the dashboard refreshes while an in-place
// resize runs, so that each pod's progress shows as it comes.
const resizeRefresh = 500 * time.Millisecond

// markFor is how long after a change its workload is marked in the table.
const markFor = 24 * time.Hour

// ref is the workload the patch view is about.
func (p patchModel) ref() model.WorkloadRef {
	if p.w == nil {
		return model.WorkloadRef{}
	}
	return p.w.Ref
}

// applied is the record of the template patch the view just applied.
func (p patchModel) applied(now time.Time) model.AppliedChange {
	if p.w == nil {
		return model.AppliedChange{}
	}
	way := model.ChangeTemplate
	if p.patch.RestartsPods {
		way = model.ChangeRollout
	}
	return p.record(way, now)
}

// record is what the change the view applies is filed as; an undo says
// which change it put back.
func (p patchModel) record(way model.ChangeWay, now time.Time) model.AppliedChange {
	r := advisor.Applied(*p.w, p.patch, way, now)
	if p.undo != nil {
		r.Reverts = p.undo.At
	}
	return r
}

// undoAction opens the patch that undoes the last change kgotop applied to
// a workload.
func (m Model) undoAction(ref model.WorkloadRef) (tea.Model, tea.Cmd) {
	w := m.workload(ref)
	if w == nil || len(w.Changes) == 0 {
		m.notice = model.Cell{Text: "nothing to undo: kgotop applied no change to " + ref.Name + " that it knows of", Level: model.Near}
		return m, nil
	}
	last, ok := w.LastUndoable()
	if !ok {
		m.notice = model.Cell{Text: "kgotop's last change to " + ref.Name + " was an undo: u would put back the values that failed; p shows the advice instead", Level: model.Near}
		return m, nil
	}
	m.patch = newUndo(w, last, m.patch.seq, m.deps.ReadOnly, m.resizeServed(), m.styles)
	if m.view != viewPatch {
		m.back = m.view
	}
	m.view = viewPatch
	return m.resize(), nil
}

// undoable reports whether u has a change of kgotop's to undo on ref.
func (m Model) undoable(ref model.WorkloadRef) bool {
	if w := m.workload(ref); w != nil {
		_, ok := w.LastUndoable()
		return ok
	}
	return false
}

// undoFirst reports whether the most urgent of the advice is the undo of
// kgotop's last change: the patch holds back what it would change instead.
func undoFirst(as []advisor.Advice) bool {
	top := topOf(as, "", false)
	return top != nil && top.Undoes()
}

// undoInPlace reports whether i in the table resizes r's pods back in
// place: the undo of kgotop's change is its top advice, the undo can go in
// place, and the cluster serves pods/resize.
func (m Model) undoInPlace(r *workloadRow) bool {
	return undoFirst(r.advice) && r.patch.undoInPlace && m.resizeServed() && !m.deps.ReadOnly
}

// undoResize opens the undo of kgotop's last change to ref and starts the
// dry run of its in-place resize (i in the table, where the undo is the
// top advice): the template alone leaves the running pods as they are.
func (m Model) undoResize(ref model.WorkloadRef) (tea.Model, tea.Cmd) {
	next, _ := m.undoAction(ref)
	m = next.(Model)
	if m.view != viewPatch || m.patch.undo == nil {
		return m, nil
	}
	if why := m.patch.noResize(m.resizeServed()); why != "" {
		m.notice = model.Cell{Text: why, Level: model.Near}
		return m, nil
	}
	var cmd tea.Cmd
	m.patch, cmd = m.patch.startInPlace(m.ctx, m.actions())
	return m, cmd
}

// undoDryRun opens the undo of kgotop's last change to ref and starts its
// dry run (a when the undo is the top advice).
func (m Model) undoDryRun(ref model.WorkloadRef) (tea.Model, tea.Cmd) {
	next, _ := m.undoAction(ref)
	m = next.(Model)
	if m.view != viewPatch || m.patch.undo == nil {
		return m, nil
	}
	if m.deps.ReadOnly {
		m.notice = readOnlyNotice
		return m, nil
	}
	var cmd tea.Cmd
	m.patch, cmd = m.patch.dryRun(m.ctx, m.deps.Apply)
	return m, cmd
}

// changeMark is what the table says of a workload kgotop changed in the
// last markFor: "resized 12m ago"; "" when it did not.
func changeMark(w model.Workload, now time.Time) string {
	if len(w.Changes) == 0 || now.Sub(w.Changes[0].At) > markFor {
		return ""
	}
	ch := w.Changes[0]
	return ch.Way.Past() + " " + model.FormatAge(max(now.Sub(ch.At), 0)) + " ago"
}

// followUpLines writes, atop the details, what followed the last change
// kgotop applied to the workload: what it changed, how far the resize or
// the rollout has come, the restarts and OOMKills since, what the changed
// containers use against their new values, and the undo.
func followUpLines(b *textBlock, w *model.Workload, now time.Time) {
	s, ok := advisor.FollowUp(*w)
	if !ok {
		return
	}
	ch := s.Change
	b.heading(fmt.Sprintf("since kgotop %s %s ago (%s)", ch.Way.PastIt(), model.FormatAge(max(now.Sub(ch.At), 0)), ch.At.Format("Jan 2 15:04:05")))
	var fields []string
	for _, f := range ch.Fields {
		fields = append(fields, fmt.Sprintf("%s %s %s → %s", f.Container, f.Field, f.Before, f.After))
	}
	template := "the template carries it"
	if !ch.Template {
		template = "the template was not patched: the next rollout undoes it"
	}
	b.wrap(" CHANGED ", strings.Join(fields, " · ")+"; "+template, model.Normal)
	if ch.Way == model.ChangeResize {
		text := fmt.Sprintf("%d of %s in place", s.Resized+s.Replaced, plural(len(ch.Pods), "pod"))
		switch {
		case s.Replaced > 0 && ch.Template:
			text += fmt.Sprintf(", %d since replaced by pods made from the patched template", s.Replaced)
		case s.Replaced > 0:
			text += fmt.Sprintf(", %d since replaced by pods made without the change", s.Replaced)
		}
		if len(s.Waiting) > 0 {
			text += "; " + strings.Join(s.Waiting, "; ")
		}
		b.wrap(" RESIZED ", text, ifElse(len(s.Waiting) > 0 || s.Replaced > 0 && !ch.Template, model.Near, model.Good))
	}
	if s.NewPods > 0 || ch.Way == model.ChangeRollout {
		rolled := s.OldPods == 0 && s.NewReady >= int(w.Desired)
		text := fmt.Sprintf("%d of %d pods new since (%d ready), %d old still running", s.NewPods, w.Desired, s.NewReady, s.OldPods)
		if rolled {
			text = "done: " + plural(s.NewPods, "pod") + " new and ready since"
		}
		b.wrap(" ROLLOUT ", text, ifElse(rolled, model.Good, model.Near))
	}
	if t := s.Trouble(); t != "" {
		b.wrap(" SINCE   ", t, model.Over)
	} else {
		b.wrap(" SINCE   ", fmt.Sprintf("%s, no OOMKill, no crash loop", plural(int(s.Restarts), "restart")), ifElse(s.Restarts > 0, model.Near, model.Good))
	}
	for _, c := range w.Containers {
		if !slices.ContainsFunc(ch.Fields, func(f model.ChangedField) bool { return f.Container == c.Name }) {
			continue
		}
		cpu, mem := c.UsageNow()
		text := fmt.Sprintf("%s uses CPU %s, memory %s (used/request/limit, as changed)", c.Name, cpu.Summary(model.FormatCPU).Text, mem.Summary(model.FormatBytes).Text)
		b.wrap(" USAGE   ", text, worst(cpu.Level(), mem.Level()))
	}
	if ch.Stopped != "" {
		b.wrap(" STOPPED ", ch.Stopped, model.Near)
	}
	undo := "u opens the patch that puts the values from before the change back"
	if s.Trouble() != "" && s.Blame() == "" {
		undo += "; not advised: what failed since is not what the change lowered, and the undo puts back values that failed (see the after-change advice)"
	}
	b.wrap(" UNDO    ", undo, model.Idle)
	b.blank()
}
