package resize

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// notes says what the person should know before the resize.
func notes(w model.Workload, p advisor.Patch, changes []advisor.Change, steps []Step) []string {
	var out []string
	restarting := map[string]bool{}
	for _, s := range steps {
		for _, c := range s.Restarts {
			restarting[c] = true
		}
	}
	for _, c := range w.Containers {
		if restarting[c.Name] {
			out = append(out, fmt.Sprintf("%s has resizePolicy RestartContainer for a resource that changes: resizing restarts it in each pod (its restart count goes up by one)", c.Name))
		}
		out = append(out, runtimeNotes(c, p, changes)...)
	}
	var others []string
	for _, f := range p.Fields {
		if !strings.HasPrefix(f.Field, "resources.") {
			others = append(others, f.Container+" "+f.Field)
		}
	}
	if len(others) > 0 {
		out = append(out, fmt.Sprintf("%s cannot change in a running pod: only the template patch carries %s, to pods made from now on",
			strings.Join(others, ", "), ifElse(len(others) == 1, "it", "them")))
	}
	return out
}

// runtimeNotes says what a Go program keeps from its start when its
// container's limits change in place: env vars are read at start.
func runtimeNotes(c model.Container, p advisor.Patch, changes []advisor.Change) []string {
	var memLimit, cpuLimit bool
	for _, ch := range changes {
		if ch.Container == c.Name && ch.Resource.Section == advisor.Limits {
			memLimit = memLimit || ch.Resource.Name == advisor.Memory
			cpuLimit = cpuLimit || ch.Resource.Name == advisor.CPU
		}
	}
	var out []string
	if e, ok := c.LookupEnv("GOMEMLIMIT"); ok && memLimit {
		patched := slices.ContainsFunc(p.Fields, func(f advisor.FieldChange) bool { return f.Container == c.Name && f.Field == "env[GOMEMLIMIT]" })
		switch {
		case e.From.FromLimit("memory"):
			out = append(out, fmt.Sprintf("%s: GOMEMLIMIT comes from limits.memory through the downward API, which is read at start: the running program keeps the old value until it restarts", c.Name))
		case patched:
			out = append(out, fmt.Sprintf("%s: GOMEMLIMIT in the env is read at start: the running program keeps %s until it restarts; the template patch carries the new value", c.Name, e.Value))
		default:
			out = append(out, fmt.Sprintf("%s: GOMEMLIMIT in the env (%s) is read at start: nothing moves it with the new memory limit in a running program", c.Name, e.Value))
		}
	}
	if cpuLimit {
		_, pinned := c.LookupEnv("GOMAXPROCS")
		switch {
		case pinned:
			out = append(out, fmt.Sprintf("%s: GOMAXPROCS is set in the env: the running program keeps it whatever the CPU limit", c.Name))
		case goBefore125(c):
			out = append(out, fmt.Sprintf("%s: Go %s sets GOMAXPROCS once at start: it keeps it until it restarts (Go 1.25 and later follow a CPU limit that changes)", c.Name, c.Go.Version))
		}
	}
	return out
}

// goBefore125 reports whether the container's Go is known to be older
// than 1.25, which set GOMAXPROCS only at start.
func goBefore125(c model.Container) bool {
	ok, known := advisor.GoAtLeast(c, 25)
	return known && !ok
}
