package ui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// explainFailure says in plain words why a dry run or apply failed and
// what to do next. It is the one place errors become text for people.
func explainFailure(err error, p advisor.Patch) string {
	what := patchName(p) + " in " + p.Namespace
	switch {
	case errors.Is(err, advisor.ErrConflict):
		return "Conflict: " + what + " changed on the server since kgotop read it; nothing was changed. Press r to refresh, then a to try again."
	case errors.Is(err, advisor.ErrForbidden):
		return fmt.Sprintf("Forbidden: your credentials may not patch %s in %s; nothing was changed. y copies the command for someone who may.", p.Resource, p.Namespace)
	case errors.Is(err, advisor.ErrInvalid):
		return "The API server rejected the patch of " + what + " as invalid; nothing was changed: " + err.Error()
	case errors.Is(err, advisor.ErrNotFound):
		return what + " no longer exists; nothing was changed."
	}
	return "Applying to " + what + " failed: " + err.Error()
}

// kindWord is the lower-case kind kubectl takes: "deployment".
func kindWord(k model.Kind) string { return strings.ToLower(string(k)) }
