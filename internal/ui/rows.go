package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// column identifies a column of the main table.
type column int

// The columns of the main table, in display order.
const (
	colName column = iota
	colKind
	colReady
	colGo
	colCPU
	colMem
	colRestarts
	colProbes
	colAdvice
	colTop // shown only on wide terminals; not a sort column
	numColumns
)

// numSortable is how many columns s cycles through.
const numSortable = colTop

// columnTitles are the table's column headers.
var columnTitles = [numColumns]string{"WORKLOAD", "KIND", "READY", "GO", "CPU used/req/lim", "MEM used/req/lim", "RESTARTS", "PROBES", "ADVICE", "TOP ADVICE"}

// sortNames say in the status line what the table is sorted by, and on
// which basis ("sorted by memory, % of limit, fullest first").
var sortNames = [numColumns]string{"name", "kind", "readiness, least ready first", "Go version, newest first",
	"CPU, % of limit (or request), fullest first", "memory, % of limit (or request), fullest first",
	"restarts, most first", "probe failures, most first", "advice, most urgent first", "top advice"}

// line is one rendered-ready table line: a workload or one of its containers.
type line struct {
	cells [numColumns]model.Cell
	// cpu and mem are the usage shares the bars draw (-1 unknown).
	cpu, mem float64
}

// containerLine is a container's line under its workload.
type containerLine struct {
	name string
	line
}

// workloadRow is one workload of the table with everything the table
// needs to show, filter and sort it, computed once per snapshot off the UI
// goroutine.
type workloadRow struct {
	ref model.WorkloadRef
	line
	containers []containerLine
	// search is the lower-case text a filter's words match: the names of
	// the workload and its containers (see query).
	search string
	// advice is the workload's advice, worst first within each container,
	// and patch whether it makes a patch.
	advice []advisor.Advice
	patch  patchAvail
	counts adviceCounts
	// sampled is whether any replica has a metrics sample yet.
	sampled bool
	// changed is whether kgotop changed the workload lately (u undoes it).
	changed bool
	// Sort keys.
	readyFrac  float64
	restarts   int
	probeFails int
	goKey      string
	// widths are the widths of the row's cells, its containers' included
	// (see contentWidths), measured once when the row is built.
	widths widths
}

// buildRow makes the row of w, whose advice is as and patch availability(w, as).
func buildRow(w model.Workload, as []advisor.Advice, patch patchAvail, s model.Snapshot) workloadRow {
	r := workloadRow{ref: w.Ref, advice: as, patch: patch, counts: countAdvice(as), readyFrac: 1}
	r.counts.down = w.Down()
	name := w.Ref.Name
	if s.Namespace == "" {
		name = w.Ref.Namespace + "/" + name
	}
	r.cells[colName] = model.Cell{Text: name}
	r.cells[colKind] = model.Cell{Text: w.Ref.Kind.Short()}
	r.cells[colReady] = model.Cell{Text: fmt.Sprintf("%d/%d", w.Ready, w.Desired)}
	if w.Desired > 0 {
		r.readyFrac = float64(w.Ready) / float64(w.Desired)
	}
	if w.Ready < w.Desired {
		r.cells[colReady].Level = model.Near
		if w.Ready == 0 {
			r.cells[colReady].Level = model.Over
		}
	}
	search := []string{strings.ToLower(name)}

	var cpus, mems []model.Usage
	goInfo := model.GoInfo{Detection: model.GoUnknown}
	var probeTexts []string
	probeLvl := model.Normal
	var lastRestart model.Cell
	for _, c := range w.Containers {
		cl, cpu, mem := buildContainerLine(c, as, s.Taken)
		cpus, mems = append(cpus, cpu), append(mems, mem)
		r.containers = append(r.containers, cl)
		probe := cl.cells[colProbes]

		if goRank(c.Go) > goRank(goInfo) || (goInfo.Version == "" && c.Go.Version != "" && goRank(c.Go) == goRank(goInfo)) {
			goInfo = c.Go
		}
		r.restarts += int(c.RestartCount())
		if cl.cells[colRestarts].Text != "0" && worse(cl.cells[colRestarts].Level, lastRestart.Level) {
			lastRestart = cl.cells[colRestarts]
		}
		r.probeFails += int(c.ProbeFailureCount())
		if probe.Text != "-" && (probe.Level != model.Idle || len(w.Containers) == 1) {
			probeTexts = append(probeTexts, probe.Text)
			probeLvl = worst(probeLvl, probe.Level)
		}
		search = append(search, strings.ToLower(c.Name))
	}
	r.cells[colGo] = goInfo.Summary()
	r.goKey = goInfo.Version
	cpu, mem := sumUsage(cpus), sumUsage(mems)
	r.cpu, r.mem, r.sampled = share(cpu), share(mem), cpu.Known
	r.cells[colCPU] = cpu.Summary(model.FormatCPU)
	r.cells[colCPU].Level = worstOf(cpu.Level(), r.containers, colCPU)
	r.cells[colMem] = mem.Summary(model.FormatBytes)
	r.cells[colMem].Level = worstOf(mem.Level(), r.containers, colMem)
	r.cells[colRestarts] = model.Cell{Text: "0"}
	if lastRestart.Text != "" {
		r.cells[colRestarts] = lastRestart
		if len(w.Containers) > 1 {
			// The worst container's reason, with the workload's total.
			_, rest, _ := strings.Cut(lastRestart.Text, " ")
			r.cells[colRestarts].Text = strings.TrimSpace(fmt.Sprint(r.restarts) + " " + rest)
		}
	}
	r.cells[colProbes] = model.Cell{Text: "-"}
	if len(probeTexts) > 0 {
		r.cells[colProbes] = model.Cell{Text: strings.Join(probeTexts, " "), Level: probeLvl}
	}
	r.cells[colAdvice] = r.counts.cell()
	r.cells[colTop] = topAdvice(as, "", false)
	if len(w.Containers) > 1 {
		r.cells[colName].Text += fmt.Sprintf(" (%d)", len(w.Containers))
	}
	if mark := changeMark(w, s.Taken); mark != "" {
		r.cells[colName].Text += " · " + mark
		r.changed = true
	}
	r.search = strings.Join(search, " ")
	r.widths = r.measure(ansi.StringWidth(name))
	return r
}

// buildContainerLine makes a container's line under its workload, and
// returns what the container uses, for the workload's sum.
func buildContainerLine(c model.Container, as []advisor.Advice, now time.Time) (cl containerLine, cpu, mem model.Usage) {
	cpu, mem = c.UsageNow()
	cl = containerLine{name: c.Name}
	cl.cells[colName] = model.Cell{Text: c.Name}
	cl.cells[colReady] = model.Cell{Text: readyInstances(c)}
	cl.cells[colGo] = c.Go.Summary()
	cl.cells[colCPU] = cpu.Summary(model.FormatCPU)
	cl.cells[colMem] = mem.Summary(model.FormatBytes)
	cl.cpu, cl.mem = share(cpu), share(mem)
	cl.cells[colRestarts] = c.RestartSummary(now, true)
	cl.cells[colProbes] = probeCell(c)
	cl.cells[colAdvice] = countContainerAdvice(as, c.Name).cell()
	cl.cells[colTop] = topAdvice(as, c.Name, true)
	return cl, cpu, mem
}

// readyInstances renders how many of a container's instances are ready.
func readyInstances(c model.Container) string {
	ready := 0
	for _, in := range c.Instances {
		if in.Ready {
			ready++
		}
	}
	return fmt.Sprintf("%d/%d", ready, len(c.Instances))
}

// countContainerAdvice counts the advice about one container, without
// copying it (a row is built for every workload a metrics window changes).
func countContainerAdvice(as []advisor.Advice, name string) adviceCounts {
	var n adviceCounts
	for i := range as {
		if as[i].Target.Container == name {
			n.add(&as[i])
		}
	}
	return n
}

// topAdvice says what the most urgent advice changes to ("memory limit →
// 484Mi"), of one container's advice when only is set, else of all of it;
// the undo of kgotop's change says so, and a change the patch view will not
// take says why in a word first ("held: memory request → 220Mi").
func topAdvice(as []advisor.Advice, container string, only bool) model.Cell {
	top := topOf(as, container, only)
	switch {
	case top == nil:
		return model.Cell{}
	case top.Undoes():
		return model.Cell{Text: "undo kgotop's change"}
	}
	text := kindLabel(top.Kind)
	if top.Suggested.Display != "" {
		text += " → " + top.Suggested.Display
	}
	if why := outOfPatch(*top); why != "" {
		text = why + ": " + text // first, where a narrow column cannot cut it off
	}
	return model.Cell{Text: text}
}

// outOfPatch names in a word why p would not patch a change a person reads
// as a template change: it is held, goes only with other changes, or is a
// request or limit the advisor keeps out of patches (an HPA scales on it,
// or the usage it rests on is skewed); "" when p takes it, or it is no
// template change at all.
func outOfPatch(a advisor.Advice) string {
	switch {
	case a.Held:
		return "held"
	case a.Alongside:
		return "only with others"
	case a.Kind.Resizes() && !a.Patchable() && a.Suggested.Display != "":
		return "no patch"
	}
	return ""
}

// topOf is the most urgent advice (of one container's when only is set):
// within a severity the undo of kgotop's change first (it comes before the
// advice it holds back), then what p would patch, then the first; nil when
// there is none.
func topOf(as []advisor.Advice, container string, only bool) *advisor.Advice {
	var top *advisor.Advice
	rank := func(a *advisor.Advice) int {
		// As the rows are ordered: severity, then (the undo of kgotop's
		// change leading) what fails before what only saves, then what
		// the patch takes.
		return 8*a.Severity.Rank() + ifElse(a.Undoes(), 4, 0) + ifElse(a.Saves(), 0, 2) + ifElse(outOfPatch(*a) == "", 1, 0)
	}
	for i := range as {
		if only && as[i].Target.Container != container {
			continue
		}
		if top == nil || rank(&as[i]) > rank(top) {
			top = &as[i]
		}
	}
	return top
}

// forContainer returns the advice about one container.
func forContainer(as []advisor.Advice, name string) []advisor.Advice {
	var out []advisor.Advice
	for _, a := range as {
		if a.Target.Container == name {
			out = append(out, a)
		}
	}
	return out
}

// rank orders levels by how much they stand out.
func rank(l model.Level) int {
	switch l {
	case model.Idle:
		return 0
	case model.Good:
		return 1
	case model.Near:
		return 3
	case model.Over:
		return 4
	}
	return 2
}

// worse reports whether a stands out more than b.
func worse(a, b model.Level) bool { return rank(a) > rank(b) }

// worst returns whichever of a and b stands out more.
func worst(a, b model.Level) model.Level {
	if worse(a, b) {
		return a
	}
	return b
}

// worstOf raises a workload's level to its most alarming container's:
// a sidecar over its limit makes the workload red even when the sum is not.
func worstOf(l model.Level, cs []containerLine, col column) model.Level {
	for _, c := range cs {
		if lv := c.cells[col].Level; lv == model.Near || lv == model.Over {
			l = worst(l, lv)
		}
	}
	return l
}
