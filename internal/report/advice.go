package report

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// workloadAdvice is the advice about one workload and the patch that applies
// its patchable part.
type workloadAdvice struct {
	w      model.Workload
	advice []advisor.Advice
	patch  *advisor.Patch
	// noPatch says why patchable advice has no patch (a bare pod, a Job).
	noPatch string
}

// adviceByWorkload groups advice per workload, worst workloads first, and
// builds each workload's patch.
func adviceByWorkload(s model.Snapshot, all []advisor.Advice) []workloadAdvice {
	// One pass over the advice, not one per workload: at ten thousand
	// workloads that is the difference between milliseconds and seconds.
	byRef := map[model.WorkloadRef][]advisor.Advice{}
	for _, a := range all {
		ref := a.Target.Ref()
		byRef[ref] = append(byRef[ref], a)
	}
	var out []workloadAdvice
	for _, w := range s.Workloads {
		as := byRef[w.Ref]
		if len(as) == 0 {
			continue
		}
		wa := workloadAdvice{w: w, advice: as}
		if patchable := advisor.Patchable(as); len(patchable) > 0 {
			p, err := advisor.BuildPatch(w, patchable)
			switch {
			case err == nil:
				wa.patch = &p
			case !errors.Is(err, advisor.ErrNoChanges):
				wa.noPatch = err.Error()
			}
		}
		out = append(out, wa)
	}
	// Stable: worst first, then the snapshot's order.
	slices.SortStableFunc(out, func(a, b workloadAdvice) int {
		return cmp.Compare(advisor.Worst(b.advice).Rank(), advisor.Worst(a.advice).Rank())
	})
	return out
}

// severityCounts counts advice by severity.
func severityCounts(all []advisor.Advice) (critical, warning, info int) {
	for _, a := range all {
		switch a.Severity {
		case advisor.Critical:
			critical++
		case advisor.Warning:
			warning++
		default:
			info++
		}
	}
	return
}

var severityMark = map[advisor.Severity]string{advisor.Critical: "●", advisor.Warning: "▲", advisor.Info: "·"}

var severityLevel = map[advisor.Severity]level{advisor.Critical: over, advisor.Warning: near, advisor.Info: normal}

// adviceHeadline is "memory-limit 256Mi -> 376Mi" or the reason when
// nothing is suggested as a value.
func adviceHeadline(a advisor.Advice) string {
	s := string(a.Kind)
	if a.Suggested.Display != "" {
		cur := a.Current.Display
		if cur == "" {
			cur = "not set"
		}
		s += " " + cur + " -> " + a.Suggested.Display
	}
	return s
}

// adviceLines renders one workload's advice as indented text lines.
func adviceLines(wa workloadAdvice, namespaced bool) []string {
	name := wa.w.Ref.Kind.Short() + "/" + wa.w.Ref.Name
	if namespaced {
		name = wa.w.Ref.Namespace + "/" + name
	}
	worst := advisor.Worst(wa.advice)
	out := []string{styleLevel[severityLevel[worst]].Render(strings.ToUpper(string(worst))+" "+name) + hpaNote(wa.w)}
	for _, a := range wa.advice {
		who := ""
		if a.Target.Container != "" {
			who = a.Target.Container + ": "
		}
		out = append(out, "  "+styleLevel[severityLevel[a.Severity]].Render(severityMark[a.Severity]+" "+who+adviceHeadline(a)))
		out = append(out, "      "+a.Reason)
		if ev := evidenceLine(a.Evidence); ev != "" {
			out = append(out, "      evidence: "+ev)
		}
		conf := "      confidence " + string(a.Confidence.Level)
		if a.Range != nil {
			conf += fmt.Sprintf(", range %s-%s", a.Range.Lower.Display, a.Range.Upper.Display)
		}
		if a.Confidence.Note != "" {
			conf += ": " + a.Confidence.Note
		}
		out = append(out, styleLevel[idle].Render(conf))
		for _, n := range a.Notes {
			out = append(out, "      note: "+n)
		}
		if a.Code != "" && !a.Patchable() {
			out = append(out, "      change in code ("+a.CodeLang+"):")
			for _, l := range strings.Split(strings.TrimRight(a.Code, "\n"), "\n") {
				out = append(out, "        "+l)
			}
		}
	}
	switch {
	case wa.patch != nil:
		out = append(out, "  $ "+wa.patch.Command)
		out = append(out, "    "+wa.patch.Effect)
		for _, w := range wa.patch.Warnings {
			out = append(out, "    warning: "+w)
		}
	case wa.noPatch != "":
		out = append(out, "  no patch: "+wa.noPatch)
	}
	return out
}

func hpaNote(w model.Workload) string {
	if w.HPA == nil {
		return ""
	}
	return fmt.Sprintf(" (HPA %d-%d)", w.HPA.MinReplicas, w.HPA.MaxReplicas)
}

func evidenceLine(evs []advisor.Evidence) string {
	parts := make([]string, 0, len(evs))
	for _, e := range evs {
		parts = append(parts, e.Label+" "+e.Value)
	}
	return strings.Join(parts, " · ")
}
