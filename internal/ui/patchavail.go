package ui

import (
	"errors"
	"slices"
	"strings"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/resize"
)

// patchAvail is what p, a and y find for a workload: whether its advice
// makes a patch, and its command. It is decided where the workload's row is
// built, off the UI goroutine, and kept with the row while the row cache
// keeps the advice: drawing a frame never runs BuildPatch.
type patchAvail struct {
	changes bool  // some of the advice changes the pod template
	err     error // why BuildPatch makes no patch of that advice; nil when it does
	command string
	// hpaHeld says an HPA scales on resources the advice would resize,
	// which it describes without a patch (see advisor.Options); undoHeld,
	// that the advice is an alternative to undoing kgotop's last change.
	hpaHeld, undoHeld bool
	// held counts the advice held back (advisor.Advice.Held): the patch
	// view lists it, and H there includes it.
	held int
	// keptOut is why request or limit advice is kept out of patches, in
	// its note's words (keptOutWhy); "" when none is.
	keptOut string
	// undoInPlace says the undo of kgotop's last change can resize the
	// running pods back in place (where the cluster serves pods/resize):
	// the template alone leaves crashing pods as they are.
	undoInPlace bool
}

// availability says whether the advice of w makes a patch.
func availability(w model.Workload, advice []advisor.Advice) patchAvail {
	as := advisor.Patchable(advice)
	p, err := advisor.BuildPatch(w, as)
	held := len(advisor.PatchableWithHeld(advice)) - len(as)
	undoHeld := slices.ContainsFunc(advice, func(a advisor.Advice) bool { return a.HeldWhy == advisor.HeldBehindUndo })
	_, kept := keptOutWhy(advice)
	return patchAvail{changes: len(as) > 0, err: err, command: p.Command, hpaHeld: hpaHolds(w, advice), undoHeld: undoHeld, held: held, keptOut: kept,
		undoInPlace: undoInPlace(w)}
}

// undoInPlace reports whether the undo of kgotop's last change to w can
// resize its running pods in place.
func undoInPlace(w model.Workload) bool {
	last, ok := w.LastUndoable()
	if !ok {
		return false
	}
	up, err := advisor.UndoPatch(w, last)
	return err == nil && resize.Offered(up) && resize.New(w, up).InPlace()
}

// hpaHolds reports whether an HPA scaling on w's resources keeps a request
// change of its advice out of patches (see advisor.Options).
func hpaHolds(w model.Workload, advice []advisor.Advice) bool {
	if w.HPA == nil {
		return false
	}
	for _, a := range advice {
		resize := a.Kind == advisor.KindCPURequest || a.Kind == advisor.KindMemoryRequest
		if resize && !a.Patchable() && a.Suggested.Display != "" {
			return true
		}
	}
	return false
}

// ready reports whether p opens a patch that a and y can use.
func (p patchAvail) ready() bool { return p.changes && p.err == nil }

// hint says what p and a would do for a workload of the given kind.
func (p patchAvail) hint(kind model.Kind) string {
	switch {
	case p.ready():
		return "p patch · a dry run, then apply · y copy the kubectl command"
	case errors.Is(p.err, advisor.ErrNotPatchable):
		return "a " + strings.ToLower(string(kind)) + " cannot be patched in place: change its manifest (the details say what)"
	case !p.changes && p.undoHeld:
		return "u undoes kgotop's change, the last state known to work; the raise beside it is an alternative, left out of the patch (p lists it, H there includes it)"
	case !p.changes && p.held > 0:
		return "no patch yet: its sizing rests on little history (held); p lists it, and H there includes it"
	case !p.changes && p.hpaHeld:
		return "no patch: its HPA scales on these requests (--advise-hpa-resources offers one)"
	case !p.changes && p.keptOut != "":
		return "no patch of its sizing: " + p.keptOut
	case !p.changes:
		return "nothing here is a pod template change: the details say what to do"
	}
	return "p shows why this advice makes no patch"
}
