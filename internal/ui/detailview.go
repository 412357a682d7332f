package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// detailLines builds the detail view of a workload: a title, then one
// section per container and one for the workload itself. anchors holds the
// first line of each container's section.
func detailLines(w *model.Workload, advice []advisor.Advice, patch patchAvail, now time.Time, width int, st Styles) (string, []string, map[string]int) {
	ro := rollout{now: now}
	if len(w.Changes) > 0 {
		ro.applied = w.Changes[0].At
	}
	b := &textBlock{width: width, st: st}
	title := fmt.Sprintf(" %s · %s %s/%s · %d/%d ready", w.Ref.Name, w.Ref.Kind, w.Ref.Namespace, w.Ref.Name, w.Ready, w.Desired)
	if h := w.HPA; h != nil {
		title += fmt.Sprintf(" · HPA %s %d-%d", h.Name, h.MinReplicas, h.MaxReplicas)
		for _, m := range h.Metrics {
			if m.TargetUtilization > 0 {
				title += fmt.Sprintf(" at %d%% %s (now %s)", m.TargetUtilization, m.Resource, m.Now())
			}
		}
	}
	counts := countAdvice(advice).cell()
	anchors := map[string]int{}
	followUpLines(b, w, now)
	for _, c := range w.Containers {
		anchors[c.Name] = len(b.lines)
		containerSection(b, c, forContainer(advice, c.Name), now)
		b.blank()
	}
	b.heading("workload")
	podLines(b, w.Pods, ro)
	eventLines(b, w.Events, now)
	if own := forContainer(advice, ""); len(own) > 0 {
		adviceLines(b, own)
	}
	patchLines(b, w.Ref.Kind, advice, patch)
	return st.Emphasis.Render(truncate(title, width-12)) + "  " + st.render(counts.Level, counts.Text), b.lines, anchors
}

// patchLines writes the workload's patch command, whole, broken where the
// shell allows, or why its advice makes none.
func patchLines(b *textBlock, kind model.Kind, advice []advisor.Advice, patch patchAvail) {
	st := b.st
	n := len(advisor.Patchable(advice))
	if n == 0 && patch.held == 0 {
		return
	}
	b.blank()
	if !patch.ready() {
		b.wrap(" PATCH  ", ifElse(n == 0, "", "none: ")+patch.hint(kind), model.Idle)
		return
	}
	first := len(b.lines)
	held := ""
	switch {
	case patch.held > 0 && patch.undoHeld:
		held = fmt.Sprintf("; %d more held back as the alternative to the undo: p, then H, includes it", patch.held)
	case patch.held > 0:
		held = fmt.Sprintf("; %d more held back for little history: p, then H, includes it", patch.held)
	}
	b.wrap(" PATCH  ", "y copies it, p shows what it changes, a dry-runs it ("+plural(n, "piece")+" of advice"+held+")", model.Idle)
	b.lines[first] = st.Emphasis.Render(" PATCH") + strings.TrimPrefix(b.lines[first], " PATCH")
	for _, l := range model.BreakCode(patch.command, "shell", b.width-4) {
		b.add("   " + st.Code.Render(l))
	}
}

// containerSection writes one container: usage history, Go runtime, probes,
// restarts, events and advice.
func containerSection(b *textBlock, c model.Container, advice []advisor.Advice, now time.Time) {
	st := b.st
	b.heading("container " + c.Name + " · image " + c.Image + " · " + c.Go.Description())
	cpu, mem := c.UsageNow()
	var cpuPts, memPts []int64
	var cpuHist, memHist stats
	var span time.Duration
	if h := c.Usage; h != nil {
		pts := h.Points()
		for _, p := range pts {
			cpuPts, memPts = append(cpuPts, p.CPU), append(memPts, p.Memory)
		}
		if len(pts) > 1 {
			span = pts[len(pts)-1].Time().Sub(pts[0].Time())
		}
		cpuHist, memHist = historyStats(h)
	}
	cpuBars := usageLines(b, "CPU", cpu, cpuPts, cpuHist, model.FormatCPU)
	memBars := usageLines(b, "MEM", mem, memPts, memHist, model.FormatBytes)
	if h := c.Usage; h != nil && h.Samples > 0 {
		b.wrap("      ", fmt.Sprintf("P90 and peak: %s, %s (as the advice reads them); bars: %s", h.Watching(), plural(int(h.Samples), "sample"), barCaption(len(cpuPts), max(cpuBars, memBars), span)), model.Idle)
	} else {
		b.add(st.Dim.Render("      no usage history yet: the metrics API has not reported this container"))
	}
	goLines(b, c.Go)
	probeLines(b, c, now)
	restartLines(b, c, now)
	eventLines(b, c.Events, now)
	adviceLines(b, advice)
}

// goLines writes the Go runtime's numbers, or why there are none.
func goLines(b *textBlock, g model.GoInfo) {
	r := g.Runtime
	if r == nil {
		why := "not scraped"
		if g.ScrapeProblem != nil {
			why = g.ScrapeProblem.Why() // the label says "no runtime numbers"
		}
		if g.Detection != model.GoUnknown {
			b.wrap(" GO   ", "no runtime numbers: "+why, model.Idle)
		}
		return
	}
	b.wrap(" GO   ", strings.Join(r.Summary(), " · "), model.Normal)
	for _, db := range r.DB {
		line := db.Name + ": " + strings.Join(db.Summary(), " · ") + fmt.Sprintf(" · waited %d× for %s", db.WaitCount, db.WaitDuration)
		b.wrap(" DB   ", line, ifElse(db.WaitCount > 0, model.Near, model.Normal))
	}
}

// probeLines writes the probe specs and their recent failures.
func probeLines(b *textBlock, c model.Container, now time.Time) {
	var specs []string
	for _, t := range []model.ProbeType{model.Readiness, model.Liveness, model.Startup} {
		if p := c.Probes.Get(t); p != nil {
			specs = append(specs, string(t)+" "+p.String())
		} else {
			specs = append(specs, string(t)+" none")
		}
	}
	b.wrap(" PROBES ", strings.Join(specs, " · "), model.Normal)
	for _, f := range c.ProbeFailures {
		text := fmt.Sprintf("✗ %s failed %d×", f.Probe, f.Count)
		if f.Kills > 0 {
			text += " (" + plural(int(f.Kills), "restart") + ")"
		}
		if !f.LastSeen.IsZero() {
			text += ", last " + model.FormatAge(now.Sub(f.LastSeen)) + " ago"
		}
		if f.LastMessage != "" {
			text += ": " + f.LastMessage
		}
		b.wrap("        ", text, ifElse(f.Kills > 0, model.Over, model.Near))
	}
}

// restartLines writes each instance's restarts, last termination and wait.
func restartLines(b *textBlock, c model.Container, now time.Time) {
	if c.RestartCount() == 0 && c.LastTermination() == nil && c.Waiting() == "" {
		b.add(" RESTARTS none")
		return
	}
	b.add(fmt.Sprintf(" RESTARTS %d in all", c.RestartCount()))
	for _, in := range c.Instances {
		if in.RestartCount == 0 && in.LastTermination == nil && in.Waiting == "" {
			continue
		}
		text := in.Pod + ": " + plural(int(in.RestartCount), "restart")
		lvl := model.Near
		if t := in.LastTermination; t != nil {
			text += fmt.Sprintf(", last %s (exit %d", orDash(t.Reason), t.ExitCode)
			if !t.FinishedAt.IsZero() {
				text += fmt.Sprintf(", %s ago at %s", model.FormatAge(now.Sub(t.FinishedAt)), t.FinishedAt.Format("15:04:05"))
			}
			text += ")"
			if t.Message != "" {
				text += ": " + t.Message
			}
			if t.Reason == "OOMKilled" {
				lvl = model.Over
			}
		}
		if in.Waiting != "" {
			text += "; waiting " + in.Waiting
			if in.WaitingMessage != "" {
				text += ": " + in.WaitingMessage
			}
			if in.Waiting == "CrashLoopBackOff" {
				lvl = model.Over
			}
		}
		b.wrap("   ", text, lvl)
	}
}

// podLines writes the workload's pods: phase, readiness, node, age, how
// long each took from start to ready, and whether a rollout made it; at
// most five.
func podLines(b *textBlock, pods []model.Pod, ro rollout) {
	now := ro.now
	for i, p := range pods {
		if i == 5 {
			b.add(b.st.Dim.Render("      and " + plural(len(pods)-5, "more pod")))
			return
		}
		text := p.Name + " " + p.Phase
		lvl := model.Normal
		if p.Ready {
			text += ", ready"
		} else {
			text += ", not ready"
			lvl = model.Near
		}
		if p.Node != "" {
			text += " on " + p.Node
		}
		if !p.Created.IsZero() {
			text += ", age " + model.FormatAge(now.Sub(p.Created))
		}
		if d := p.StartToReady(); d > 0 {
			text += ", ready " + model.FormatAge(d) + " after start"
		}
		if ro.isNew(p) {
			text += " · new since the change"
		}
		b.wrap(" POD  ", text, lvl)
	}
}

// eventLines writes up to three warnings, newest first.
func eventLines(b *textBlock, evs []model.Event, now time.Time) {
	for i, e := range evs {
		if i == 3 {
			b.add(b.st.Dim.Render(fmt.Sprintf("        and %d more", len(evs)-3)))
			break
		}
		text := e.Reason
		if e.Count > 1 {
			text += fmt.Sprintf(" ×%d", e.Count)
		}
		if !e.LastSeen.IsZero() {
			text += " " + model.FormatAge(now.Sub(e.LastSeen)) + " ago"
		}
		b.wrap(" EVENT  ", text+": "+e.Message, model.Near)
	}
}

// adviceLines writes each piece of advice with its evidence and confidence.
func adviceLines(b *textBlock, as []advisor.Advice) {
	st := b.st
	if len(as) == 0 {
		b.add(" ADVICE " + st.Good.Render("none: nothing to change here"))
		return
	}
	b.add(" ADVICE")
	for _, a := range as {
		mark, lvl := severityMark(a.Severity)
		conf := "confidence " + string(a.Confidence.Level)
		if a.Confidence.Note != "" {
			conf += ": " + a.Confidence.Note
		}
		b.wrap("  "+st.render(lvl, mark)+" ", st.Emphasis.Render(adviceChange(a))+st.Dim.Render(" · "+conf), model.Normal)
		b.wrap("    ", a.Reason, model.Normal)
		if len(a.Evidence) > 0 {
			var ev []string
			for _, e := range a.Evidence {
				ev = append(ev, model.Labelled(e.Label, e.Value, " "))
			}
			b.wrap("    evidence: ", strings.Join(ev, " · "), model.Idle)
		}
		if r := a.Range; r != nil {
			b.wrap("    ", r.Words(), model.Idle)
		}
		for _, n := range a.Notes {
			b.wrap("    note: ", n, model.Idle)
		}
		if a.Code != "" {
			b.snippets++
			b.add("    " + st.Key.Render(fmt.Sprintf("[%d]", b.snippets)) + st.Dim.Render(" "+codeLabel(a.CodeLang)+":"))
			for _, l := range strings.Split(strings.TrimRight(a.Code, "\n"), "\n") {
				for _, part := range model.BreakCode(l, a.CodeLang, b.width-7) {
					b.add("      " + st.Code.Render(part))
				}
			}
		}
	}
}

// codeLabel says where a piece of advice's code goes: "run", "in code (Go)".
func codeLabel(lang string) string {
	switch strings.ToLower(lang) {
	case "shell", "sh", "bash", "console":
		return "run"
	case "go":
		return "in code (Go)"
	case "dockerfile":
		return "in the Dockerfile"
	case "yaml":
		return "in the manifest (YAML)"
	case "":
		return "by hand"
	}
	return "in " + lang
}

// textBlock gathers the lines of a view of a given width.
type textBlock struct {
	width int
	st    Styles
	lines []string
	// snippets counts the code written so far, to number it.
	snippets int
}

func (b *textBlock) add(s string) { b.lines = append(b.lines, s) }
func (b *textBlock) blank()       { b.lines = append(b.lines, "") }

// heading starts a section: "── container api · image …", in bold, a
// rule rather than the table's cursor mark.
func (b *textBlock) heading(text string) {
	first := len(b.lines)
	b.wrap("── ", text, model.Normal)
	for i := first; i < len(b.lines); i++ {
		b.lines[i] = b.st.Emphasis.Render(b.lines[i])
	}
}

// wrap adds text after a label, wrapped to the width with continuation
// lines indented under the text, at a level.
func (b *textBlock) wrap(label, text string, lvl model.Level) {
	indent := ansi.StringWidth(label)
	wrapped := ansi.Wrap(text, max(b.width-indent-1, 10), "")
	for i, l := range strings.Split(wrapped, "\n") {
		prefix := label
		if i > 0 {
			prefix = strings.Repeat(" ", indent)
		}
		b.add(prefix + b.st.render(lvl, l))
	}
}

// rollout is what the details know of the last change kgotop applied:
// when (zero: none), and the time now.
type rollout struct{ applied, now time.Time }

// isNew reports whether a pod was made since the change went in.
func (ro rollout) isNew(p model.Pod) bool {
	return !ro.applied.IsZero() && !p.Created.Before(ro.applied)
}
