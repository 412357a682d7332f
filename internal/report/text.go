package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// styles for text output; a colorprofile writer strips them where colour is
// not wanted (no terminal, NO_COLOR).
var (
	styleHeader = lipgloss.NewStyle().Bold(true)
	styleLevel  = map[model.Level]lipgloss.Style{
		model.Normal: lipgloss.NewStyle(),
		model.Idle:   lipgloss.NewStyle().Faint(true),
		model.Near:   lipgloss.NewStyle().Foreground(lipgloss.Yellow),
		model.Over:   lipgloss.NewStyle().Foreground(lipgloss.Red).Bold(true),
	}
)

// writeText renders the report for a terminal or a file: the table fitted to
// width, prose wrapped at spaces, commands and code whole.
func writeText(w io.Writer, s model.Snapshot, advice []advisor.Advice, opts Options) error {
	width := opts.Width
	var b strings.Builder
	// The date and its time stay on one line.
	taken := s.Taken.UTC().Format(strings.Replace(time.DateTime, " ", glue, 1) + "Z")
	ps := []para{prose(fmt.Sprintf("kgotop report · %s · %s · %s", scope(s), taken, metricsSpan(s))).styled(styleHeader)}
	for _, l := range statusLines(s) {
		ps = append(ps, prose(l).styled(styleLevel[model.Near]))
	}
	ps = append(ps, prose(summary(s, advice)).styled(styleHeader))
	writeParas(&b, ps, width)
	b.WriteString("\n")
	if rs := rows(s, advice); len(rs) == 0 {
		b.WriteString("No pods or workloads found.\n")
	} else {
		table, cols := renderTable(rs, width)
		if l := legendFor(cols); l != "" {
			writeParas(&b, []para{prose(l)}, width)
			b.WriteString("\n")
		}
		b.WriteString(table + "\n")
		writeSection(&b, "DETAILS", details(s), width)
	}
	writeSection(&b, "APPLIED CHANGES", changeLines(s), width)
	was, unknown := adviceByWorkload(s, advice), unknownGoLine(opts.UnknownGo, s.Namespace == "")
	if len(was) > 0 || unknown != "" {
		b.WriteString("\n" + styleHeader.Render("ADVICE") + "\n")
		if unknown != "" {
			writeParas(&b, []para{prose("· " + unknown)}, width)
		}
		for i, wa := range was {
			if i > 0 || unknown != "" {
				b.WriteString("\n")
			}
			writeParas(&b, adviceParas(wa, s.Namespace == "", width), width)
		}
	}
	_, err := io.WriteString(w, trimLines(b.String()))
	return err
}

// writeSection writes a titled section of prose lines, wrapped to width;
// nothing when there are none.
func writeSection(b *strings.Builder, title string, lines []string, width int) {
	if len(lines) == 0 {
		return
	}
	b.WriteString("\n" + styleHeader.Render(title) + "\n")
	ps := make([]para, len(lines))
	for i, l := range lines {
		ps[i] = prose(l)
	}
	writeParas(b, ps, width)
}

// trimLines drops the padding that tables leave at line ends.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
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
				out = append(out, line+"; "+plural(c.RestartCount(), "restart"))
			}
			for _, in := range c.Instances {
				if in.Waiting != "" && in.Waiting != "ContainerCreating" {
					out = append(out, fmt.Sprintf("%spod %s waiting: %s %s", who, in.Pod, in.Waiting, in.WaitingMessage))
				}
			}
			for _, pf := range c.ProbeFailures {
				line := fmt.Sprintf("%s%s probe failed %s", who, pf.Probe, plural(pf.Count, "time"))
				if pf.Kills > 0 {
					line += ", " + plural(pf.Kills, "kill")
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
					out = append(out, fmt.Sprintf("%s: HPA %s scales %d-%d on %s at %d%% of request (now %s, %d replicas)",
						name, h.Name, h.MinReplicas, h.MaxReplicas, m.Resource, m.TargetUtilization, m.Now(), h.CurrentReplicas))
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
