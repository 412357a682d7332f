package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/model"
)

// segment is a piece of the header. When the terminal is narrow, the
// header shortens segments to their short text and drops them, lowest
// priority first: a segment shortens at shortPrio and goes at prio.
type segment struct {
	text, short string
	lvl         model.Level
	prio        int
	shortPrio   int
	glue        bool // joined to the one before with a single space
}

// Header priorities: what stays longest on a narrow terminal.
const (
	prioNamespace = 90
	prioCounts    = 85
	prioMetrics   = 80
	prioContext   = 70
	prioShortCtx  = 55
	prioPast      = 52
	prioShortNums = 50
	prioAPI       = 45
	// The history's source: its kind, then where it is.
	prioPastSource  = 35
	prioWindow      = 30
	prioPastAddress = 25
	prioHelpHint    = 20
	prioRefresh     = 10
	// History loading or unavailable (the status line says why).
	prioPastNote = 4
)

// headerView renders the top line: where kgotop looks, how fresh its data
// is, and how much advice there is.
func headerView(d *Deps, snap *model.Snapshot, loaded bool, counts adviceCounts, now time.Time, refresh time.Duration, width int, st Styles) string {
	ns := d.Namespace
	if ns == "" {
		ns = "all namespaces"
	} else {
		ns = "ns " + ns
	}
	ctx, short := orDash(d.Context), d.ShortContext
	if short == "" {
		short = ctx
	}
	left := []segment{{text: "ctx " + ctx, short: short, prio: prioContext, shortPrio: prioShortCtx}, {text: ns, prio: prioNamespace}}
	src := snap.Sources
	if loaded {
		left = append(left, metricsSegments(src.Metrics, now)...)
		if src.API.Live {
			left = append(left, segment{text: "api live", prio: prioAPI})
		} else {
			left = append(left, segment{text: "api stale " + model.FormatAge(now.Sub(src.API.StaleSince)), lvl: model.Over, prio: prioMetrics})
		}
		left = append(left, pastSegments(src.Past, now)...)
		if src.Metrics.Interval > 0 {
			refresh = src.Metrics.Interval
		}
	}
	left = append(left, segment{text: "refresh " + model.FormatAge(refresh), lvl: model.Idle, prio: prioRefresh})

	right := []segment{{text: "? help", lvl: model.Idle, prio: prioHelpHint}}
	if loaded {
		right = append([]segment{{text: countsText(counts, false, st), short: countsText(counts, true, st), prio: prioCounts, shortPrio: prioShortNums}}, right...)
	}
	title := st.Title.Render(" kgotop ")
	avail := width - ansi.StringWidth(title) - 1
	for {
		l, r := joinSegments(left, "  ", st), joinSegments(right, "  ", st)
		gap := avail - ansi.StringWidth(l) - ansi.StringWidth(r)
		if gap >= 2 || len(left)+len(right) <= 2 {
			return truncate(title+" "+l+strings.Repeat(" ", max(gap, 1))+r, width)
		}
		left, right = narrower(left, right)
	}
}

// countsText says how much critical and warning advice there is: "● 2
// critical  ▲ 16 warning", or short "●2 ▲16".
func countsText(n adviceCounts, short bool, st Styles) string {
	crit, warn, sep := fmt.Sprintf("● %d critical", n.crit), fmt.Sprintf("▲ %d warning", n.warn), "  "
	if short {
		crit, warn, sep = fmt.Sprintf("●%d", n.crit), fmt.Sprintf("▲%d", n.warn), " "
	}
	return st.render(ifElse(n.crit > 0, model.Over, model.Idle), crit) + sep + st.render(ifElse(n.warn > 0, model.Near, model.Idle), warn)
}

// metricsSegments say whether metrics flow and how old the newest sample is.
func metricsSegments(m model.MetricsStatus, now time.Time) []segment {
	switch {
	case m.State == model.MetricsUnavailable:
		return []segment{{text: "metrics unavailable", lvl: model.Over, prio: prioMetrics}}
	case m.Newest.IsZero():
		return []segment{{text: "metrics waiting", lvl: model.Idle, prio: prioMetrics}}
	}
	age := now.Sub(m.Newest)
	lvl := model.Normal
	if m.Window > 0 && age > 4*m.Window {
		lvl = model.Near
	}
	out := []segment{{text: "metrics " + model.FormatAge(age) + " ago", lvl: lvl, prio: prioMetrics}}
	if m.Window > 0 {
		out = append(out, segment{text: "(" + model.FormatAge(m.Window) + " window)", lvl: model.Idle, prio: prioWindow, glue: true})
	}
	return out
}

func joinSegments(ss []segment, sep string, st Styles) string {
	var b strings.Builder
	for i, s := range ss {
		switch {
		case i > 0 && s.glue:
			b.WriteByte(' ')
		case i > 0:
			b.WriteString(sep)
		}
		b.WriteString(st.render(s.lvl, s.text))
	}
	return b.String()
}

// narrower takes the step of lowest priority on either side: it shortens
// a segment that has a short text, or drops one.
func narrower(left, right []segment) ([]segment, []segment) {
	side, at, lowest, shorten := 0, -1, 1<<30, false
	for n, ss := range [][]segment{left, right} {
		for i, s := range ss {
			if s.short != "" && s.shortPrio < lowest {
				side, at, lowest, shorten = n, i, s.shortPrio, true
			}
			if s.prio < lowest {
				side, at, lowest, shorten = n, i, s.prio, false
			}
		}
	}
	ss := [][]segment{left, right}[side]
	ss = slices.Clone(ss)
	if shorten {
		ss[at].text, ss[at].short = ss[at].short, ""
	} else {
		ss = slices.Delete(ss, at, at+1)
	}
	if side == 0 {
		return ss, right
	}
	return left, ss
}

// statusView renders the line under the header: problems with the data
// sources when there are any (never a crash), on two lines when they need
// them, else what the table shows.
func statusView(snap *model.Snapshot, loaded bool, loading string, t *tableModel, width int, st Styles) []string {
	var problems []segment
	src := snap.Sources
	switch {
	case !loaded:
		problems = append(problems, segment{text: "Loading: " + loading + "… (q quits)", lvl: model.Idle})
	case !src.Synced:
		problems = append(problems, segment{text: "Listing pods and workloads for the first time…", lvl: model.Idle})
	}
	if loaded && !src.API.Live {
		msg := "API server unreachable since " + src.API.StaleSince.Format("15:04:05") + ": showing the last state"
		if src.API.Error != "" {
			msg += " (" + src.API.Error + ")"
		}
		problems = append(problems, segment{text: msg, lvl: model.Over})
	}
	if src.Metrics.State == model.MetricsUnavailable {
		problems = append(problems, segment{text: "metrics: " + orDash(src.Metrics.Reason), lvl: model.Near})
	}
	if p, ok := pastStatus(src.Past); ok && loaded {
		problems = append(problems, p)
	}
	if len(src.Unavailable) > 0 {
		var what []string
		for _, u := range src.Unavailable {
			what = append(what, u.String())
		}
		problems = append(problems, segment{text: "forbidden: " + strings.Join(what, ", "), lvl: model.Near})
	}
	if len(problems) > 0 {
		lines := strings.Split(ansi.Wrap(joinSegments(problems, " · ", st), width-1, ""), "\n")
		if len(lines) > 2 {
			lines = lines[:2]
			lines[1] = ansi.Truncate(lines[1]+" …", width-1, "…")
		}
		for i := range lines {
			lines[i] = " " + lines[i]
		}
		return lines
	}
	shown, total := len(t.order), len(t.rows)
	text := plural(total, "workload")
	if shown != total {
		text = fmt.Sprintf("%d of %s", shown, text)
	}
	text += " · sorted by " + sortNames[t.sortCol]
	if t.reverse {
		text += " (reversed)"
	}
	if q := t.filter.Value(); q != "" {
		text += fmt.Sprintf(" · filter %q", q)
	}
	if note := pastNote(src.Past); note != "" {
		text += " · " + note
	}
	return []string{st.Dim.Render(truncate(" "+text, width))}
}

// orDash is s, or "-" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ifElse is a when cond holds, else b.
func ifElse[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}
