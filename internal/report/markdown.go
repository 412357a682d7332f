package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// writeMarkdown renders the report for a ticket or a pull request comment:
// a GitHub-flavoured table and the same details as text.
func writeMarkdown(w io.Writer, s model.Snapshot, advice []advisor.Advice, unknownGo []advisor.Target) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## kgotop report\n\n%s · %s · %s\n\n**%s**\n\n", scope(s), s.Taken.UTC().Format(time.DateTime+"Z"), metricsSpan(s), summary(s, advice))
	for _, l := range statusLines(s) {
		fmt.Fprintf(&b, "> %s\n", mdEscape(l))
	}
	if len(statusLines(s)) > 0 {
		b.WriteString("\n")
	}
	rs := rows(s, advice)
	if len(rs) == 0 {
		b.WriteString("No pods or workloads found.\n")
	} else {
		b.WriteString(legendFor(columns) + "\n\n")
		titles := make([]string, len(columns))
		for i, c := range columns {
			titles[i] = c.title
		}
		b.WriteString("| " + strings.Join(titles, " | ") + " |\n")
		b.WriteString(strings.Repeat("|---", len(columns)) + "|\n")
		for _, r := range rs {
			cells := make([]string, len(columns))
			for i, c := range columns {
				cells[i] = mdEscape(c.get(r).Text)
			}
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		}
		if d := details(s); len(d) > 0 {
			b.WriteString("\n### Details\n\n")
			for _, l := range d {
				b.WriteString("- " + mdEscape(l) + "\n")
			}
		}
	}
	if cl := changeLines(s); len(cl) > 0 {
		b.WriteString("\n### Applied changes\n\n")
		for _, l := range cl {
			b.WriteString("- " + mdEscape(l) + "\n")
		}
	}
	was, unknown := adviceByWorkload(s, advice), unknownGoLine(unknownGo, s.Namespace == "")
	if len(was) > 0 || unknown != "" {
		b.WriteString("\n### Advice\n")
		if unknown != "" {
			b.WriteString("\n" + mdEscape(unknown) + "\n")
		}
		for _, wa := range was {
			writeMarkdownAdvice(&b, wa)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdownAdvice(b *strings.Builder, wa workloadAdvice) {
	fmt.Fprintf(b, "\n#### %s %s/%s\n\n", strings.ToUpper(string(advisor.Worst(wa.advice))), wa.w.Ref.Kind.Short(), wa.w.Ref.Name)
	for _, a := range wa.advice {
		who := ""
		if a.Target.Container != "" {
			who = "`" + a.Target.Container + "` "
		}
		fmt.Fprintf(b, "- **%s** %s%s: %s (confidence %s", a.Severity, who, mdEscape(adviceHeadline(a)), mdEscape(a.Reason), a.Confidence.Level)
		if a.Confidence.Note != "" {
			b.WriteString(": " + mdEscape(a.Confidence.Note))
		}
		b.WriteString(")\n")
		if ev := evidenceLine(a.Evidence, " "); ev != "" {
			b.WriteString("  - evidence: " + mdEscape(ev) + "\n")
		}
		if a.Range != nil { // its own line, as the text report has it
			b.WriteString("  - range: " + mdEscape(a.Range.Words()) + "\n")
		}
		for _, n := range a.Notes {
			b.WriteString("  - note: " + mdEscape(n) + "\n")
		}
		switch rb, ok := undoRunbook(wa.w); {
		case a.Kind == advisor.KindAfterChange && a.Code != "" && ok:
			writeMarkdownRunbook(b, rb, "  ")
		case a.Code != "" && !a.Patchable():
			fmt.Fprintf(b, "\n  ```%s\n", a.CodeLang)
			for _, l := range strings.Split(strings.TrimRight(a.Code, "\n"), "\n") {
				b.WriteString("  " + l + "\n")
			}
			b.WriteString("  ```\n")
		}
	}
	switch {
	case wa.patch != nil:
		writeMarkdownRunbook(b, runbookFor(wa.w, *wa.patch, emergencyRaise(wa)), "")
	case wa.noPatch != "":
		b.WriteString("\nNo patch: " + mdEscape(wa.noPatch) + "\n")
	}
}

// writeMarkdownRunbook writes a runbook's commands as one shell block,
// under what they do when the pods are resized first, then the template
// patch's effect and the notes, indented by indent.
func writeMarkdownRunbook(b *strings.Builder, rb runbook, indent string) {
	b.WriteString("\n")
	if rb.inPlace {
		b.WriteString(indent + mdEscape(inPlaceHead) + "\n\n")
	}
	b.WriteString(indent + "```sh\n")
	for _, c := range rb.commands {
		b.WriteString(indent + c + "\n")
	}
	b.WriteString(indent + "```\n\n" + indent + rb.effect + "\n")
	for _, n := range rb.notes {
		b.WriteString(indent + "- note: " + mdEscape(n) + "\n")
	}
	for _, w := range rb.warnings {
		b.WriteString(indent + "- warning: " + mdEscape(w) + "\n")
	}
}

// mdEscape keeps a value from breaking a table cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;").Replace(s)
}
