package report

import (
	"slices"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/resize"
)

// This file turns the in-place resize plan the dashboard follows
// (internal/resize) into commands a person runs from the report: each
// running pod's resize, then the template patch. It is the one relief that
// reaches an OnDelete StatefulSet's pods without a restart, and the only
// way an undo of a change kgotop resized in place reaches the running pods.

// runbook is how to apply a patch: the commands in order, what the last
// (the template patch) does, what to know of the resize (notes) and of the
// patch (warnings). inPlace says the pods are resized first.
type runbook struct {
	commands []string
	effect   string
	notes    []string
	warnings []string
	inPlace  bool
}

// runbookFor returns the commands that apply p to w: each running pod's
// resize then the template patch when in place is asked for and the plan can
// do it, else the template patch alone.
func runbookFor(w model.Workload, p advisor.Patch, inPlace bool) runbook {
	rb := runbook{effect: p.Effect}
	if inPlace && resize.Offered(p) {
		if plan := resize.New(w, p); plan.InPlace() {
			rb.inPlace = true
			for _, s := range plan.Steps {
				rb.commands = append(rb.commands, s.Command(w.Ref.Namespace))
			}
			if plan.Order != "" {
				rb.notes = append(rb.notes, "the order: "+plan.Order)
			}
			rb.notes = append(rb.notes, plan.Skipped...)
			rb.notes = append(rb.notes, plan.Notes...)
		}
	}
	rb.commands = append(rb.commands, p.Command)
	rb.warnings = p.Warnings
	return rb
}

// undoRunbook returns how to undo the newest change kgotop applied to w,
// for the after-change advice that offers it: in place when the template
// patch replaces no running pod (an OnDelete StatefulSet's: the template
// patch alone would leave the running pods as they fail).
func undoRunbook(w model.Workload) (runbook, bool) {
	last, ok := w.LastUndoable()
	if !ok {
		return runbook{}, false
	}
	undo, err := advisor.UndoPatch(w, last)
	if err != nil {
		return runbook{}, false
	}
	return runbookFor(w, undo, !undo.RestartsPods), true
}

// resizes returns the runbook's pod resizes, without the template patch.
func (rb runbook) resizes() []string {
	if !rb.inPlace {
		return nil
	}
	return rb.commands[:len(rb.commands)-1]
}

// emergencyRaise reports whether the workload's patch raises a memory limit
// for an emergency (an OOMKill) and replaces no running pod (an OnDelete
// StatefulSet's): resizing them in place is the relief that reaches them
// without a restart. A patch that rolls the pods brings new ones anyway.
func emergencyRaise(wa workloadAdvice) bool {
	return wa.patch != nil && !wa.patch.RestartsPods && slices.ContainsFunc(wa.advice, func(a advisor.Advice) bool {
		return a.Kind == advisor.KindMemoryLimit && a.Severity == advisor.Critical && a.Suggested.Amount > a.Current.Amount &&
			slices.Contains(wa.patch.Advice, a.ID)
	})
}

// inPlaceHead says what the commands of an in-place runbook do.
const inPlaceHead = "in place, no restart: resize each running pod, then patch the template so that pods made later get the same values:"

// runbookParas renders a runbook for text: its head (in place, or "run:"
// for an advice's command when head is set), each command under a prompt,
// never wrapped but broken where the shell allows, then the template
// patch's effect and the notes. indent is where the head starts.
func runbookParas(rb runbook, indent, head string, width int) []para {
	var out []para
	if rb.inPlace {
		head = inPlaceHead
	}
	if head != "" {
		out = append(out, prose(indent+head))
	}
	at := indent
	if head != "" {
		at += "  "
	}
	for _, c := range rb.commands {
		for i, l := range model.BreakCode(c, "shell", width-len(at)-2) {
			out = append(out, para{text: at + ifElse(i == 0, "$ ", "  ") + l, verbatim: true})
		}
	}
	if rb.effect != "" {
		out = append(out, prose(at+"  "+rb.effect))
	}
	for _, n := range rb.notes {
		out = append(out, prose(at+"  note: "+n))
	}
	for _, w := range rb.warnings {
		out = append(out, prose(at+"  warning: "+w))
	}
	return out
}
