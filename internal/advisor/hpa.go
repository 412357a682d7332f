package advisor

import (
	"fmt"
	"math"
	"strings"

	"github.com/kgotop/kgotop/internal/model"
)

// adviseHPA says where the suggested CPU requests move an HPA that scales on
// CPU utilization: utilization is usage over request, so a smaller request
// raises it (and the HPA scales out sooner), a larger one lowers it. It also
// flags containers without the CPU request such an HPA needs.
func adviseHPA(w model.Workload, plans map[string]cpuRequestPlan) []Advice {
	if w.HPA == nil {
		return nil
	}
	var out []Advice
	for _, m := range w.HPA.Metrics {
		if m.Resource != "cpu" || m.TargetUtilization <= 0 {
			continue
		}
		var oldSum, newSum int64
		var missing []string
		var requires []string
		var conf *Confidence // the least sure of the requests it rests on
		offered := false     // some request change it rests on is offered as a patch
		for _, c := range w.Containers {
			if m.Container != "" && c.Name != m.Container {
				continue
			}
			cur := positive(c.Resources.Requests.CPU)
			if cur == 0 {
				missing = append(missing, c.Name)
			}
			next := cur
			if p, ok := plans[c.Name]; ok {
				next = p.suggested
				requires = append(requires, p.id)
				if conf == nil || p.conf.Score < conf.Score {
					conf = &p.conf
				}
				offered = offered || p.offered
			}
			oldSum += cur
			newSum += next
		}
		if len(missing) > 0 {
			a := workloadAdvice(w, KindHPAShift, Critical, fmt.Sprintf(
				"HPA %s scales on CPU utilization but %s has no CPU request: utilization is undefined and the HPA cannot scale",
				w.HPA.Name, strings.Join(missing, ", ")))
			a.Target.Container = m.Container
			a.ID = a.Target.String() + "/" + string(KindHPAShift) + "/missing-request"
			a.Current = textValue("no CPU request on " + strings.Join(missing, ", "))
			a.Suggested = textValue("a CPU request on every container")
			out = append(out, a)
			continue
		}
		if newSum == oldSum || oldSum == 0 || newSum == 0 {
			continue
		}
		a := hpaShift(w, m, oldSum, newSum, requires)
		if conf != nil && a.Confidence.Score > conf.Score {
			a.Confidence = *conf
		}
		if !offered {
			// Only what would happen: the request change is not offered.
			a.Severity = Info
			a.Notes = append(a.Notes, "the request change is not offered as a patch (--advise-hpa-resources offers it): this is what it would do")
		}
		out = append(out, a)
	}
	return out
}

// hpaShift is the advice describing one HPA metric's shift.
func hpaShift(w model.Workload, m model.HPAMetric, oldSum, newSum int64, requires []string) Advice {
	h := w.HPA
	target := float64(m.TargetUtilization)
	ratio := float64(oldSum) / float64(newSum)
	perPodOld := ceilTo(target/100*float64(oldSum), 1)
	perPodNew := ceilTo(target/100*float64(newSum), 1)
	a := workloadAdvice(w, KindHPAShift, Info, "")
	a.Target.Container = m.Container
	a.ID = a.Target.String() + "/" + string(KindHPAShift)
	a.Requires = requires
	a.Current = Value{Display: fmt.Sprintf("%d%% of %s", m.CurrentUtilization, formatCPU(oldSum)), Set: true, Amount: int64(m.CurrentUtilization), Unit: Percent}
	a.Evidence = []Evidence{
		num("target utilization", fmt.Sprintf("%d%%", m.TargetUtilization), target, Percent),
		cpuEv("requests now", oldSum), cpuEv("requests suggested", newSum),
		cpuEv("scale-out usage per pod now", perPodOld), cpuEv("scale-out usage per pod after", perPodNew),
		num("replicas", fmt.Sprintf("%d (min %d, max %d)", h.CurrentReplicas, h.MinReplicas, h.MaxReplicas), float64(h.CurrentReplicas), Count),
	}
	a.Notes = []string{"apply the request change and watch the HPA's next decisions; adjust its target if the new utilization is not what you want"}
	if m.CurrentUtilization <= 0 {
		a.Reason = fmt.Sprintf("HPA %s scales out above %d%% CPU utilization: with the suggested requests that is %s per pod instead of %s",
			h.Name, m.TargetUtilization, formatCPU(perPodNew), formatCPU(perPodOld))
		a.Suggested = Value{Display: fmt.Sprintf("target %d%% = %s per pod", m.TargetUtilization, formatCPU(perPodNew)), Set: true}
		a.Confidence = Confidence{Level: Medium, Score: 0.5, Note: "the HPA reports no current utilization"}
		return a
	}
	cur := float64(m.CurrentUtilization)
	next := cur * ratio
	replicas := max(int64(h.CurrentReplicas), 1)
	desired := int64(math.Ceil(float64(replicas) * next / target))
	desired = min(max(desired, int64(max(h.MinReplicas, 1))), int64(max(h.MaxReplicas, 1)))
	a.Suggested = Value{Display: fmt.Sprintf("%.0f%% of %s", next, formatCPU(newSum)), Set: true, Amount: int64(math.Round(next)), Unit: Percent}
	a.Evidence = append(a.Evidence, num("current utilization", fmt.Sprintf("%d%%", m.CurrentUtilization), cur, Percent),
		num("utilization after", fmt.Sprintf("%.0f%%", next), next, Percent))
	where := "below"
	if next > target {
		where = "above"
	}
	a.Reason = fmt.Sprintf("the suggested CPU requests move HPA %s from %d%% to %.0f%% utilization, %s its %d%% target: about %d replicas instead of %d",
		h.Name, m.CurrentUtilization, next, where, m.TargetUtilization, desired, replicas)
	crosses := (cur <= target) != (next <= target)
	if crosses || desired >= int64(h.MaxReplicas) && h.MaxReplicas > 0 && desired != replicas {
		a.Severity = Warning
	}
	if desired >= int64(h.MaxReplicas) && next > target {
		a.Notes = append(a.Notes, fmt.Sprintf("the HPA would sit at its maximum of %d replicas: raise maxReplicas or the target", h.MaxReplicas))
	}
	return a
}
