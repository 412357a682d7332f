package report

import (
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"

	"github.com/kgotop/kgotop/internal/model"
)

// column is one table column; the ones with the lowest keep go first when
// the table must fit a narrow width.
type column struct {
	title string
	keep  int
	// legend says what the cells hold; columns with the same legend share
	// one entry. Empty: the title says it.
	legend string
	// clip marks cells of names and words that may be cut short with "…"
	// when nothing else fits; numbers never are.
	clip bool
	get  func(row) model.Cell
	// perWorkload marks a workload's cells: said on its first row only.
	perWorkload bool
}

// The legends, in the order the legend line gives them.
const (
	legendUsage    = "used now by the busiest replica / request / limit"
	legendPct      = "used now as a share of request / of limit"
	legendGo       = "the version go_info gives, 1.16? from the image, go? likely Go (env), ? unknown"
	legendProbes   = "L✗3 k1 = liveness failed 3 times, killed once (R readiness, S startup)"
	legendSeverity = "the most urgent advice on the workload, which the table is sorted by"
	legendEvents   = "the newest warning event, and +N others"
)

var legendOrder = []string{legendSeverity, legendUsage, legendPct, legendGo, legendProbes, legendEvents}

// The columns, in order; at any width the table keeps what says how bad a
// workload is (its severity, readiness and restarts: an OOMKill shows at
// 60 columns) before what says how much it uses.
var columns = []column{
	{"SEVERITY", 95, legendSeverity, false, func(r row) model.Cell { return r.severity }, true},
	{"WORKLOAD", 100, "", true, func(r row) model.Cell { return r.workload }, true},
	{"CONTAINER", 80, "", true, func(r row) model.Cell { return r.container }, false},
	{"READY", 90, "", false, func(r row) model.Cell { return r.ready }, false}, // 0/1 is news at any width
	{"GO", 40, legendGo, false, func(r row) model.Cell { return r.golang }, false},
	{"CPU", 65, legendUsage, false, func(r row) model.Cell { return r.cpu }, false},
	{"CPU%", 20, legendPct, false, func(r row) model.Cell { return r.cpuPct }, false},
	{"MEM", 70, legendUsage, false, func(r row) model.Cell { return r.mem }, false},
	{"MEM%", 30, legendPct, false, func(r row) model.Cell { return r.memPct }, false},
	{"RESTARTS", 85, "", false, func(r row) model.Cell { return r.restarts }, false}, // "CrashLoopBackOff" whole
	{"PROBES", 45, legendProbes, true, func(r row) model.Cell { return r.probes }, false},
	{"EVENTS", 50, legendEvents, true, func(r row) model.Cell { return r.events }, false},
}

// minColumns is how many columns a narrow table keeps before it wraps cells
// at spaces; floorColumns how many it keeps before it cuts cells short.
const (
	minColumns   = 6
	floorColumns = 4
)

// legendFor says what the given columns hold, and nothing of the others:
// "CPU and MEM: used now by ...; GO: ...".
func legendFor(cols []column) string {
	titles := map[string][]string{}
	for _, c := range cols {
		if c.legend != "" {
			titles[c.legend] = append(titles[c.legend], c.title)
		}
	}
	var parts []string
	for _, l := range legendOrder {
		if ts := titles[l]; len(ts) > 0 {
			parts = append(parts, strings.Join(ts, " and ")+": "+l)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}

// cellText is what a row shows in a column: a workload's further
// containers sit under its name.
func cellText(r row, c column) string {
	if c.perWorkload && !r.firstOfWorkload {
		return ""
	}
	return c.get(r).Text
}

// fitTable picks the columns and their widths for the table to fit width:
// it drops the least needed columns while the cells fit on one line; at
// minColumns it wraps cells at spaces instead; past floorColumns, when
// nothing else fits, it cuts names short.
func fitTable(rs []row, width int) ([]column, []int) {
	cols := slices.Clone(columns)
	for {
		natural, least := measure(rs, cols)
		room := width - (len(cols) - 1)
		switch {
		case sum(natural) <= room:
			return cols, natural
		case len(cols) <= minColumns && sum(least) <= room:
			return cols, spread(natural, least, room)
		case len(cols) <= floorColumns:
			return cols, squeeze(cols, least, room)
		}
		drop := 0
		for i, c := range cols {
			if c.keep < cols[drop].keep {
				drop = i
			}
		}
		cols = slices.Delete(cols, drop, drop+1)
	}
}

// measure returns each column's width on one line and its least width: its
// title or its longest word.
func measure(rs []row, cols []column) (natural, least []int) {
	natural, least = make([]int, len(cols)), make([]int, len(cols))
	for i, c := range cols {
		natural[i] = lipgloss.Width(c.title)
		least[i] = natural[i]
		for _, r := range rs {
			t := cellText(r, c)
			natural[i] = max(natural[i], lipgloss.Width(t))
			for _, w := range strings.Split(t, " ") {
				least[i] = max(least[i], lipgloss.Width(w))
			}
		}
	}
	return natural, least
}

func sum(ws []int) int {
	n := 0
	for _, w := range ws {
		n += w
	}
	return n
}

// spread widens columns from their least width toward their natural one,
// the most wrapped first, until room is used.
func spread(natural, least []int, room int) []int {
	ws := slices.Clone(least)
	for extra := room - sum(ws); extra > 0; extra-- {
		widest := -1
		for i := range ws {
			if d := natural[i] - ws[i]; d > 0 && (widest < 0 || d > natural[widest]-ws[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		ws[widest]++
	}
	return ws
}

// squeeze narrows the widest clippable column, a column at a time, until
// the table fits room or no column can give more.
func squeeze(cols []column, least []int, room int) []int {
	const narrowest = 5 // four characters and "…"
	ws := slices.Clone(least)
	for sum(ws) > room {
		widest := -1
		for i, c := range cols {
			if c.clip && ws[i] > narrowest && (widest < 0 || ws[i] > ws[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		ws[widest]--
	}
	return ws
}

// renderTable renders the rows in the columns that fit width, one space
// between columns, cells wrapped at spaces to their column's width. The
// fitting is ours; lipgloss's table lays the cells out.
func renderTable(rs []row, width int) (string, []column) {
	cols, ws := fitTable(rs, width)
	fit := func(t string, i int) string {
		parts := wrap(t, ws[i], 0)
		for j, p := range parts {
			parts[j] = truncate(p, ws[i])
		}
		return strings.Join(parts, "\n")
	}
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	cells := make([][]string, len(rs))
	for j, r := range rs {
		cells[j] = make([]string, len(cols))
		for i, c := range cols {
			cells[j][i] = fit(cellText(r, c), i)
		}
	}
	t := table.New().Headers(titles...).Rows(cells...).Wrap(true).
		Border(lipgloss.HiddenBorder()).BorderTop(false).BorderBottom(false).BorderLeft(false).
		BorderRight(false).BorderHeader(false).BorderColumn(false).
		StyleFunc(func(row, col int) lipgloss.Style {
			st := styleHeader
			if row != table.HeaderRow {
				st = styleLevel[model.Normal]
				if cellText(rs[row], cols[col]) != "" {
					st = styleLevel[cols[col].get(rs[row]).Level]
				}
			}
			if col < len(cols)-1 {
				return st.Width(ws[col] + 1).PaddingRight(1)
			}
			return st.Width(ws[col])
		})
	lines := strings.Split(t.Render(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n"), cols
}
