package resize

import (
	"cmp"
	"slices"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// raises reports whether the changes raise a request or limit of w: the
// resize then brings relief, and goes first where it is needed most.
func raises(w model.Workload, changes []advisor.Change) bool {
	for _, ch := range changes {
		i := slices.IndexFunc(w.Containers, func(c model.Container) bool { return c.Name == ch.Container })
		if i < 0 {
			continue
		}
		r := w.Containers[i].Resources
		l := r.Requests
		if ch.Resource.Section == advisor.Limits {
			l = r.Limits
		}
		now := l.Memory
		if ch.Resource.Name == advisor.CPU {
			now = l.CPU
		}
		if now > 0 && ch.Resource.Amount > now {
			return true
		}
	}
	return false
}

// order sorts the steps and says why: a change that raises goes first to the
// pods nearest their memory limit (then CPU), where relief is needed most;
// one that lowers goes first to the pods that use least, so that a
// surprise shows where it hurts least. A pod last OOMKilled counts as at
// its limit, whatever it uses since it started again.
func order(w model.Workload, steps []Step, raise bool) string {
	share := func(s Step) float64 {
		var m float64
		for _, cs := range s.Containers {
			i := slices.IndexFunc(w.Containers, func(c model.Container) bool { return c.Name == cs.Name })
			in, _ := instance(w.Containers[i], s.Pod)
			if t := in.LastTermination; t != nil && t.Reason == "OOMKilled" {
				m = max(m, 1) // it reached its limit: it needs the room most, and risks most
			}
			if u := in.Usage; u != nil {
				if cs.Before.Limits.Memory > 0 {
					m = max(m, float64(u.Memory)/float64(cs.Before.Limits.Memory))
				}
				if cs.Before.Requests.Memory > 0 {
					m = max(m, float64(u.Memory)/float64(cs.Before.Requests.Memory)/10)
				}
			}
		}
		return m
	}
	slices.SortStableFunc(steps, func(a, b Step) int {
		if raise {
			return cmp.Or(cmp.Compare(share(b), share(a)), cmp.Compare(a.Pod, b.Pod))
		}
		return cmp.Or(cmp.Compare(share(a), share(b)), cmp.Compare(a.Pod, b.Pod))
	})
	if len(steps) < 2 {
		return ""
	}
	if raise {
		return "the pods nearest their memory limit first: they need the room most"
	}
	return "the pods that use least first: a surprise shows where it hurts least"
}
