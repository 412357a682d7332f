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

// cpuOnly reports whether the changes resize CPU alone: memory is then
// no reason for the order.
func cpuOnly(changes []advisor.Change) bool {
	return !slices.ContainsFunc(changes, func(ch advisor.Change) bool { return ch.Resource != nil && ch.Resource.Name != advisor.CPU })
}

// order sorts the steps and says why: a change that raises goes first to the
// pods nearest their memory limit (their CPU limit when it resizes CPU
// alone), where relief is needed most; one that lowers goes first to the
// pods that use least, so that a surprise shows where it hurts least. A pod
// last OOMKilled counts as at its memory limit, whatever it uses since it
// started again.
func order(w model.Workload, steps []Step, raise, cpu bool) string {
	share := func(s Step) float64 {
		var m float64
		for _, cs := range s.Containers {
			i := slices.IndexFunc(w.Containers, func(c model.Container) bool { return c.Name == cs.Name })
			in, _ := instance(w.Containers[i], s.Pod)
			if cpu {
				m = max(m, used(in, cs.Before.Limits.CPU, cs.Before.Requests.CPU, func(u *model.Sample) int64 { return u.CPU }))
				continue
			}
			if t := in.LastTermination; t != nil && t.Reason == "OOMKilled" {
				m = max(m, 1) // it reached its limit: it needs the room most, and risks most
			}
			m = max(m, used(in, cs.Before.Limits.Memory, cs.Before.Requests.Memory, func(u *model.Sample) int64 { return u.Memory }))
		}
		return m
	}
	slices.SortStableFunc(steps, func(a, b Step) int {
		if raise {
			return cmp.Or(cmp.Compare(share(b), share(a)), cmp.Compare(a.Pod, b.Pod))
		}
		return cmp.Or(cmp.Compare(share(a), share(b)), cmp.Compare(a.Pod, b.Pod))
	})
	switch {
	case len(steps) < 2:
		return ""
	case raise && cpu:
		return "the pods nearest their CPU limit first: they need the room most"
	case raise:
		return "the pods nearest their memory limit first: they need the room most"
	}
	return "the pods that use least first: a surprise shows where it hurts least"
}

// used is how much of its limit an instance uses (of which of the sample),
// or a tenth of its share of the request when it has no limit.
func used(in model.ContainerInstance, limit, request int64, of func(*model.Sample) int64) float64 {
	switch {
	case in.Usage == nil:
		return 0
	case limit > 0:
		return float64(of(in.Usage)) / float64(limit)
	case request > 0:
		return float64(of(in.Usage)) / float64(request) / 10
	}
	return 0
}
