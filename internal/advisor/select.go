package advisor

import (
	"fmt"

	"github.com/kgotop/kgotop/internal/model"
)

// ParseSeverity parses "info", "warning" or "critical" (a --fail-on value).
func ParseSeverity(s string) (Severity, error) {
	switch sev := Severity(s); sev {
	case Info, Warning, Critical:
		return sev, nil
	}
	return "", fmt.Errorf("severity %q: want info, warning or critical", s)
}

// Worst returns the highest severity among the advice, or "" when there is none.
func Worst(as []Advice) Severity {
	var worst Severity
	for _, a := range as {
		if a.Severity.Rank() > worst.Rank() {
			worst = a.Severity
		}
	}
	return worst
}

// AtLeast returns the advice of severity sev or higher, in order.
func AtLeast(as []Advice, sev Severity) []Advice {
	var out []Advice
	for _, a := range as {
		if a.Severity.Rank() >= sev.Rank() {
			out = append(out, a)
		}
	}
	return out
}

// ForWorkload returns the advice about one workload, in order.
func ForWorkload(as []Advice, ref model.WorkloadRef) []Advice {
	var out []Advice
	for _, a := range as {
		if a.Target.Ref() == ref {
			out = append(out, a)
		}
	}
	return out
}

// Patchable returns the advice that carries template changes and is not
// Held, in order: what an "apply all" action passes to BuildPatch.
func Patchable(as []Advice) []Advice {
	var out []Advice
	for _, a := range as {
		if a.Patchable() && !a.Held {
			out = append(out, a)
		}
	}
	return out
}

// PatchableWithHeld returns the advice that carries template changes, Held
// or not: what "apply all" passes to BuildPatch once the person has asked
// for held advice too (a dashboard key that says so; --patch-low-confidence
// instead holds nothing back in the first place). Advice.HeldWhy says what
// each held piece waits for.
func PatchableWithHeld(as []Advice) []Advice {
	var out []Advice
	for _, a := range as {
		if a.Patchable() {
			out = append(out, a)
		}
	}
	return out
}
