package advisor

import (
	"slices"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// oomKilled reports whether an instance of the container was last
// OOMKilled at the memory limit it has now (see oomKills).
func oomKilled(x wctx) bool { return oomKills(x) > 0 }

// oomKills counts the container's instances last OOMKilled at the memory
// limit they have now. A pod resized in place keeps its last state: a kill
// from before a change kgotop applied that raised the container's memory
// limit, in place or in the template, came at the lower limit the change
// answered, and bumping the new limit for it would ratchet it up with every
// change.
func oomKills(x wctx) int {
	n := 0
	for _, in := range x.c.Instances {
		if t := in.LastTermination; t != nil && t.Reason == "OOMKilled" && !answeredOOM(x, in) {
			n++
		}
	}
	return n
}

// answeredOOM reports whether the instance was last OOMKilled before a
// change kgotop applied raised its memory limit (see answered).
func answeredOOM(x wctx, in model.ContainerInstance) bool {
	t := in.LastTermination
	return t != nil && t.Reason == "OOMKilled" && answered(x, in.Pod, t.FinishedAt)
}

// answered reports whether a change kgotop applied after a kill at at, in
// pod, raised the container's memory limit: in place in that pod, or in the
// template (the limit the advice sizes).
func answered(x wctx, pod string, at time.Time) bool {
	for _, ch := range x.w.Changes {
		if !raisesMemoryLimit(ch, x.c) {
			continue
		}
		if slices.Contains(ch.Pods, pod) && at.Before(ch.ReachedAt(pod)) || ch.Template && at.Before(ch.At) {
			return true
		}
	}
	return false
}

// raisesMemoryLimit reports whether the change set c's memory limit, from
// a limit below the one c has now.
func raisesMemoryLimit(ch model.AppliedChange, c model.Container) bool {
	for _, f := range ch.Fields {
		if f.Container == c.Name && f.Field == "resources.limits.memory" && f.Undo != nil && !f.Undo.Unset &&
			f.Undo.Amount < c.Resources.Limits.Memory {
			return true
		}
	}
	return false
}
