package ui

import (
	"fmt"
	"strings"

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

// sortNames name the columns in the status line ("sorted by advice").
var sortNames = [numColumns]string{"name", "kind", "ready", "go", "cpu", "memory", "restarts", "probes", "advice", "top advice"}

// line is one rendered-ready table line: a workload or one of its containers.
type line struct {
	cells [numColumns]cell
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
	// search is the lower-case text a filter matches: name, kind, containers.
	search string
	// advice is the workload's advice, worst first within each container.
	advice []advisor.Advice
	counts adviceCounts
	// sampled is whether any replica has a metrics sample yet.
	sampled bool
	// Sort keys.
	readyFrac  float64
	restarts   int
	probeFails int
	goKey      string
	// widths are the widths of the row's cells, its containers' included
	// (see contentWidths), measured once when the row is built.
	widths [numColumns]int
}

func buildRow(w model.Workload, as []advisor.Advice, s model.Snapshot) workloadRow {
	r := workloadRow{ref: w.Ref, advice: as, counts: countAdvice(as), readyFrac: 1}
	name := w.Ref.Name
	if s.Namespace == "" {
		name = w.Ref.Namespace + "/" + name
	}
	r.cells[colName] = cell{text: name}
	r.cells[colKind] = cell{text: w.Ref.Kind.Short()}
	r.cells[colReady] = cell{text: fmt.Sprintf("%d/%d", w.Ready, w.Desired)}
	if w.Desired > 0 {
		r.readyFrac = float64(w.Ready) / float64(w.Desired)
	}
	if w.Ready < w.Desired {
		r.cells[colReady].lvl = near
		if w.Ready == 0 {
			r.cells[colReady].lvl = over
		}
	}
	search := []string{strings.ToLower(name), string(w.Ref.Kind.Short())}

	var cpus, mems []usage
	goInfo := model.GoInfo{Detection: model.GoUnknown}
	var probeTexts []string
	probeLvl := normal
	var lastRestart cell
	for _, c := range w.Containers {
		cl := containerLine{name: c.Name}
		cpu, mem := usedNow(c)
		cpus, mems = append(cpus, cpu), append(mems, mem)
		cl.cells[colName] = cell{text: c.Name}
		cl.cells[colReady] = cell{text: readyInstances(c)}
		cl.cells[colGo] = goCell(c.Go)
		cl.cells[colCPU] = cell{text: cpu.text(model.FormatCPU), lvl: cpu.grade()}
		cl.cells[colMem] = cell{text: mem.text(model.FormatBytes), lvl: mem.grade()}
		cl.cpu, cl.mem = cpu.frac(), mem.frac()
		cl.cells[colRestarts] = restartCell(c, s.Taken)
		probe, fails := probeCell(c)
		cl.cells[colProbes] = probe
		cl.cells[colAdvice] = countContainerAdvice(as, c.Name).cell()
		cl.cells[colTop] = topAdvice(as, c.Name, true)
		r.containers = append(r.containers, cl)

		if goRank(c.Go) > goRank(goInfo) || (goInfo.Version == "" && c.Go.Version != "" && goRank(c.Go) == goRank(goInfo)) {
			goInfo = c.Go
		}
		r.restarts += int(c.RestartCount())
		if cl.cells[colRestarts].text != "0" && worse(cl.cells[colRestarts].lvl, lastRestart.lvl) {
			lastRestart = cl.cells[colRestarts]
		}
		r.probeFails += fails
		if probe.text != "-" && (probe.lvl != idle || len(w.Containers) == 1) {
			probeTexts = append(probeTexts, probe.text)
			probeLvl = worst(probeLvl, probe.lvl)
		}
		search = append(search, strings.ToLower(c.Name))
	}
	r.cells[colGo] = goCell(goInfo)
	r.goKey = goInfo.Version
	cpu, mem := sumUsage(cpus), sumUsage(mems)
	r.cpu, r.mem, r.sampled = cpu.frac(), mem.frac(), cpu.ok
	r.cells[colCPU] = cell{text: cpu.text(model.FormatCPU), lvl: worstOf(cpu.grade(), r.containers, colCPU)}
	r.cells[colMem] = cell{text: mem.text(model.FormatBytes), lvl: worstOf(mem.grade(), r.containers, colMem)}
	r.cells[colRestarts] = cell{text: "0"}
	if lastRestart.text != "" {
		r.cells[colRestarts] = lastRestart
		if len(w.Containers) > 1 {
			// The worst container's reason, with the workload's total.
			_, rest, _ := strings.Cut(lastRestart.text, " ")
			r.cells[colRestarts].text = strings.TrimSpace(fmt.Sprint(r.restarts) + " " + rest)
		}
	}
	r.cells[colProbes] = cell{text: "-"}
	if len(probeTexts) > 0 {
		r.cells[colProbes] = cell{text: strings.Join(probeTexts, " "), lvl: probeLvl}
	}
	r.cells[colAdvice] = r.counts.cell()
	r.cells[colTop] = topAdvice(as, "", false)
	if len(w.Containers) > 1 {
		r.cells[colName].text += fmt.Sprintf(" (%d)", len(w.Containers))
	}
	r.search = strings.Join(search, " ")
	r.widths = r.measure()
	return r
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
			n.add(as[i].Severity)
		}
	}
	return n
}

// topAdvice says what the most urgent advice changes to ("memory limit →
// 484Mi"), of one container's advice when only is set, else of all of it.
func topAdvice(as []advisor.Advice, container string, only bool) cell {
	var top *advisor.Advice
	for i := range as {
		if only && as[i].Target.Container != container {
			continue
		}
		if top == nil || as[i].Severity.Rank() > top.Severity.Rank() {
			top = &as[i]
		}
	}
	if top == nil {
		return cell{}
	}
	text := kindLabel(top.Kind)
	if top.Suggested.Display != "" {
		text += " → " + top.Suggested.Display
	}
	return cell{text: text}
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

// rank orders levels by how much they should stand out.
func (l level) rank() int {
	switch l {
	case idle:
		return 0
	case good:
		return 1
	case near:
		return 3
	case over:
		return 4
	}
	return 2
}

// worse reports whether a stands out more than b.
func worse(a, b level) bool { return a.rank() > b.rank() }

// worst returns whichever of a and b stands out more.
func worst(a, b level) level {
	if worse(a, b) {
		return a
	}
	return b
}

// worstOf raises a workload's level to its most alarming container's:
// a sidecar over its limit makes the workload red even when the sum is not.
func worstOf(l level, cs []containerLine, col column) level {
	for _, c := range cs {
		if lv := c.cells[col].lvl; lv == near || lv == over {
			l = worst(l, lv)
		}
	}
	return l
}
