package advisor

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// adviseHPA says where the suggested CPU requests move an HPA that scales on
// CPU utilization: utilization is usage over request, so a smaller request
// raises it (and the HPA scales out sooner), a larger one lowers it. It also
// flags containers without the CPU request such an HPA needs, and an HPA
// pinned at its minimum far below its target.
func adviseHPA(w model.Workload, plans map[string]cpuRequestPlan, opts Options) []Advice {
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
		if a := hpaPinned(w, m, oldSum, newSum, opts); a != nil {
			out = append(out, *a)
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
	if m.NoCurrent {
		// Absent is unknown, never 0%.
		a.Current = Value{Display: "? of " + formatCPU(oldSum), Set: true}
	}
	a.Evidence = []Evidence{
		num("target utilization", fmt.Sprintf("%d%%", m.TargetUtilization), target, Percent),
		cpuEv("requests now", oldSum), cpuEv("requests suggested", newSum),
		num("the HPA adds replicas above", fmt.Sprintf("%s per pod now, %s after", formatCPU(perPodOld), formatCPU(perPodNew)), float64(perPodNew), Millicores),
		num("replicas", fmt.Sprintf("%d (min %d, max %d)", h.CurrentReplicas, h.MinReplicas, h.MaxReplicas), float64(h.CurrentReplicas), Count),
	}
	a.Notes = []string{"apply the request change and watch the HPA's next decisions; adjust its target if the new utilization is not what you want"}
	if m.NoCurrent || m.CurrentUtilization <= 0 {
		a.Reason = fmt.Sprintf("HPA %s scales out above %d%% CPU utilization: with the suggested requests that is %s per pod instead of %s",
			h.Name, m.TargetUtilization, formatCPU(perPodNew), formatCPU(perPodOld))
		a.Suggested = Value{Display: fmt.Sprintf("target %d%% = %s per pod", m.TargetUtilization, formatCPU(perPodNew)), Set: true}
		a.Confidence = Confidence{Level: Medium, Score: 0.5, Note: "the HPA reports no current utilization"}
		if !m.NoCurrent {
			a.Confidence.Note = "the HPA reports 0% utilization now: where it lands under load is unseen"
		}
		return a
	}
	cur := float64(m.CurrentUtilization)
	next := cur * ratio
	replicas := max(int64(h.CurrentReplicas), 1)
	desired, steady := hpaReplicas(h, replicas, next, target)
	a.Suggested = Value{Display: fmt.Sprintf("%.0f%% of %s", next, formatCPU(newSum)), Set: true, Amount: int64(math.Round(next)), Unit: Percent}
	a.Evidence = append(a.Evidence, num("current utilization", fmt.Sprintf("%d%%", m.CurrentUtilization), cur, Percent),
		num("utilization after", fmt.Sprintf("%.0f%%", next), next, Percent))
	where := "below"
	if next > target {
		where = "above"
	}
	a.Reason = fmt.Sprintf("the suggested CPU requests move HPA %s from %d%% to %.0f%% utilization, %s its %d%% target: about %d replicas instead of %d",
		h.Name, m.CurrentUtilization, next, where, m.TargetUtilization, desired, replicas)
	switch {
	case steady && next != target:
		a.Reason = fmt.Sprintf("the suggested CPU requests move HPA %s from %d%% to %.0f%% utilization, %s its %d%% target but within the HPA's %.0f%% tolerance: it stays at %d replicas",
			h.Name, m.CurrentUtilization, next, where, m.TargetUtilization, 100*hpaTolerance, replicas)
	case desired == replicas:
		a.Reason = fmt.Sprintf("the suggested CPU requests move HPA %s from %d%% to %.0f%% utilization, %s its %d%% target: it stays at %d replicas",
			h.Name, m.CurrentUtilization, next, where, m.TargetUtilization, replicas)
	}
	if p95 := hpaP95(w, m); p95 > 0 {
		// Utilization now is one moment; the P95 of the usage watched says
		// where the busy hours take it with the new requests.
		util := 100 * float64(p95) / float64(newSum)
		if busy, _ := hpaReplicas(h, replicas, util, target); busy > desired {
			a.Reason += fmt.Sprintf("; at the P95 usage (%s a pod against the %s it scales above) about %d", formatCPU(p95), formatCPU(perPodNew), busy)
			a.Evidence = append(a.Evidence, num("P95 utilization after", fmt.Sprintf("%.0f%%", util), util, Percent))
		}
	}
	crosses := (cur <= target) != (next <= target)
	if crosses && !steady || desired >= int64(h.MaxReplicas) && h.MaxReplicas > 0 && desired != replicas {
		a.Severity = Warning
	}
	if desired >= int64(h.MaxReplicas) && next > target {
		a.Notes = append(a.Notes, fmt.Sprintf("the HPA would sit at its maximum of %d replicas: raise maxReplicas or the target", h.MaxReplicas))
	}
	return a
}

// hpaTolerance is the HPA controller's default tolerance
// (--horizontal-pod-autoscaler-tolerance): it leaves the replica count alone
// while utilization over target is within 10% of 1.
const hpaTolerance = 0.1

// hpaReplicas is the replica count the HPA controller picks at a
// utilization against its target: ceil(replicas x utilization / target)
// within its minimum and maximum, or the replicas it has when the ratio is
// inside the tolerance (steady).
func hpaReplicas(h *model.HPA, replicas int64, util, target float64) (n int64, steady bool) {
	ratio := util / target
	if math.Abs(ratio-1) <= hpaTolerance {
		return replicas, true
	}
	n = int64(math.Ceil(float64(replicas) * ratio))
	return clamp(n, int64(max(h.MinReplicas, 1)), int64(max(h.MaxReplicas, 1))), false
}

// hpaP95 is the P95 CPU usage of one pod in the containers the metric
// covers (millicores, no more than the peaks), 0 when none was watched.
func hpaP95(w model.Workload, m model.HPAMetric) int64 {
	var p95 int64
	for _, c := range w.Containers {
		if m.Container != "" && c.Name != m.Container || c.Usage == nil || c.Usage.CPU.Empty() {
			continue
		}
		p95 += int64(min(c.Usage.CPU.Percentile(0.95)*1000, float64(positive(c.Usage.CPUPeak.Value))))
	}
	return p95
}

// pinnedVerdict is an HPA held at its minimum by the minimum, not by load.
type pinnedVerdict struct {
	m model.HPAMetric
	// needed is the replica count the current load needs at the target,
	// neededP95 the count the P95 of the watched usage needs (0 unknown),
	// suggested the minimum advised.
	needed, neededP95, suggested int64
	p95Util                      float64
	history                      time.Duration
	// watched assesses the usage history the metric covers (a short one
	// when any is short): below the sizing minimum the minimum is not cut.
	watched history
	// requestUtil is the utilization with the suggested requests (0 when
	// none is suggested): when it reaches half the target, the request is
	// the lever.
	requestUtil float64
}

// decidePinned finds an HPA that sits at its minimum far below its CPU
// target: the current load needs at most half the minimum's replicas (and
// so does the P95 of the usage kgotop watched).
func decidePinned(w model.Workload, m model.HPAMetric, oldSum, newSum int64, opts Options) (pinnedVerdict, bool) {
	h := w.HPA
	cur, target := int64(m.CurrentUtilization), int64(m.TargetUtilization)
	replicas := int64(h.CurrentReplicas)
	if m.Resource != "cpu" || target <= 0 || cur <= 0 || h.MinReplicas < 2 || replicas != int64(h.MinReplicas) {
		return pinnedVerdict{}, false
	}
	v := pinnedVerdict{m: m, needed: max(1, (replicas*cur+target-1)/target)}
	// The P95 of every container's usage the metric covers, over their requests.
	p95, req := hpaP95(w, m), int64(0)
	first := true
	for _, c := range w.Containers {
		if m.Container != "" && c.Name != m.Container {
			continue
		}
		if hs := assess(c.Usage, opts); first || hs.conf.Level == Low && v.watched.conf.Level != Low {
			v.watched, first = hs, false
		}
		if c.Usage == nil || c.Usage.CPU.Empty() {
			continue
		}
		req += positive(c.Resources.Requests.CPU)
		v.history = max(v.history, c.Usage.Span())
	}
	if req > 0 && p95 > 0 {
		v.p95Util = 100 * float64(p95) / float64(req)
		v.neededP95 = max(1, int64(math.Ceil(float64(replicas)*v.p95Util/float64(target))))
	}
	v.suggested = max(2, v.needed, v.neededP95)
	if 2*v.needed > replicas || v.suggested >= replicas {
		return pinnedVerdict{}, false
	}
	if newSum > 0 && newSum < oldSum {
		v.requestUtil = float64(cur) * float64(oldSum) / float64(newSum)
	}
	return v, true
}

// hpaPinned advises lowering the minimum of an HPA pinned at it, or, when
// the suggested CPU requests would lift utilization to half the target,
// right-sizing the request first.
func hpaPinned(w model.Workload, m model.HPAMetric, oldSum, newSum int64, opts Options) *Advice {
	v, ok := decidePinned(w, m, oldSum, newSum, opts)
	if !ok {
		return nil
	}
	h := w.HPA
	reason := fmt.Sprintf("HPA %s sits at its minimum of %d replicas at %d%% CPU utilization, against a %d%% target: at the %s request the load needs %s",
		h.Name, h.MinReplicas, m.CurrentUtilization, m.TargetUtilization, formatCPU(oldSum), count(v.needed, "replica"))
	if v.neededP95 > 0 && v.history > 0 {
		reason += fmt.Sprintf(" (%d at the P95 of the %s watched)", v.neededP95, formatDuration(v.history))
	}
	reason += ", so minReplicas, not the load, sets the replica count"
	a := workloadAdvice(w, KindHPAPinned, Info, "")
	a.Target.Container = m.Container
	a.ID = a.Target.String() + "/" + string(KindHPAPinned)
	a.Current = countValue(int64(h.MinReplicas), fmt.Sprint(h.MinReplicas))
	a.Evidence = []Evidence{
		num("replicas", fmt.Sprintf("%d (min %d, max %d)", h.CurrentReplicas, h.MinReplicas, h.MaxReplicas), float64(h.CurrentReplicas), Count),
		num("current utilization", fmt.Sprintf("%d%%", m.CurrentUtilization), float64(m.CurrentUtilization), Percent),
		num("target utilization", fmt.Sprintf("%d%%", m.TargetUtilization), float64(m.TargetUtilization), Percent),
	}
	if v.neededP95 > 0 {
		a.Evidence = append(a.Evidence, num("P95 utilization", fmt.Sprintf("%.0f%%", v.p95Util), v.p95Util, Percent))
	}
	a.Confidence = Confidence{Level: Medium, Score: 0.5, Note: "from the HPA's status now and the usage watched; a daily peak outside it may need the minimum"}
	if hs := v.watched; hs.conf.Level == Low {
		// Less history than a right-size rests on: the less kgotop knows,
		// the less availability it offers to give up.
		a.Reason = reason + fmt.Sprintf(", but on %s of history kgotop does not cut it: watch longer; a daily peak may need the minimum", formatDuration(hs.conf.Span()))
		a.Suggested = textValue(fmt.Sprintf("keep %d and watch longer", h.MinReplicas))
		a.Confidence = hs.conf
		a.Confidence.Note = fmt.Sprintf("only %s of usage history (%d samples), under the %s and %d samples a right-size rests on",
			formatDuration(hs.conf.Span()), hs.conf.Samples, formatDuration(opts.SizingMin), opts.SizingMinSamples)
		return &a
	}
	if v.requestUtil >= float64(m.TargetUtilization)/2 {
		a.Reason = reason + fmt.Sprintf("; the oversized CPU request keeps it there: with the suggested one it runs at %.0f%% (see the HPA target advice)", v.requestUtil)
		a.Suggested = textValue("right-size the CPU request (see the HPA target advice)")
		return &a
	}
	a.Reason = reason + fmt.Sprintf(": lower it to %d if that many replicas keep the availability you need", v.suggested)
	a.Suggested = countValue(v.suggested, fmt.Sprint(v.suggested))
	a.Code, a.CodeLang = fmt.Sprintf(`kubectl patch hpa %s -n %s --type=merge -p '{"spec":{"minReplicas":%d}}'`, h.Name, w.Ref.Namespace, v.suggested), "shell"
	a.Notes = append(a.Notes, "kgotop's patch changes the workload, not the HPA: this one is applied by hand")
	return &a
}
