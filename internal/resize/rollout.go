package resize

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// rollsAnyway says why a change that lowers memory is not made in place
// when the template patch replaces the pods anyway for what a running pod
// cannot take (an env var such as GOMEMLIMIT, a probe, an image): a cut
// brings no relief, and in between each pod runs the lower limit with what
// it started with (a GOMEMLIMIT over the new limit is an OOMKill before the
// GC ever works). A raise is still relief now.
func rollsAnyway(w model.Workload, p advisor.Patch, changes []advisor.Change) string {
	if !p.RestartsPods {
		return ""
	}
	var others []string
	for _, f := range p.Fields {
		if !strings.HasPrefix(f.Field, "resources.") {
			others = append(others, f.Container+" "+f.Field)
		}
	}
	if len(others) == 0 || !lowersMemory(w, changes) {
		return ""
	}
	return fmt.Sprintf("it lowers memory, and the template patch also changes %s, which a running pod cannot take: a rollout replaces the pods anyway, "+
		"so resizing them first only adds risk (each pod would run the lower memory with what it started with)", strings.Join(others, ", "))
}

// lowersMemory reports whether the changes lower a memory request or limit of w.
func lowersMemory(w model.Workload, changes []advisor.Change) bool {
	for _, ch := range changes {
		i := slices.IndexFunc(w.Containers, func(c model.Container) bool { return c.Name == ch.Container })
		if i < 0 || ch.Resource.Name != advisor.Memory {
			continue
		}
		now := w.Containers[i].Resources.Requests.Memory
		if ch.Resource.Section == advisor.Limits {
			now = w.Containers[i].Resources.Limits.Memory
		}
		if ch.Resource.Amount < now {
			return true
		}
	}
	return false
}
