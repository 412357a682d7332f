package advisor

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kgotop/kgotop/internal/model"
)

// This file holds what keeps a patch whole: each field set once, advice
// left out with what it rests on, and no result the API server or the Go
// runtime would refuse.

// claim records the fields a change sets in set (container/field ->
// value) and reports whether it sets any the patch does not hold yet. Two
// changes that set one field to different values are an error; a probe
// change claims each of its fields, so two rules may tune one probe.
func claim(set map[string]string, ch Change) (fresh bool, err error) {
	type field struct{ name, value string }
	fields := []field{{ch.Field(), changeValue(ch)}}
	if ch.Probe != nil {
		fields = fields[:0]
		for k, v := range ch.Probe.Set {
			b, _ := json.Marshal(v)
			fields = append(fields, field{ch.Field() + "." + k, string(b)})
		}
	}
	for _, f := range fields {
		key := ch.Container + "/" + f.name
		prev, dup := set[key]
		if dup && prev != f.value {
			return false, fmt.Errorf("two accepted changes set %s of %s: %s and %s", f.name, ch.Container, prev, f.value)
		}
		fresh = fresh || !dup
	}
	for _, f := range fields {
		set[ch.Container+"/"+f.name] = f.value
	}
	return fresh, nil
}

// withRequirements returns the accepted advice less any that requires advice
// not accepted, transitively, and a warning for each left out.
func withRequirements(accepted []Advice) (kept []Advice, warnings []string) {
	ids := make(map[string]Advice, len(accepted))
	for _, a := range accepted {
		ids[a.ID] = a
	}
	for changed := true; changed; {
		changed = false
		for id, a := range ids {
			for _, r := range a.Requires {
				if _, ok := ids[r]; !ok {
					delete(ids, id)
					changed = true
					break
				}
			}
		}
	}
	for _, a := range accepted {
		if _, ok := ids[a.ID]; ok {
			kept = append(kept, a)
			continue
		}
		for _, r := range a.Requires {
			if _, ok := ids[r]; !ok {
				warnings = append(warnings, fmt.Sprintf("%s left out: it needs the %s change, which is not in this patch", describe(a), requiredLabel(accepted, r)))
				break
			}
		}
	}
	return kept, warnings
}

// withoutLoneAlongside returns the accepted advice less the Alongside
// advice when nothing else in it changes the template: such a change alone
// is not worth a rollout. It says so for each left out.
func withoutLoneAlongside(accepted []Advice) (kept []Advice, warnings []string) {
	for _, a := range accepted {
		if a.Patchable() && !a.Alongside {
			return accepted, nil
		}
	}
	for _, a := range accepted {
		if a.Alongside && a.Patchable() {
			warnings = append(warnings, fmt.Sprintf("%s left out: alone it changes nothing the program runs, not worth a rollout; it goes with the next change", describe(a)))
			continue
		}
		kept = append(kept, a)
	}
	return kept, warnings
}

// describe names advice for people: "ingest: GOMEMLIMIT".
func describe(a Advice) string {
	if a.Target.Container == "" {
		return a.Kind.Label()
	}
	return a.Target.Container + ": " + a.Kind.Label()
}

// requiredLabel names the advice with ID id, from its ID's last part
// when it is not among the advice at hand.
func requiredLabel(as []Advice, id string) string {
	for _, a := range as {
		if a.ID == id {
			return a.Kind.Label()
		}
	}
	parts := strings.Split(id, "/")
	return Kind(parts[len(parts)-1]).Label()
}

// checkResult refuses a patch that would leave a container the API server
// refuses (a request above its limit) or a GOMEMLIMIT at or above the
// memory limit, unless the container was so before the patch.
func checkResult(c model.Container, accepted []Advice) error {
	before := problem(c.Resources, envGOMEMLIMIT(c))
	r, gomemlimit := c.Resources, envGOMEMLIMIT(c)
	for _, a := range accepted {
		for _, ch := range a.Changes {
			switch {
			case ch.Container != c.Name:
			case ch.Resource != nil:
				l := &r.Requests
				if ch.Resource.Section == Limits {
					l = &r.Limits
				}
				v := ch.Resource.Amount
				if ch.Resource.Remove {
					v = 0
				}
				if ch.Resource.Name == CPU {
					l.CPU = v
				} else {
					l.Memory = v
				}
			case ch.Env != nil && ch.Env.Name == "GOMEMLIMIT":
				gomemlimit = -1
				if v, err := parseGoBytes(ch.Env.Value); err == nil && !ch.Env.Remove {
					gomemlimit = v
				}
			}
		}
	}
	if p := problem(r, gomemlimit); p != "" && p != before {
		return fmt.Errorf("%s: the patch would leave %s: %w", c.Name, p, ErrInconsistent)
	}
	return nil
}

// envGOMEMLIMIT returns the GOMEMLIMIT a container's env sets, or -1.
func envGOMEMLIMIT(c model.Container) int64 {
	if e, ok := c.LookupEnv("GOMEMLIMIT"); ok && e.From == nil {
		if v, err := parseGoBytes(e.Value); err == nil {
			return v
		}
	}
	return -1
}

// problem says what is wrong with a container's resources and GOMEMLIMIT
// (-1 when unset), or "".
func problem(r model.Resources, gomemlimit int64) string {
	switch {
	case r.Limits.CPU > 0 && r.Requests.CPU > r.Limits.CPU:
		return fmt.Sprintf("the CPU request %s above the limit %s, which the API server refuses", cpuWords(r.Requests.CPU), cpuWords(r.Limits.CPU))
	case r.Limits.Memory > 0 && r.Requests.Memory > r.Limits.Memory:
		return fmt.Sprintf("the memory request %s above the limit %s, which the API server refuses", formatMemory(r.Requests.Memory), formatMemory(r.Limits.Memory))
	case r.Limits.Memory > 0 && gomemlimit >= r.Limits.Memory:
		return fmt.Sprintf("GOMEMLIMIT %s at or above the memory limit %s", humanBytes(gomemlimit), formatMemory(r.Limits.Memory))
	}
	return ""
}

// impliedRequestPins returns, for each request the template leaves out
// (model.Resources.Implied) whose limit the accepted advice changes and
// whose request it does not, a change that sets the request to what pods
// get now, but not above the new limit.
func impliedRequestPins(w model.Workload, accepted []Advice) []Change {
	type key struct{ container, name string }
	limits, requests := map[key]*ResourceChange{}, map[key]bool{}
	for _, a := range accepted {
		for _, ch := range a.Changes {
			if r := ch.Resource; r != nil {
				if r.Section == Limits {
					limits[key{ch.Container, r.Name}] = r
				} else {
					requests[key{ch.Container, r.Name}] = true
				}
			}
		}
	}
	var pins []Change
	for _, c := range w.Containers {
		for _, name := range []string{CPU, Memory} {
			implied, now := c.Resources.Implied.Memory, c.Resources.Requests.Memory
			if name == CPU {
				implied, now = c.Resources.Implied.CPU, c.Resources.Requests.CPU
			}
			lim, ok := limits[key{c.Name, name}]
			if !implied || !ok || requests[key{c.Name, name}] {
				continue
			}
			if !lim.Remove {
				now = min(now, lim.Amount)
			}
			pins = append(pins, setResource(c.Name, Requests, name, now))
		}
	}
	return pins
}

func resourceWord(name string) string {
	if name == CPU {
		return "CPU"
	}
	return name
}
