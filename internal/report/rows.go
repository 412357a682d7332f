package report

import (
	"fmt"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// level is how a cell should stand out.
type level int

const (
	normal level = iota
	idle         // far below its request: dim
	near         // near a limit: yellow
	over         // over a limit, or failing: red
)

// cell is one table cell with its emphasis.
type cell struct {
	text string
	lvl  level
}

// row is one workload container in the table.
type row struct {
	workload, container, ready cell
	golang                     cell
	cpu, cpuPct, mem, memPct   cell
	restarts, probes, warnings cell
	firstOfWorkload            bool
}

// usedNow returns the largest current usage across a container's replicas
// and whether any replica has a sample.
func usedNow(c model.Container) (cpu, mem int64, ok bool) {
	for _, in := range c.Instances {
		if in.Usage != nil {
			cpu, mem, ok = max(cpu, in.Usage.CPU), max(mem, in.Usage.Memory), true
		}
	}
	return cpu, mem, ok
}

func rows(s model.Snapshot) []row {
	var out []row
	for _, w := range s.Workloads {
		for i, c := range w.Containers {
			r := row{
				workload:        cell{text: w.Ref.Kind.Short() + "/" + w.Ref.Name},
				container:       cell{text: c.Name},
				ready:           cell{text: fmt.Sprintf("%d/%d", w.Ready, w.Desired)},
				firstOfWorkload: i == 0,
			}
			if s.Namespace == "" {
				r.workload.text = w.Ref.Namespace + "/" + r.workload.text
			}
			if w.Ready < w.Desired {
				r.ready.lvl = near
			}
			r.golang = goCell(c.Go)
			r.cpu, r.cpuPct, r.mem, r.memPct = usageCells(c)
			r.restarts = restartCell(c, s.Taken)
			r.probes = probeCell(c)
			r.warnings = warningCell(w, c, i == 0)
			out = append(out, r)
		}
	}
	return out
}

func usageCells(c model.Container) (cpu, cpuPct, mem, memPct cell) {
	req, lim := c.Resources.Requests, c.Resources.Limits
	ucpu, umem, ok := usedNow(c)
	used := func(v int64, f func(int64) string) string {
		if !ok {
			return "?"
		}
		if v == 0 {
			return "0"
		}
		return f(v)
	}
	cpu.text = used(ucpu, model.FormatCPU) + "/" + model.FormatCPU(req.CPU) + "/" + model.FormatCPU(lim.CPU)
	mem.text = used(umem, model.FormatBytes) + "/" + model.FormatBytes(req.Memory) + "/" + model.FormatBytes(lim.Memory)
	if !ok {
		cpuPct.text, memPct.text = "-", "-"
		cpu.lvl, mem.lvl = idle, idle
		return
	}
	cpuPct = pctCell(ucpu, req.CPU, lim.CPU, 90)
	memPct = pctCell(umem, req.Memory, lim.Memory, 90)
	cpu.lvl, mem.lvl = cpuPct.lvl, memPct.lvl
	return
}

// pctCell renders "used % of request / % of limit" and grades it: at or over
// the limit is red, past nearPct of the limit yellow, under a tenth of the
// request dim (paid for, unused).
func pctCell(used, req, lim int64, nearPct int) cell {
	pr, pl := model.Percent(used, req), model.Percent(used, lim)
	p := func(v int) string {
		if v < 0 {
			return "-"
		}
		return fmt.Sprintf("%d%%", v)
	}
	c := cell{text: p(pr) + "/" + p(pl)}
	switch {
	case pl >= 100:
		c.lvl = over
	case pl >= nearPct:
		c.lvl = near
	case pr >= 0 && pr < 10:
		c.lvl = idle
	}
	return c
}

// restartCell says how often the container restarted and why, last first.
func restartCell(c model.Container, now time.Time) cell {
	text, restarted, severe := c.RestartSummary(now, false)
	switch {
	case severe:
		return cell{text: text, lvl: over}
	case restarted:
		return cell{text: text, lvl: near}
	}
	return cell{text: text}
}

// probeCell lists failing probes: "L✗9 k3 R✗4".
func probeCell(c model.Container) cell {
	if text, _, _ := c.ProbeSummary(); text != "" {
		return cell{text: text, lvl: near}
	}
	return cell{text: "-"}
}

// warningCell names the newest warning of the container, and on a workload's
// first row the newest warning of the workload itself.
func warningCell(w model.Workload, c model.Container, first bool) cell {
	var evs []model.Event
	evs = append(evs, c.Events...)
	if first {
		evs = append(evs, w.Events...)
	}
	if len(evs) == 0 {
		return cell{text: "-"}
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
	return cell{text: text, lvl: near}
}
