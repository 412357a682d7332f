package advisor

import (
	"errors"
	"testing"

	"github.com/kgotop/kgotop/internal/model"
)

// checkInvariants fails when advice breaks a rule every output must keep:
// a memory limit not below the observed peak, requests not above limits
// (as they stand after the advice), GOMEMLIMIT below the memory limit, no
// request range above the limit, and well-formed changes.
func checkInvariants(t *testing.T, w model.Workload, as []Advice) {
	t.Helper()
	ids := map[string]bool{}
	for _, a := range as {
		if ids[a.ID] {
			t.Errorf("duplicate advice ID %s", a.ID)
		}
		ids[a.ID] = true
	}
	for _, a := range as {
		for _, r := range a.Requires {
			if !ids[r] {
				t.Errorf("%s requires %s, which is not advised", a.ID, r)
			}
		}
	}
	// Everything patchable goes into one patch without a conflict.
	if p := Patchable(ForWorkload(as, w.Ref)); len(p) > 0 {
		if _, err := BuildPatch(w, p); err != nil && !errors.Is(err, ErrNoChanges) && !errors.Is(err, ErrNotPatchable) {
			t.Errorf("the patchable advice does not make one patch: %v", err)
		}
	}
	for _, c := range w.Containers {
		after := c.Resources
		gomemlimit := int64(-1)
		for _, a := range as {
			if a.Target.Container != c.Name {
				continue
			}
			if a.ID == "" || a.Reason == "" || a.Severity.Rank() < 0 {
				t.Errorf("malformed advice %+v", a)
			}
			for _, ch := range a.Changes {
				switch {
				case ch.Resource != nil:
					r := ch.Resource
					if !r.Remove && (r.Amount <= 0 || r.Quantity == "") || r.Remove && (r.Section != Limits || r.Name != CPU) {
						t.Errorf("%s: bad resource change %+v", a.ID, r)
					}
					l := &after.Requests
					if r.Section == Limits {
						l = &after.Limits
					}
					if r.Name == CPU {
						l.CPU = r.Amount
					} else {
						l.Memory = r.Amount
					}
				case ch.Env != nil && ch.Env.Name == "GOMEMLIMIT" && !ch.Env.Remove:
					v, err := parseGoBytes(ch.Env.Value)
					if err != nil {
						t.Errorf("%s: GOMEMLIMIT %q: %v", a.ID, ch.Env.Value, err)
					}
					gomemlimit = v
				}
			}
		}
		if c.Usage != nil && after.Limits.Memory > 0 && after.Limits.Memory != c.Resources.Limits.Memory &&
			after.Limits.Memory < c.Usage.MemoryPeak.Value {
			t.Errorf("%s: memory limit %d below the observed peak %d", c.Name, after.Limits.Memory, c.Usage.MemoryPeak.Value)
		}
		if after.Limits.Memory > 0 && after.Requests.Memory > after.Limits.Memory &&
			(after.Requests.Memory != c.Resources.Requests.Memory || after.Limits.Memory != c.Resources.Limits.Memory) {
			t.Errorf("%s: memory request %d above limit %d", c.Name, after.Requests.Memory, after.Limits.Memory)
		}
		if after.Limits.CPU > 0 && after.Requests.CPU > after.Limits.CPU &&
			(after.Requests.CPU != c.Resources.Requests.CPU || after.Limits.CPU != c.Resources.Limits.CPU) {
			t.Errorf("%s: CPU request %d above limit %d", c.Name, after.Requests.CPU, after.Limits.CPU)
		}
		if gomemlimit >= 0 && after.Limits.Memory > 0 && gomemlimit >= after.Limits.Memory {
			t.Errorf("%s: GOMEMLIMIT %d not below the memory limit %d", c.Name, gomemlimit, after.Limits.Memory)
		}
		for _, a := range as {
			// A request above the limit is refused: no range runs past it.
			if a.Target.Container == c.Name && a.Kind == KindMemoryRequest && a.Range != nil && after.Limits.Memory > 0 &&
				a.Range.Upper.Amount > max(after.Limits.Memory, a.Suggested.Amount) {
				t.Errorf("%s: memory request range up to %s above the %s limit after the advice", c.Name, a.Range.Upper.Display, formatMemory(after.Limits.Memory))
			}
		}
	}
}
