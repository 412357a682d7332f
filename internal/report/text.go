package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// styles for text output; a colorprofile writer strips them where colour is
// not wanted (no terminal, NO_COLOR).
var (
	styleHeader = lipgloss.NewStyle().Bold(true)
	styleLevel  = map[level]lipgloss.Style{
		normal: lipgloss.NewStyle(),
		idle:   lipgloss.NewStyle().Faint(true),
		near:   lipgloss.NewStyle().Foreground(lipgloss.Yellow),
		over:   lipgloss.NewStyle().Foreground(lipgloss.Red).Bold(true),
	}
)

// column is one table column; the ones with the lowest keep go first when
// the table must fit a narrow width.
type column struct {
	title string
	keep  int
	get   func(row) cell
}

var columns = []column{
	{"WORKLOAD", 10, func(r row) cell { return r.workload }},
	{"CONTAINER", 9, func(r row) cell { return r.container }},
	{"READY", 5, func(r row) cell { return r.ready }},
	{"GO", 5, func(r row) cell { return r.golang }},
	{"CPU", 8, func(r row) cell { return r.cpu }},
	{"%req/lim", 4, func(r row) cell { return r.cpuPct }},
	{"MEM", 8, func(r row) cell { return r.mem }},
	{"%req/lim", 4, func(r row) cell { return r.memPct }},
	{"RESTARTS", 7, func(r row) cell { return r.restarts }},
	{"PROBES", 6, func(r row) cell { return r.probes }},
	{"WARNINGS", 3, func(r row) cell { return r.warnings }},
}

// legend says what the usage cells hold.
const legend = "CPU and MEM: used now by the busiest replica / request / limit; %req/lim: used as a share of request / of limit; " +
	"GO: the version go_info gives, likely (Go env or image) or ?."

// minColumns is how many columns a narrow table keeps before it wraps cells.
const minColumns = 6

func writeText(w io.Writer, s model.Snapshot, advice []advisor.Advice, width int) error {
	var b strings.Builder
	head := fmt.Sprintf("kgotop report · %s · %s · %s", scope(s), s.Taken.UTC().Format(time.DateTime+"Z"), metricsSpan(s))
	b.WriteString(styleHeader.Render(wrap(head, width)) + "\n")
	for _, l := range statusLines(s) {
		b.WriteString(styleLevel[near].Render(wrap(l, width)) + "\n")
	}
	b.WriteString("\n")
	rs := rows(s)
	if len(rs) == 0 {
		b.WriteString("No pods or workloads found.\n")
	} else {
		b.WriteString(wrap(legend, width) + "\n\n" + renderTable(rs, width) + "\n")
		if d := details(s); len(d) > 0 {
			b.WriteString("\n" + styleHeader.Render("DETAILS") + "\n")
			for _, l := range d {
				b.WriteString(wrap(l, width) + "\n")
			}
		}
	}
	if was := adviceByWorkload(s, advice); len(was) > 0 {
		b.WriteString("\n" + styleHeader.Render("ADVICE") + "\n")
		for _, wa := range was {
			for _, l := range adviceLines(wa, s.Namespace == "") {
				if !strings.HasPrefix(l, "  $ ") { // a command stays whole, to copy
					l = wrap(l, width)
				}
				b.WriteString(l + "\n")
			}
			b.WriteString("\n")
		}
	} else {
		b.WriteString("\n")
	}
	b.WriteString(summary(s, advice) + "\n")
	_, err := io.WriteString(w, trimLines(b.String()))
	return err
}

// trimLines drops the padding that tables and wrapping leave at line ends.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// renderTable drops the least needed columns until the table fits width;
// past minColumns it wraps cells instead.
func renderTable(rs []row, width int) string {
	cols := append([]column(nil), columns...)
	for {
		out := buildTable(rs, cols, 0)
		if lipgloss.Width(out) <= width {
			return out
		}
		if len(cols) <= minColumns {
			return buildTable(rs, cols, width)
		}
		drop := 0
		for i, c := range cols {
			if c.keep < cols[drop].keep {
				drop = i
			}
		}
		cols = append(cols[:drop], cols[drop+1:]...)
	}
}

// buildTable renders the rows in the given columns; a width > 0 makes the
// table wrap its cells to fit.
func buildTable(rs []row, cols []column, width int) string {
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.title
	}
	t := table.New().Headers(headers...).
		Border(lipgloss.HiddenBorder()).BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderHeader(false).BorderColumn(true).
		StyleFunc(func(r, c int) lipgloss.Style {
			if r == table.HeaderRow {
				return styleHeader
			}
			return styleLevel[cols[c].get(rs[r]).lvl]
		})
	if width > 0 {
		t.Width(width)
	}
	for _, r := range rs {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = c.get(r).text
			if i == 0 && !r.firstOfWorkload {
				cells[i] = "" // a workload's further containers sit under its name
			}
		}
		t.Row(cells...)
	}
	return t.Render()
}

// details are the lines behind the table's cells: why containers restart,
// what probes say, which warnings the workload has.
func details(s model.Snapshot) []string {
	var out []string
	for _, w := range s.Workloads {
		name := w.Ref.Kind.Short() + "/" + w.Ref.Name
		if s.Namespace == "" {
			name = w.Ref.Namespace + "/" + name
		}
		for _, c := range w.Containers {
			who := name + " " + c.Name + ": "
			if last := c.LastTermination(); last != nil {
				line := fmt.Sprintf("%slast terminated %s (exit code %d)", who, orUnknown(last.Reason), last.ExitCode)
				if !last.FinishedAt.IsZero() {
					line += " " + model.FormatAge(s.Taken.Sub(last.FinishedAt)) + " ago"
				}
				if n := c.Terminations(last.Reason); n > 1 {
					line += fmt.Sprintf(", in %d pods", n)
				}
				out = append(out, line+fmt.Sprintf("; %d restarts", c.RestartCount()))
			}
			for _, in := range c.Instances {
				if in.Waiting != "" && in.Waiting != "ContainerCreating" {
					out = append(out, fmt.Sprintf("%spod %s waiting: %s %s", who, in.Pod, in.Waiting, in.WaitingMessage))
				}
			}
			for _, pf := range c.ProbeFailures {
				line := fmt.Sprintf("%s%s probe failed %d times", who, pf.Probe, pf.Count)
				if pf.Kills > 0 {
					line += fmt.Sprintf(", %d kills", pf.Kills)
				}
				if pf.LastMessage != "" {
					line += fmt.Sprintf(", last %s ago: %s", model.FormatAge(s.Taken.Sub(pf.LastSeen)), pf.LastMessage)
				}
				out = append(out, line)
			}
			for _, e := range c.Events {
				out = append(out, fmt.Sprintf("%s%s ×%d: %s", who, e.Reason, e.Count, e.Message))
			}
			out = append(out, goDetails(who, c.Go)...)
		}
		for _, e := range w.Events {
			out = append(out, fmt.Sprintf("%s: %s ×%d on %s: %s", name, e.Reason, e.Count, e.Object, e.Message))
		}
		if h := w.HPA; h != nil {
			for _, m := range h.Metrics {
				if m.TargetUtilization > 0 {
					out = append(out, fmt.Sprintf("%s: HPA %s scales %d-%d on %s at %d%% of request (now %d%%, %d replicas)",
						name, h.Name, h.MinReplicas, h.MaxReplicas, m.Resource, m.TargetUtilization, m.CurrentUtilization, h.CurrentReplicas))
				}
			}
		}
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "(no reason)"
	}
	return s
}

// wrap hard-wraps a line to width, indenting continuation lines.
func wrap(s string, width int) string {
	if width < 20 || lipgloss.Width(s) <= width {
		return s
	}
	return trimLines(lipgloss.NewStyle().Width(width).Render(s))
}
