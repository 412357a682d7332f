package report

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/kgotop/kgotop/internal/model"
)

func TestWrapNeverSplitsWords(t *testing.T) {
	s := "deploy/reports reports: liveness probe failed 3 times, last 7h59m ago: Get \"http://10.244.1.19:8080/healthz\": CrashLoopBackOff"
	for width := 10; width <= 60; width++ {
		lines := wrap(s, width, 2)
		var words []string
		for i, l := range lines {
			if i > 0 && !strings.HasPrefix(l, "  ") {
				t.Errorf("width %d: continuation %q lacks the hanging indent", width, l)
			}
			if w := lipgloss.Width(l); w > width && len(strings.Fields(l)) > 1 {
				t.Errorf("width %d: %q is %d wide yet has a space to break at", width, l, w)
			}
			words = append(words, strings.Fields(l)...)
		}
		if got := strings.Join(words, " "); got != s {
			t.Fatalf("width %d: words changed:\n%s\nwant\n%s", width, got, s)
		}
	}
}

func TestWrapHangsContinuationLines(t *testing.T) {
	got := wrap("      evidence: P50 81m · P90 102m · peak 103m · history 7h59m · samples"+glue+"1917", 50, 2)
	want := []string{
		"      evidence: P50 81m · P90 102m · peak 103m ·",
		"        history 7h59m · samples 1917",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWrapKeepsGluedWordsTogether(t *testing.T) {
	got := wrap("kgotop report · namespace shop · 2026-11-24"+glue+"14:00:00Z", 40, 2)
	if len(got) != 2 || got[1] != "  2026-11-24 14:00:00Z" {
		t.Errorf("date split from its time: %q", got)
	}
}

func TestCommandAndCodeStayWhole(t *testing.T) {
	cmd := "  $ kubectl patch deployment ingest -n kgotop-demo --type=strategic -p '{\"spec\":{\"template\":{}}}'"
	code := "        db.SetConnMaxLifetime(30 * time.Minute) // longer than your longest query"
	var b strings.Builder
	writeParas(&b, []para{{text: cmd, verbatim: true}, {text: code, verbatim: true}, prose("      a reason that is long enough to wrap at forty")}, 40)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 || lines[0] != cmd || lines[1] != code {
		t.Errorf("got\n%s", b.String())
	}
	if lines[3] != "        wrap at forty" {
		t.Errorf("prose continuation %q, want it two columns in", lines[3])
	}
}

func TestTableWrapsCellsAtSpacesAndKeepsNumbers(t *testing.T) {
	s := fixture()
	rs := rows(s, nil)
	for _, width := range []int{40, 60, 80, 100, 160} {
		out, cols := renderTable(rs, width)
		legend := legendFor(cols)
		for _, c := range columns {
			shown := strings.Contains(strings.SplitN(out, "\n", 2)[0], c.title)
			if c.legend != "" && !shown && strings.Contains(legend, c.title+" ") {
				t.Errorf("width %d: legend explains %s, which is not shown: %s", width, c.title, legend)
			}
		}
		head := strings.SplitN(out, "\n", 2)[0]
		for want, col := range map[string]string{"CrashLoopBackOff": "RESTARTS", "OOMKilled": "RESTARTS", "379Mi/300Mi/384Mi": "MEM"} {
			if strings.Contains(head, col) && !strings.Contains(out, want) {
				t.Errorf("width %d: table lacks %q whole:\n%s", width, want, out)
			}
		}
		// What says how bad a workload is stays at 60 columns: an OOMKill
		// must not hide behind its memory numbers.
		for _, col := range []string{"SEVERITY", "WORKLOAD", "READY", "RESTARTS"} {
			if width >= 60 && !strings.Contains(head, col) {
				t.Errorf("width %d: no %s column:\n%s", width, col, out)
			}
		}
		if width >= 80 {
			for _, l := range strings.Split(out, "\n") {
				if w := lipgloss.Width(l); w > width {
					t.Errorf("width %d: table line is %d wide: %q", width, w, l)
				}
			}
		}
	}
}

func TestTableCutsNamesOnlyAsALastResort(t *testing.T) {
	rs := []row{{workload: model.Cell{Text: "deploy/a-very-long-workload-name"}, container: model.Cell{Text: "a-long-container"},
		ready: model.Cell{Text: "1/1"}, golang: model.Cell{Text: "1.25.3"}, cpu: model.Cell{Text: "184m/200m/1"}, cpuPct: model.Cell{Text: "92%/18%"},
		mem: model.Cell{Text: "211Mi/256Mi/512Mi"}, memPct: model.Cell{Text: "82%/41%"}, restarts: model.Cell{Text: "0"}, probes: model.Cell{Text: "-"},
		events: model.Cell{Text: "-"}, severity: model.Cell{Text: "warning"}, firstOfWorkload: true}}
	out, cols := renderTable(rs, 36)
	if len(cols) != floorColumns || !strings.Contains(out, "…") || !strings.Contains(out, "warning") || !strings.Contains(out, "1/1") {
		t.Errorf("got %d columns:\n%s", len(cols), out)
	}
}

func TestPlural(t *testing.T) {
	if got := plural(1, "restart") + ", " + plural(int32(3), "kill") + ", " + plural(int64(0), "time"); got != "1 restart, 3 kills, 0 times" {
		t.Error(got)
	}
}
