package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// writeMarkdown renders the report for a ticket or a pull request comment:
// a GitHub-flavoured table and the same details as text.
func writeMarkdown(w io.Writer, s model.Snapshot) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## kgotop report\n\n%s · %s · %s\n\n", scope(s), s.Taken.UTC().Format(time.DateTime+"Z"), metricsSpan(s))
	for _, l := range statusLines(s) {
		fmt.Fprintf(&b, "> %s\n", mdEscape(l))
	}
	if len(statusLines(s)) > 0 {
		b.WriteString("\n")
	}
	rs := rows(s)
	if len(rs) == 0 {
		b.WriteString("No pods or workloads found.\n")
	} else {
		b.WriteString(legend + "\n\n")
		titles := make([]string, len(columns))
		for i, c := range columns {
			titles[i] = c.title
		}
		b.WriteString("| " + strings.Join(titles, " | ") + " |\n")
		b.WriteString(strings.Repeat("|---", len(columns)) + "|\n")
		for _, r := range rs {
			cells := make([]string, len(columns))
			for i, c := range columns {
				cells[i] = mdEscape(c.get(r).text)
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
	nw, nc := s.Counts()
	fmt.Fprintf(&b, "\n%d workloads, %d containers.\n", nw, nc)
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps a value from breaking a table cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;").Replace(s)
}
