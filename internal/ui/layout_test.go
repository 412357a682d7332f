package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/model"
)

// titleLine is the table's column titles as drawn.
func titleLine(m Model) string {
	for _, l := range strings.Split(ansi.Strip(m.View().Content), "\n") {
		if strings.Contains(l, "WORKLOAD") {
			return l
		}
	}
	return ""
}

// Values that come and go between refreshes (a restart reason, a usage
// reaching a new digit) must not make the columns jump back and forth: the
// layout only settles, until the terminal changes width.
func TestColumnsDoNotJitter(t *testing.T) {
	for _, width := range []int{80, 120, 160, 200} {
		m := start(t, deps(fixture(), nil), width, 30)
		wide := fixture()
		wide.Workloads[2].Containers[0].Instances[0].RestartCount = 1234
		wide.Workloads[2].Containers[0].Instances[0].LastTermination = &model.Termination{Reason: "Error", ExitCode: 143, FinishedAt: t0.Add(-90 * time.Minute)}
		wide.Workloads[2].Containers[0].Instances[0].Usage.CPU = 1_234_567

		m = refreshWith(t, m, wide)
		settled, layout := titleLine(m), m.table.layout(width)
		for i := range 4 {
			m = refreshWith(t, m, fixture()) // narrower again
			if got := titleLine(m); got != settled || m.table.layout(width) != layout {
				t.Fatalf("%d columns, refresh %d: the layout went back:\n%s\n%s", width, i, settled, got)
			}
			m = refreshWith(t, m, wide)
			if got := titleLine(m); got != settled {
				t.Fatalf("%d columns, refresh %d: the layout moved:\n%s\n%s", width, i, settled, got)
			}
		}
		m = send(t, m, tea.WindowSizeMsg{Width: width + 1, Height: 30})
		m = refreshWith(t, m, fixture())
		m = send(t, m, tea.WindowSizeMsg{Width: width, Height: 30})
		if m.table.widths != m.table.content {
			t.Fatalf("%d columns: a resize should lay out from the latest snapshot alone", width)
		}
	}
}

// A new namespace (another table) forgets what the old one needed.
func TestColumnWidthsResetWithTheNamespace(t *testing.T) {
	m := start(t, deps(fixture(), nil), 120, 30)
	all := fixture()
	all.Namespace = "" // names carry their namespace: wider
	m = refreshWith(t, m, all)
	m = refreshWith(t, m, fixture())
	if m.table.widths != m.table.content {
		t.Fatal("the namespace changed: the widths should start again")
	}
}

// s never sorts by a column the width hides, and a column sorted by before
// the terminal shrank stays on screen.
func TestSortSkipsHiddenColumns(t *testing.T) {
	for _, width := range []int{80, 120, 160, 200} {
		m := start(t, deps(fixture(), nil), width, 30)
		for range numSortable {
			m = press(t, m, "s")
			if m.table.layout(width).width[m.table.sortCol] == 0 {
				t.Fatalf("%d columns: sorted by hidden column %s", width, sortNames[m.table.sortCol])
			}
			if title := titleLine(m); !strings.ContainsAny(title, "↓↑") {
				t.Fatalf("%d columns: sorted by %s, no arrow in %q", width, sortNames[m.table.sortCol], title)
			}
		}
	}
	m := start(t, deps(fixture(), nil), 200, 30)
	for m.table.sortCol != colKind {
		m = press(t, m, "s")
	}
	m = send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if !strings.Contains(titleLine(m), "KIND↓") {
		t.Fatalf("sorted by kind at 80 columns, and no KIND column: %q", titleLine(m))
	}
}

// A narrow terminal cuts the names' marks (" (2)", " · resized 12m ago")
// first, then RESTARTS and PROBES, and the names themselves last: a
// container's name under its workload would be cut to nothing first.
func TestNamesAreCutLast(t *testing.T) {
	var c widths
	c.col[colName], c.col[colKind], c.col[colReady], c.col[colGo] = 30, 4, 6, 8
	c.col[colCPU], c.col[colMem], c.col[colRestarts], c.col[colProbes], c.col[colAdvice] = 14, 17, 22, 8, 9
	c.name = 15 // "   └ log-shipper"
	whole := 0
	for total := 60; total <= 200; total++ {
		w := fit(c, total, colAdvice).width
		restartsCut, probesCut := w[colRestarts] > colLimits[colRestarts][0] && w[colRestarts] < 22, w[colProbes] > colLimits[colProbes][0] && w[colProbes] < 8
		switch {
		case w[colName] < c.name && (w[colRestarts] > colLimits[colRestarts][0] || w[colProbes] > colLimits[colProbes][0]):
			t.Errorf("%d cells: the names cut to %d while RESTARTS is %d wide and PROBES %d", total, w[colName], w[colRestarts], w[colProbes])
		case w[colName] > c.name && w[colName] < 30 && (restartsCut || probesCut):
			t.Errorf("%d cells: RESTARTS (%d) or PROBES (%d) cut before the names' marks (%d)", total, w[colRestarts], w[colProbes], w[colName])
		}
		if w[colName] == c.name && w[colRestarts] == 22 {
			whole++
		}
	}
	if whole == 0 {
		t.Error("no width shows the names whole with their marks cut")
	}
}
