package advisor

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// This file judges a container's OOMKills: which are news, and at what
// memory they came. A pod resized in place keeps its OOMKilled lastState,
// and a pod of an OnDelete StatefulSet keeps the limit it was made with
// after the template changes: the kill is news only while the pod runs the
// memory limit it was killed at.

// resizeSettle is how long after a change an in-place resize may still be
// under way: a kill that soon after it may have come at the old values.
const resizeSettle = 5 * time.Minute

// oomKill is an instance's last OOMKill that is news, with the memory
// request and limit the pod ran with when it came.
type oomKill struct {
	pod            string
	at             time.Time
	request, limit int64
}

// oomKills returns the OOMKills of c's instances that are news: each came
// at the memory limit the pod runs with now. A kill older than a change of
// that limit the pod took (resized in place) is old news.
func oomKills(w model.Workload, c model.Container) []oomKill {
	var out []oomKill
	for _, in := range c.Instances {
		t := in.LastTermination
		if t == nil || t.Reason != "OOMKilled" {
			continue
		}
		now := inForce(c, in)
		then := memoryAtKill(w, c, in, now)
		if then.Limits.Memory != now.Limits.Memory {
			continue
		}
		out = append(out, oomKill{pod: in.Pod, at: t.FinishedAt, request: then.Requests.Memory, limit: then.Limits.Memory})
	}
	return out
}

// inForce returns the requests and limits a container runs with in one
// pod: what its status says runs (in-place resize, KEP-1287), else its
// pod's spec, else the template's when the pod says nothing.
func inForce(c model.Container, in model.ContainerInstance) model.Resources {
	switch r := in.Resources; {
	case r.Applied != nil:
		return *r.Applied
	case r.Spec.Requests != (model.ResourceList{}) || r.Spec.Limits != (model.ResourceList{}):
		return r.Spec
	}
	return c.Resources
}

// memoryAtKill returns the memory request and limit an instance ran with
// when it was last OOMKilled: what it runs with now, less each change of
// them it took after the kill (newest first). A kill before the pod was
// seen resized (it waited its turn in the run) came at the old values; so
// did one soon after an in-place raise, before usage ever passed the old
// limit, when the change does not say when the pod took it: the kubelet
// had not applied the resize yet.
func memoryAtKill(w model.Workload, c model.Container, in model.ContainerInstance, now model.Resources) model.Resources {
	r, kill := now, in.LastTermination.FinishedAt
	for _, ch := range w.Changes {
		if !tookChange(w, ch, in.Pod) {
			continue
		}
		if !kill.Before(ch.ReachedAt(in.Pod)) && !beforeResize(c, ch, kill) {
			break
		}
		for _, f := range ch.Fields {
			if f.Container != c.Name || f.Undo == nil {
				continue
			}
			switch f.Field {
			case "resources.limits.memory":
				r.Limits.Memory = f.Undo.Amount
			case "resources.requests.memory":
				r.Requests.Memory = f.Undo.Amount
			}
		}
	}
	return r
}

// tookChange reports whether a pod runs with a change: it was resized in
// place by it, or made after it.
func tookChange(w model.Workload, ch model.AppliedChange, pod string) bool {
	if ch.Way == model.ChangeResize && slices.Contains(ch.Pods, pod) {
		return true
	}
	i := slices.IndexFunc(w.Pods, func(p model.Pod) bool { return p.Name == pod })
	return i >= 0 && !w.Pods[i].Created.IsZero() && !w.Pods[i].Created.Before(ch.At)
}

// beforeResize reports whether a kill after an in-place raise of the
// memory limit came before the kubelet applied it: within resizeSettle of
// the change, with no usage above the old limit in between.
func beforeResize(c model.Container, ch model.AppliedChange, kill time.Time) bool {
	if ch.Way != model.ChangeResize || kill.Sub(ch.At) > resizeSettle {
		return false
	}
	before, after, ok := changedAmounts(ch, c.Name, "resources.limits.memory")
	if !ok || before <= 0 || after <= before {
		return false
	}
	if c.Usage != nil {
		for _, p := range c.Usage.Points() {
			if t := p.Time(); t.After(ch.At) && !t.After(kill) && p.Memory > before {
				return false
			}
		}
	}
	return true
}

// changedAmounts returns what a change set a resource field of a container
// from and to (bytes or millicores; 0 for not set or removed), and whether
// it set it.
func changedAmounts(ch model.AppliedChange, container, field string) (before, after int64, ok bool) {
	for _, f := range ch.Fields {
		if f.Container != container || f.Field != field || f.Undo == nil {
			continue
		}
		after, ok = parseQuantity(f.After, strings.HasSuffix(field, ".cpu"))
		if f.After == "(removed)" {
			after, ok = 0, true
		}
		return f.Undo.Amount, after, ok
	}
	return 0, 0, false
}

// quantitySuffixes are the Kubernetes quantity suffixes kgotop writes, with
// what each multiplies by.
var quantitySuffixes = []struct {
	suffix string
	mult   float64
}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"m", 1e-3}}

// parseQuantity reads a Kubernetes quantity as kgotop writes it ("176Mi",
// "2", "500m"): bytes, or millicores when cpu is set.
func parseQuantity(s string, cpu bool) (int64, bool) {
	num, mult := s, 1.0
	for _, q := range quantitySuffixes {
		if n, ok := strings.CutSuffix(s, q.suffix); ok {
			num, mult = n, q.mult
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	if cpu {
		mult *= 1000
	}
	return ceilTo(v*mult, 1), true
}
