package ui

import (
	"fmt"
	"slices"

	"github.com/kgotop/kgotop/internal/model"
)

// This file is the patch view once its patch is applied (or its in-place
// resize and the template patch after it are done): what was applied and
// what is left, not the offer made before.

// done reports whether the view's patch is applied: by a and Y, or by i's
// run to its end.
func (p patchModel) done() bool { return p.state == patchApplied || p.ip.state == ipDone }

// running reports whether the in-place run has sent a pod's resize: from
// then on, what applying the template alone would do is no longer the news.
func (p patchModel) running() bool {
	switch p.ip.state {
	case ipResizing, ipWaiting, ipPause, ipTemplate, ipDone:
		return true
	}
	return false
}

// leftAfter says what is left once the patch is applied: the running pods
// to replace when the template alone changed and the pods do not roll.
func (p patchModel) leftAfter() (model.Cell, bool) {
	switch {
	case p.ip.state == ipDone:
		return model.Cell{Text: "Nothing left to apply: the running pods have the new values, and the template gives them to the pods made from now on."}, true
	case p.state == patchApplied && !p.patch.RestartsPods:
		return model.Cell{Text: "Left to do: the running pods keep their old values; the patch " + p.patch.Effect + ".", Level: model.Near}, true
	}
	return model.Cell{}, false
}

// doneLines are the scrolling lines of the done view: the fields applied,
// and the advice this patch left out, which p opens again from the table.
func (p patchModel) doneLines() []string {
	st := p.st
	out := []string{st.Emphasis.Render(" APPLIED")}
	out = append(out, fieldTable(p.patch.Fields, st)...)
	out = append(out, "")
	var left []string
	for i, a := range p.advice {
		if !p.accepted[i] || !slices.Contains(p.patch.Advice, a.ID) {
			left = append(left, fmt.Sprintf("   %s  %s", adviceChange(a), st.Dim.Render(a.Target.Container)))
		}
	}
	if len(left) == 0 {
		return out
	}
	out = append(out, st.Emphasis.Render(" NOT APPLIED")+st.Dim.Render("  (left out of this patch; p in the table offers it again)"))
	return append(out, left...)
}
