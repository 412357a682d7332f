package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// Update routes a message: results of commands update the shared state,
// global keys are matched here, and every other key goes to the active view.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m.resize(), nil
	case loadedMsg:
		m.prepared, m.err = true, msg.err
		if msg.err != nil {
			return m, tea.Quit
		}
		return m, fetchCmd(m.deps.Snapshot, m.deps.Advisor, m.deps.Now, m.seq, m.rowCache)
	case snapshotMsg:
		if msg.seq != m.seq {
			return m, nil // an answer to a refresh that was superseded
		}
		m = m.takeSnapshot(msg)
		if m.view == viewPatch {
			m.patch = m.patch.serve(m.resizeServed())
		}
		var follow tea.Cmd
		m.patch, follow = m.patch.observe(m.workload(m.patch.ref()), m.actions())
		return m, tea.Batch(tickCmd(m.nextRefresh(msg), m.seq), follow)
	case tickMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		return m.refresh()
	case applyMsg:
		if p, cmd, ok := m.patch.templated(msg, m.actions()); ok {
			m.patch = p
			return m, cmd
		}
		var applied bool
		m.patch, applied = m.patch.answer(msg)
		if m.view != viewPatch && msg.seq == m.patch.seq {
			m.notice = m.patch.outcome()
		}
		if applied {
			m, cmd := m.refresh() // show the new template at once
			return m, tea.Batch(cmd, recordCmd(m.deps.Record, m.patch.applied(m.deps.Now())))
		}
		return m, nil
	case resizeMsg:
		var cmd tea.Cmd
		m.patch, cmd = m.patch.resized(m.ctx, msg, m.actions())
		return m, cmd
	case pauseMsg:
		var cmd tea.Cmd
		m.patch, cmd = m.patch.rested(m.ctx, msg, m.actions())
		return m, cmd
	case recordedMsg:
		return m.refresh() // the workload shows the change
	case copiedMsg:
		m.notice = copyNotice(msg, m.width)
		return m, nil
	case tea.PasteMsg:
		switch {
		case m.tooSmall():
		case m.command.Focused():
			m.command = m.command.update(msg, m.keys.Filtering)
		case m.view == viewTable && m.table.filtering():
			m.table = m.table.edit(msg, m.keys.Filtering)
		}
		return m, nil
	case tea.MouseMsg:
		return m.onMouse(msg)
	case tea.KeyPressMsg:
		return m.onKey(msg)
	}
	return m, nil
}

// onKey matches the keys every view shares, then hands the key to the active view.
func (m Model) onKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, m.keys.Interrupt):
		return m, tea.Quit
	case m.tooSmall():
		// Nothing on screen says what a key would do: only q does anything.
		if key.Matches(msg, m.keys.Quit) {
			return m, tea.Quit
		}
		return m, nil
	}
	m.notice = model.Cell{}
	switch {
	case m.command.Focused():
		return m.commandKey(msg)
	case m.view == viewTable && m.table.filtering():
		m.table, cmd = m.table.update(msg, m.keys)
		return m, cmd
	case m.showHelp:
		return m.helpKey(msg), nil // scrolls a long help; any other key closes it
	case key.Matches(msg, m.keys.Quit) && m.view == viewTable:
		return m, tea.Quit // quit from the top; q in a view goes back
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return m, nil
	case key.Matches(msg, m.keys.Refresh):
		return m.refresh()
	case key.Matches(msg, m.keys.Command):
		m.command = filterInput{focused: true}
		return m, nil
	case !matchesAny(msg, m.keys.all()):
		m.notice = model.Cell{Text: msg.String() + " does nothing here: ? shows the keys, : the commands", Level: model.Idle}
		return m, nil
	}
	switch m.view {
	case viewDetail:
		return m.detailKey(msg)
	case viewPatch:
		return m.patchKey(msg)
	}
	return m.tableKey(msg)
}

// matchesAny reports whether msg is one of the bindings' keys.
func matchesAny(msg tea.KeyPressMsg, bs []key.Binding) bool {
	for _, b := range bs {
		if key.Matches(msg, b) {
			return true
		}
	}
	return false
}

// tableKey handles a key in the main table.
func (m Model) tableKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	r, container, ok := m.table.current()
	switch {
	case ok && key.Matches(msg, m.keys.Details):
		return m.openDetails(r, container), nil
	case ok && key.Matches(msg, m.keys.Copy):
		return m.copyFor(r.ref, r.patch, snippets(m.workload(r.ref), r.advice), 0)
	case ok && key.Matches(msg, m.keys.Patch, m.keys.Apply):
		return m.patchAction(msg, r.ref, r.advice)
	case ok && key.Matches(msg, m.keys.Undo):
		return m.undoAction(r.ref)
	case ok && key.Matches(msg, m.keys.Resize) && m.undoInPlace(r):
		return m.undoResize(r.ref)
	case key.Matches(msg, m.keys.Resize):
		m.notice = model.Cell{Text: "i resizes in place from the patch view: p opens it, and says whether the pods can take the change in place", Level: model.Idle}
		return m, nil
	case key.Matches(msg, m.keys.CopyBlock):
		m.notice = model.Cell{Text: "number keys copy the details' numbered commands ([1], [2]): enter opens the details; y copies here", Level: model.Idle}
		return m, nil
	case key.Matches(msg, m.keys.Back) && !key.Matches(msg, m.keys.Collapse):
		m.table, _ = m.table.clearFilter()
		return m, nil
	}
	var cmd tea.Cmd
	m.table, cmd = m.table.update(msg, m.keys)
	return m, cmd
}

// openDetails opens the detail view of a row, at the container given ("" for the top).
func (m Model) openDetails(r *workloadRow, container string) Model {
	m.detail = newDetail(r.ref, container).refresh(m.workload(r.ref), r.advice, r.patch, m.now)
	m.view = viewDetail
	return m.resize()
}

// detailKey handles a key in the detail view.
func (m Model) detailKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Back, m.keys.Quit):
		m.view = viewTable
		return m, nil
	case key.Matches(msg, m.keys.Copy):
		return m.copyFor(m.detail.ref, m.detail.patch, m.detail.snippets, 0)
	case key.Matches(msg, m.keys.CopyBlock):
		return m.copyFor(m.detail.ref, m.detail.patch, m.detail.snippets, int(msg.Code-'0'))
	case key.Matches(msg, m.keys.Patch, m.keys.Apply):
		return m.patchAction(msg, m.detail.ref, m.detail.advice)
	case key.Matches(msg, m.keys.Undo):
		return m.undoAction(m.detail.ref)
	}
	m.detail = m.detail.update(msg, m.keys)
	return m, nil
}

// copyFor copies what y copies for a workload (n 0), or its snippet n.
func (m Model) copyFor(ref model.WorkloadRef, patch patchAvail, snips []snippet, n int) (tea.Model, tea.Cmd) {
	if n > 0 {
		if n > len(snips) {
			m.notice = model.Cell{Text: "nothing numbered [" + string(rune('0'+n)) + "] to copy here", Level: model.Near}
			return m, nil
		}
		return m.copyText(snippetName(n), snips[n-1].code)
	}
	what, text, ok := copyTarget(patch, snips)
	if !ok {
		why := "its advice makes no patch and carries no command"
		if patch.err != nil && patch.changes {
			why = "no patch: " + patch.err.Error()
		}
		m.notice = model.Cell{Text: "nothing to copy for " + ref.Name + ": " + why, Level: model.Near}
		return m, nil
	}
	return m.copyText(what, text)
}

// patchKey handles a key in the patch view.
func (m Model) patchKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	confirming := m.patch.state == patchConfirm || m.patch.ip.state == ipConfirm
	switch {
	case m.patch.ip.active() && key.Matches(msg, m.keys.Back, m.keys.Quit, m.keys.Cancel):
		var cmd tea.Cmd
		m.patch, cmd = m.patch.stopByHand(m.actions())
		return m, cmd
	case key.Matches(msg, m.keys.Back, m.keys.Quit) || (confirming && key.Matches(msg, m.keys.Cancel)):
		var stay bool
		if m.patch, stay = m.patch.back(); !stay {
			m.view = m.back
		}
		return m, nil
	case key.Matches(msg, m.keys.Copy):
		if m.patch.err != nil {
			m.notice = model.Cell{Text: "nothing to copy: " + m.patch.err.Error(), Level: model.Near}
			return m, nil
		}
		return m.copyText("the kubectl patch command", m.patch.patch.Command)
	case key.Matches(msg, m.keys.Undo) && !confirming && m.patch.undoable():
		return m.undoAction(m.patch.w.Ref)
	case key.Matches(msg, m.keys.Apply, m.keys.Resize) && m.deps.ReadOnly:
		m.notice = readOnlyNotice
		return m, nil
	case key.Matches(msg, m.keys.Resize) && !confirming:
		if why := m.patch.noResize(m.resizeServed()); why != "" {
			m.notice = model.Cell{Text: why, Level: model.Near}
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.patch, cmd = m.patch.update(msg, m.keys, m.ctx, m.actions())
	return m, cmd
}

// actions are the Deps the patch view sends through.
func (m Model) actions() actions {
	return actions{apply: m.deps.Apply, resize: m.deps.Resize, record: m.deps.Record, now: m.deps.Now}
}

// resizeServed reports whether the patch view may offer an in-place resize.
func (m Model) resizeServed() bool { return m.snap.Sources.InPlaceResize && m.deps.Resize != nil }

// readOnlyNotice answers a when applying is off.
var readOnlyNotice = model.Cell{Text: "read-only (--read-only): applying is off; y copies the kubectl command to run it yourself", Level: model.Near}

// patchAction opens the patch view for a workload (p), and starts its dry run (a).
func (m Model) patchAction(msg tea.KeyPressMsg, ref model.WorkloadRef, advice []advisor.Advice) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.keys.Apply) && undoFirst(advice) {
		return m.undoDryRun(ref) // the undo is the top advice: a dry-runs it
	}
	m.patch = newPatch(m.workload(ref), advice, m.patch.seq, m.deps.ReadOnly, m.resizeServed(), m.styles)
	if key.Matches(msg, m.keys.Apply) && m.deps.ReadOnly {
		m.notice = readOnlyNotice
	}
	if m.view != viewPatch {
		m.back = m.view
	}
	m.view = viewPatch
	m = m.resize()
	if key.Matches(msg, m.keys.Apply) && !m.deps.ReadOnly {
		var cmd tea.Cmd
		m.patch, cmd = m.patch.dryRun(m.ctx, m.deps.Apply)
		return m, cmd
	}
	return m, nil
}

// refresh starts a new snapshot now; replies to earlier ones become stale.
func (m Model) refresh() (Model, tea.Cmd) {
	if !m.prepared {
		return m, nil // Deps.Load is still running; its end starts the first refresh
	}
	m.seq++
	return m, fetchCmd(m.deps.Snapshot, m.deps.Advisor, m.deps.Now, m.seq, m.rowCache)
}

// nextRefresh is the wait before the refresh after msg: paced to what the
// refresh cost, and short while the first picture is incomplete (see
// loadingRefresh), when a refresh that advised on everything must not hold
// back the next, which shows the first metrics.
func (m Model) nextRefresh(msg snapshotMsg) time.Duration {
	if loading(msg.snap) && msg.now.Sub(m.started) < loadingFor {
		return max(min(m.deps.Refresh, loadingRefresh), msg.took)
	}
	if m.patch.ip.active() {
		return max(min(m.deps.Refresh, resizeRefresh), msg.took) // a person watches each pod
	}
	return pace(m.deps.Refresh, msg.took)
}

// takeSnapshot stores a fresh snapshot and hands it to the views.
func (m Model) takeSnapshot(msg snapshotMsg) Model {
	m.loaded, m.now, m.snap, m.index = true, msg.now, msg.snap, msg.index
	m.counts = msg.counts
	m.table = m.table.setRows(msg.rows, msg.widths, msg.snap.Namespace)
	if m.view == viewDetail {
		if i, ok := m.index[m.detail.ref]; ok {
			r := &m.table.rows[i]
			m.detail = m.detail.refresh(&m.snap.Workloads[i], r.advice, r.patch, m.now)
		} else {
			m.detail = m.detail.refresh(nil, nil, patchAvail{}, m.now)
		}
	}
	return m.resize() // the status line may have grown or shrunk
}

// workload returns the workload of the snapshot with the given ref, or nil.
func (m Model) workload(ref model.WorkloadRef) *model.Workload {
	if i, ok := m.index[ref]; ok {
		return &m.snap.Workloads[i]
	}
	return nil
}

// resize gives each view the room it has.
func (m Model) resize() Model {
	m.table = m.table.setSize(m.width, m.bodyHeight()-1-m.panelHeight(m.bodyHeight()))
	m.detail = m.detail.resize(m.width, m.bodyHeight(), m.styles)
	m.patch = m.patch.resize(m.width, m.bodyHeight())
	return m
}
