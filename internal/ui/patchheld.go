package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// Held advice in the patch view: a request or limit change on less history
// than the sizing minimum (--sizing-min) is held (advisor.Advice.Held):
// listed, unticked, with why it is held. H includes it in this one patch,
// and the view then says plainly that the patch rests on little history;
// --patch-low-confidence instead holds nothing back in any patch.

// heldCount is how many pieces of the view's advice are held.
func (p patchModel) heldCount() int {
	n := 0
	for _, a := range p.advice {
		if a.Held {
			n++
		}
	}
	return n
}

// heldIn reports whether the patch includes held advice.
func (p patchModel) heldIn() bool {
	for i, a := range p.advice {
		if a.Held && p.accepted[i] {
			return true
		}
	}
	return false
}

// toggleHeld includes every piece of held advice, or leaves them all out
// again when they are all in already.
func (p patchModel) toggleHeld() patchModel {
	all := true
	for i, a := range p.advice {
		all = all && (!a.Held || p.accepted[i])
	}
	p.accepted = slices.Clone(p.accepted)
	for i, a := range p.advice {
		if a.Held {
			p.accepted[i] = !all
		}
	}
	return p
}

// heldStatus says what the held advice is and what H does with it: a
// warning while the patch includes it, a hint while it does not.
func (p patchModel) heldStatus() (model.Cell, bool) {
	n := p.heldCount()
	if n == 0 || p.undo != nil {
		return model.Cell{}, false
	}
	var whys []string
	for i, a := range p.advice {
		if a.Held && (p.accepted[i] || !p.heldIn()) && !slices.Contains(whys, a.HeldWhy) {
			whys = append(whys, a.HeldWhy)
		}
	}
	if slices.ContainsFunc(p.advice, func(a advisor.Advice) bool { return a.HeldWhy == advisor.HeldBehindUndo }) {
		return p.behindUndoStatus(n)
	}
	why := strings.Join(whys, ", ")
	if p.heldIn() {
		return model.Cell{Text: fmt.Sprintf("Includes held sizing (%s): built on little history, it is a first guess; measure again after applying. H leaves it out.", why),
			Level: model.Near}, true
	}
	return model.Cell{Text: fmt.Sprintf("Held back: %s built on too little history to patch yet (%s). H includes %s in this patch.",
		plural(n, "piece")+" of advice", why, ifElse(n == 1, "it", "them")), Level: model.Idle}, true
}

// behindUndoStatus is heldStatus when the held advice is an alternative to
// undoing kgotop's last change (advisor.HeldBehindUndo): the undo comes
// first, the last state known to work.
func (p patchModel) behindUndoStatus(n int) (model.Cell, bool) {
	if p.heldIn() {
		return model.Cell{Text: "Includes the alternative to the undo: it sets the fields the undo of kgotop's change would put back, instead of the last state known to work. H leaves it out.",
			Level: model.Near}, true
	}
	return model.Cell{Text: fmt.Sprintf("Held back: %s, an alternative to undoing kgotop's change, which comes first (u opens it: the last state known to work). H includes %s in this patch instead.",
		plural(n, "piece")+" of advice", ifElse(n == 1, "it", "them")), Level: model.Idle}, true
}

// alongsideOnly reports whether every piece of the view's advice goes into
// a patch only with other changes (advisor.Advice.Alongside): there is
// nothing for it to go with, so space has nothing to include or leave out.
func (p patchModel) alongsideOnly() bool {
	return len(p.advice) > 0 && !slices.ContainsFunc(p.advice, func(a advisor.Advice) bool { return !a.Alongside })
}

// onlyAlongsideIn reports whether every piece of advice still included
// goes only with other changes.
func (p patchModel) onlyAlongsideIn() bool {
	for i, a := range p.advice {
		if p.accepted[i] && !a.Alongside {
			return false
		}
	}
	return true
}

// keptOut says why the workload's request or limit advice is not in a
// patch (see keptOutWhy): "CPU request → 429m is not in the patch: one
// replica …"; "" when no note says.
func (p patchModel) keptOut() string {
	if a, why := keptOutWhy(p.all); why != "" {
		return p.describe(a) + " is not in the patch: " + why
	}
	return ""
}

// keptOutWhy finds request or limit advice the advisor keeps out of
// patches, and why (advisor.Advice.KeptOut); "" when none is.
func keptOutWhy(as []advisor.Advice) (advisor.Advice, string) {
	for _, a := range as {
		if a.KeptOut != "" {
			return a, a.KeptOut
		}
	}
	return advisor.Advice{}, ""
}
