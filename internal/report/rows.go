package report

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// row is one workload container in the table.
type row struct {
	severity, workload, container, ready model.Cell
	golang                               model.Cell
	cpu, cpuPct, mem, memPct             model.Cell
	restarts, probes, events             model.Cell
	firstOfWorkload                      bool
}

// rows are the table's rows, a workload's containers together, the
// workloads with the most urgent advice first (the snapshot's order, by
// name, among equals).
func rows(s model.Snapshot, advice []advisor.Advice) []row {
	byRef := map[model.WorkloadRef][]advisor.Advice{}
	for _, a := range advice {
		byRef[a.Target.Ref()] = append(byRef[a.Target.Ref()], a)
	}
	urgency := make(map[model.WorkloadRef]int, len(s.Workloads))
	for _, w := range s.Workloads {
		urgency[w.Ref] = advisor.Urgency(byRef[w.Ref])
	}
	ws := slices.Clone(s.Workloads)
	slices.SortStableFunc(ws, func(a, b model.Workload) int {
		return mostUrgentFirst(a, b, urgency[a.Ref], urgency[b.Ref])
	})
	var out []row
	for _, w := range ws {
		sev := model.Cell{Text: "-", Level: model.Idle}
		if s := advisor.Worst(byRef[w.Ref]); s != "" {
			sev = model.Cell{Text: string(s), Level: severityLevel[s]}
		}
		for i, c := range w.Containers {
			r := row{
				severity:        sev,
				workload:        model.Cell{Text: w.Ref.Kind.Short() + "/" + w.Ref.Name},
				container:       model.Cell{Text: c.Name},
				ready:           model.Cell{Text: fmt.Sprintf("%d/%d", w.Ready, w.Desired)},
				firstOfWorkload: i == 0,
			}
			if s.Namespace == "" {
				r.workload.Text = w.Ref.Namespace + "/" + r.workload.Text
			}
			if w.Ready < w.Desired {
				r.ready.Level = model.Near
			}
			r.golang = c.Go.Summary()
			r.cpu, r.cpuPct, r.mem, r.memPct = usageCells(c)
			r.restarts = c.RestartSummary(s.Taken, false)
			r.probes = c.ProbeSummary()
			r.events = eventsCell(w, c, i == 0)
			out = append(out, r)
		}
	}
	return out
}

// usageCells are a container's CPU and memory used/request/limit
// (model.Usage.Summary) and the shares of request and limit they are.
func usageCells(c model.Container) (cpu, cpuPct, mem, memPct model.Cell) {
	ucpu, umem := c.UsageNow()
	cpu, mem = ucpu.Summary(model.FormatCPU), umem.Summary(model.FormatBytes)
	if !ucpu.Known {
		return cpu, model.Cell{Text: "-"}, mem, model.Cell{Text: "-"}
	}
	return cpu, pctCell(ucpu), mem, pctCell(umem)
}

// pctCell renders "used % of request / % of limit", graded as the usage is.
func pctCell(u model.Usage) model.Cell {
	p := func(v int) string {
		if v < 0 {
			return "-"
		}
		return fmt.Sprintf("%d%%", v)
	}
	return model.Cell{Text: p(model.Percent(u.Used, u.Request)) + "/" + p(model.Percent(u.Used, u.Limit)), Level: u.Level()}
}

// mostUrgentFirst orders workloads by their advice (advisor.Urgency:
// within a severity, what fails before what only saves), then one that is
// down before one that serves; the table and the advice section alike;
// ua and ub are their advice's advisor.Urgency.
func mostUrgentFirst(a, b model.Workload, ua, ub int) int {
	return cmp.Or(cmp.Compare(ub, ua), cmp.Compare(boolRank(b.Down()), boolRank(a.Down())))
}

func boolRank(v bool) int {
	if v {
		return 1
	}
	return 0
}

// eventsCell names the newest warning event of the container, and on a
// workload's first row the newest of the workload itself.
func eventsCell(w model.Workload, c model.Container, first bool) model.Cell {
	var evs []model.Event
	evs = append(evs, c.Events...)
	if first {
		evs = append(evs, w.Events...)
	}
	if len(evs) == 0 {
		return model.Cell{Text: "-"}
	}
	newest := evs[0]
	for _, e := range evs[1:] {
		if e.LastSeen.After(newest.LastSeen) {
			newest = e
		}
	}
	text := newest.Reason
	if newest.Count > 1 {
		text += fmt.Sprintf("×%d", newest.Count)
	}
	if len(evs) > 1 {
		text += fmt.Sprintf(" +%d", len(evs)-1)
	}
	return model.Cell{Text: text, Level: model.Near}
}
