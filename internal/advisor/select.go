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

// Saves reports whether the advice only gives back what goes unused: a
// request or a limit cut. Its severity is the size of the saving (krr's
// bands), not urgency: nothing fails while it waits.
func (a Advice) Saves() bool {
	return a.Kind.Resizes() && a.Current.Set && a.Suggested.Set && a.Suggested.Amount < a.Current.Amount
}

// Resizes reports whether advice of this kind changes a request or a limit.
func (k Kind) Resizes() bool {
	switch k {
	case KindCPURequest, KindCPULimit, KindMemoryRequest, KindMemoryLimit:
		return true
	}
	return false
}

// Urgency orders advice, higher first: by severity, and within one
// severity what is failing or at risk before what only saves (a cut of an
// over-provisioned request is critical by its size, and waits for an
// OOMKill of the same severity).
func (a Advice) Urgency() int {
	u := 2 * a.Severity.Rank()
	if !a.Saves() {
		u++
	}
	return u
}

// Urgency is the highest urgency among the advice, or -1 when there is none.
func Urgency(as []Advice) int {
	u := -1
	for _, a := range as {
		u = max(u, a.Urgency())
	}
	return u
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
