package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/resize"
)

// inPlaceStatus is the status atop the patch view while the in-place
// resize is asked for or runs, with each pod's progress once it runs; nil
// when it is not.
func (p patchModel) inPlaceStatus() []model.Cell {
	ip := p.ip
	n := len(ip.plan.Steps)
	var out []model.Cell
	switch ip.state {
	case ipDryRun:
		if ip.step < n {
			return []model.Cell{{Text: fmt.Sprintf("… server-side dry run of pod %d of %d's resize (nothing changes)", ip.step+1, n), Level: model.Idle}}
		}
		return []model.Cell{{Text: "… server-side dry run of the template patch (nothing changes)", Level: model.Idle}}
	case ipConfirm:
		return []model.Cell{
			{Text: fmt.Sprintf("✓ dry runs passed: the resize of %s and the template patch (%s)", plural(n, "pod"), p.result), Level: model.Good},
			{Text: fmt.Sprintf("Resize %s in place%s, then patch %s? Press Y; n or esc cancels.", plural(n, "running pod"), ifElse(n > 1, ", one at a time", ""), patchName(p.patch)), Level: model.Near},
		}
	case ipResizing, ipWaiting, ipPause:
		out = append(out, model.Cell{Text: fmt.Sprintf("Resizing in place: %d of %s done; then the template patch (esc stops after the pod in hand):", p.podsDone(), plural(n, "pod")), Level: model.Near})
	case ipTemplate:
		out = append(out, model.Cell{Text: "… every pod is resized; applying the template patch", Level: model.Idle})
	case ipDone:
		text := fmt.Sprintf("✓ resized %s in place and patched the template: %s", plural(n, "pod"), p.result)
		if ip.plan.Rolls {
			text += "; the " + kindWord(p.patch.Kind) + " now replaces the pods at its own pace, with " + p.rolledTo() + ": the details follow it"
		}
		out = append(out, model.Cell{Text: text, Level: model.Good})
	case ipStopped:
		out = append(out, model.Cell{Text: ip.stopped, Level: model.Over})
	default:
		return nil
	}
	if ip.gens == nil || (ip.state == ipStopped && ip.gens[0] == 0 && ip.failure == nil) {
		return out // stopped before any pod was sent
	}
	return append(out, p.podCells()...)
}

// podCells are the pods' progress, one line each, those done and those
// waiting their turn folded into one line apiece past a few.
func (p patchModel) podCells() []model.Cell {
	ip := p.ip
	var out []model.Cell
	var done, waiting []string
	for i, s := range ip.plan.Steps {
		mark, text, lvl := p.podProgress(i, s)
		switch mark {
		case "✓":
			done = append(done, s.Pod)
		case "·":
			waiting = append(waiting, s.Pod)
		default:
			out = append(out, model.Cell{Text: "  " + mark + " " + s.Pod + " " + text, Level: lvl})
		}
	}
	if len(done) > 0 {
		out = append([]model.Cell{{Text: "  ✓ " + podList(done) + " done: same " + ifElse(len(done) == 1, "pod", "pods") + ", running with the new values", Level: model.Good}}, out...)
	}
	if len(waiting) > 0 {
		out = append(out, model.Cell{Text: "  · " + podList(waiting) + ifElse(len(waiting) == 1, " waits its turn", " wait their turn"), Level: model.Idle})
	}
	return out
}

// podsDone counts the pods the in-place run has resized.
func (p patchModel) podsDone() int {
	n := 0
	for i := range p.ip.plan.Steps {
		if p.ip.gens != nil && p.ip.gens[i] != 0 && p.ip.progress[i].State == resize.Done {
			n++
		}
	}
	return n
}

// podList names pods, at most three, then how many more.
func podList(pods []string) string {
	if len(pods) > 3 {
		return strings.Join(pods[:2], ", ") + fmt.Sprintf(" and %d more", len(pods)-2)
	}
	return strings.Join(pods, ", ")
}

// inPlaceLines are the patch view's IN PLACE section: what the resize
// would do and in which order, or why it cannot be done; and each pod's
// progress once it runs.
func (p patchModel) inPlaceLines(width int) []string {
	ip, st := p.ip, p.st
	if !ip.offered {
		return nil
	}
	var out []string
	add := func(indent, text string, lvl model.Level) {
		for i, line := range strings.Split(ansi.Wrap(text, max(width-len(indent)-1, 20), ""), "\n") {
			out = append(out, ifElse(i == 0, indent, strings.Repeat(" ", len(indent)))+st.render(lvl, line))
		}
	}
	if !ip.plan.InPlace() {
		out = append(out, st.Emphasis.Render(" IN PLACE")+st.Dim.Render("  not possible"))
		for _, r := range ip.plan.Refused {
			add("   ✗ ", r, model.Near)
		}
		add("   ", "a applies the template patch instead: "+p.patch.Effect+".", model.Idle)
		return append(out, "")
	}
	n := len(ip.plan.Steps)
	head := fmt.Sprintf("  i resizes %s in place, then applies this patch", plural(n, "running pod"))
	switch {
	case p.readOnly:
		head = "  read-only: i is off"
	case ip.state != ipIdle:
		head = "  the order, and why"
	}
	out = append(out, st.Emphasis.Render(" IN PLACE")+st.Dim.Render(head))
	order := fmt.Sprintf("1. the pods one at a time (%s), each a server-side dry run first, then for real, the next only once the kubelet has applied the one before", podNames(ip.plan.Steps))
	if n == 1 {
		order = fmt.Sprintf("1. pod %s: a server-side dry run first, then for real, and a wait until the kubelet has applied it", ip.plan.Steps[0].Pod)
	}
	if ip.plan.Order != "" {
		order += "; " + ip.plan.Order
	}
	add("   ", order+".", model.Normal)
	then := "2. then the template patch, so that pods made from now on get the same values (else the next rollout undoes the resize)"
	if ip.plan.Rolls {
		then += fmt.Sprintf("; a %s replaces its pods on any template change, so it then rolls them, at its own pace, to %s", kindWord(p.patch.Kind), p.rolledTo())
		if ip.plan.Raises {
			then += ": the resize is relief now"
		}
	}
	add("   ", then+".", model.Normal)
	for _, note := range ip.plan.Notes {
		add("   ! ", note, model.Near)
	}
	for _, s := range ip.plan.Skipped {
		add("   - ", "left alone: "+s, model.Idle)
	}
	return append(out, "")
}

// rolledTo says what the pods a rollout makes after the resize run with:
// the values the resized pods have, and the fields a running pod cannot
// take (env, probes) if the patch changes any.
func (p patchModel) rolledTo() string {
	for _, f := range p.patch.Fields {
		if !strings.HasPrefix(f.Field, "resources.") {
			return "the resources the resized pods have and what they could not take in place"
		}
	}
	return "the values the resized pods already run with"
}

// podProgress is a pod's mark, state and level in the run.
func (p patchModel) podProgress(i int, s resize.Step) (string, string, model.Level) {
	ip := p.ip
	switch {
	case ip.gens[i] == 0 && i == ip.step && ip.state == ipResizing:
		return "…", "resize being sent", model.Idle
	case ip.gens[i] == 0 && i == ip.step && ip.state == ipStopped && ip.failure != nil:
		return "✗", "refused: see above", model.Over
	case ip.gens[i] == 0:
		return "·", "", model.Idle
	}
	pr := ip.progress[i]
	restarts := ""
	if was, ok := ip.record.Restarts[s.Pod]; ok && pr.Restarts != was {
		restarts = fmt.Sprintf(", restarts %d → %d", was, pr.Restarts)
	}
	switch {
	case pr.State == resize.Done && restarts != "" && len(s.Restarts) > 0:
		return "✓!", "done, its containers restarted as their resizePolicy RestartContainer asks" + restarts, model.Near
	case pr.State == resize.Done && restarts != "":
		return "✓!", "done, but it restarted meanwhile" + restarts + ": the details say why", model.Near
	case pr.State == resize.Done:
		return "✓", "", model.Good
	case pr.State == resize.Deferred:
		return "⏸", "deferred: " + pr.Message + " (the kubelet retries when room frees up; esc stops waiting, the pod's spec keeps asking)", model.Near
	case pr.State.Stops():
		return "✗", pr.State.String() + ": " + pr.Message, model.Over
	case pr.State == resize.Applying:
		return "…", "being applied by the kubelet" + p.waited(), model.Idle
	}
	return "…", "sent; waiting for the kubelet" + p.waited(), model.Idle
}

// waited is how long the current pod has been waited for, as of the last
// snapshot: " (12s)".
func (p patchModel) waited() string {
	if p.ip.since.IsZero() || p.ip.state != ipWaiting || !p.ip.seen.After(p.ip.since) {
		return ""
	}
	return " (" + model.FormatAge(p.ip.seen.Sub(p.ip.since)) + ")"
}

// podNames lists the steps' pods in order, at most five by name.
func podNames(steps []resize.Step) string {
	var names []string
	for i, s := range steps {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(steps)-5))
			break
		}
		names = append(names, s.Pod)
	}
	return strings.Join(names, ", ")
}
