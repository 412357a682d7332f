package report

import (
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
	// urgency is the advice's advisor.Urgency, which the section sorts by.
	urgency int
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
		wa := workloadAdvice{w: w, advice: as, urgency: advisor.Urgency(as)}
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
	// Stable: most urgent first (within a severity, what fails before what
	// only saves, as the table), then the snapshot's order.
	slices.SortStableFunc(out, func(a, b workloadAdvice) int {
		return mostUrgentFirst(a.w, b.w, a.urgency, b.urgency)
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

var severityLevel = map[advisor.Severity]model.Level{advisor.Critical: model.Over, advisor.Warning: model.Near, advisor.Info: model.Normal}

// adviceHeadline is "memory limit 256Mi -> 376Mi", or the label alone when
// nothing is suggested as a value. A current value that names the label
// already ("103 restarts", "1 restart") stands alone.
func adviceHeadline(a advisor.Advice) string {
	s := a.Kind.Label()
	if a.Suggested.Display != "" {
		cur := a.Current.Display
		switch {
		case cur == "":
			s += " not set"
		case model.Labelled(s, cur, " ") == cur:
			s = cur
		default:
			s += " " + cur
		}
		s += " -> " + a.Suggested.Display
	}
	return s
}

// adviceParas renders one workload's advice as indented text: prose that
// wraps, and code and the patch command that never do.
func adviceParas(wa workloadAdvice, namespaced bool, width int) []para {
	name := wa.w.Ref.Kind.Short() + "/" + wa.w.Ref.Name
	if namespaced {
		name = wa.w.Ref.Namespace + "/" + name
	}
	worst := advisor.Worst(wa.advice)
	out := []para{prose(strings.ToUpper(string(worst)) + " " + name + hpaNote(wa.w)).styled(styleLevel[severityLevel[worst]])}
	for _, a := range wa.advice {
		who := ""
		if a.Target.Container != "" {
			who = a.Target.Container + ": "
		}
		out = append(out, prose("  "+severityMark[a.Severity]+" "+who+adviceHeadline(a)).styled(styleLevel[severityLevel[a.Severity]]))
		out = append(out, prose("      "+a.Reason))
		if ev := evidenceLine(a.Evidence, glue); ev != "" {
			out = append(out, prose("      evidence: "+ev))
		}
		conf := "      confidence " + string(a.Confidence.Level)
		if a.Confidence.Note != "" {
			conf += ": " + a.Confidence.Note
		}
		out = append(out, prose(conf).styled(styleLevel[model.Idle]))
		if a.Range != nil {
			out = append(out, prose("      "+a.Range.Words()).styled(styleLevel[model.Idle]))
		}
		for _, n := range a.Notes {
			out = append(out, prose("      note: "+n))
		}
		switch rb, ok := undoRunbook(wa.w); {
		case a.Kind == advisor.KindAfterChange && a.Code != "" && ok:
			// The undo reaches the running pods too, as the change did.
			out = append(out, runbookParas(rb, "      ", "run:", width)...)
		case a.Code != "" && !a.Patchable():
			out = append(out, codeParas(a.Code, a.CodeLang, width)...)
		}
	}
	switch {
	case wa.patch != nil:
		out = append(out, runbookParas(runbookFor(wa.w, *wa.patch, emergencyRaise(wa)), "  ", "", width)...)
	case wa.noPatch != "":
		out = append(out, prose("  no patch: "+wa.noPatch))
	}
	return out
}

// codeParas is a snippet under its heading, line for line, each broken to
// width where its language allows (model.BreakCode): a shell snippet is a
// command to run, YAML a change to the manifest, anything else a change in
// code.
func codeParas(code, lang string, width int) []para {
	head, prompt := "      change in code ("+lang+"):", ""
	switch lang {
	case "shell", "sh":
		head, prompt = "      run:", "$ "
	case "yaml":
		head = "      in the manifest (yaml):"
	}
	out := []para{prose(head)}
	for _, l := range strings.Split(strings.TrimRight(code, "\n"), "\n") {
		if l == "" {
			out = append(out, para{verbatim: true})
			continue
		}
		for i, part := range model.BreakCode(l, lang, width-8-len(prompt)) {
			out = append(out, para{text: "        " + ifElse(i == 0, prompt, strings.Repeat(" ", len(prompt))) + part, verbatim: true})
		}
	}
	return out
}

// ifElse is a when cond holds, else b.
func ifElse[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

func hpaNote(w model.Workload) string {
	if w.HPA == nil {
		return ""
	}
	return fmt.Sprintf(" (HPA %d-%d)", w.HPA.MinReplicas, w.HPA.MaxReplicas)
}

// evidenceLine lists the evidence, each label joined to its value by sep
// (glue keeps them on one line when text wraps).
func evidenceLine(evs []advisor.Evidence, sep string) string {
	parts := make([]string, 0, len(evs))
	for _, e := range evs {
		parts = append(parts, model.Labelled(e.Label, e.Value, sep))
	}
	return strings.Join(parts, " · ")
}
