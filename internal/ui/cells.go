package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// share is the part of the limit used, or of the request when there is no
// limit; -1 when unknown. The bars draw it.
func share(u model.Usage) float64 {
	switch {
	case !u.Known:
		return -1
	case u.Limit > 0:
		return float64(u.Used) / float64(u.Limit)
	case u.Request > 0:
		return float64(u.Used) / float64(u.Request)
	}
	return -1
}

// sumUsage adds a pod's containers up; a limit counts only when every
// container has one (otherwise the pod has none).
func sumUsage(us []model.Usage) model.Usage {
	var s model.Usage
	limited := len(us) > 0
	for _, u := range us {
		s.Used += u.Used
		s.Request += u.Request
		s.Limit += u.Limit
		s.Known = s.Known || u.Known
		limited = limited && u.Limit > 0
	}
	if !limited {
		s.Limit = 0
	}
	return s
}

// barBlocks are the eighths of a cell, for bars.
var barBlocks = []rune(" ▏▎▍▌▋▊▉█")

// bar draws frac (0..1, clipped) as a bar of width cells, followed by the
// percentage once it reaches 90%: "███▊", "████ 93%"; "?" when unknown.
func bar(frac float64, width int) string {
	if frac < 0 {
		return "?"
	}
	eighths := int(min(frac, 1)*float64(width*8) + 0.5)
	if frac > 0 && eighths == 0 {
		eighths = 1 // something, however little, is not nothing
	}
	var b strings.Builder
	for i := 0; i < width; i++ {
		b.WriteRune(barBlocks[min(max(eighths-i*8, 0), 8)])
	}
	if pct := int(frac*100 + 0.5); pct >= 90 {
		fmt.Fprintf(&b, " %4s", strconv.Itoa(min(pct, 999))+"%")
	}
	return strings.TrimRight(b.String(), " ")
}

// goRank orders Go detections, for picking a workload's Go cell and sorting.
func goRank(g model.GoInfo) int {
	switch g.Detection {
	case model.GoConfirmed:
		return 2
	case model.GoLikely:
		return 1
	}
	return 0
}

// probeCell is the container's failing probes (model.Container.ProbeSummary),
// or "none" (dim) when it has no probe at all.
func probeCell(c model.Container) model.Cell {
	s := c.ProbeSummary()
	if s.Text == "-" && c.Probes.Liveness == nil && c.Probes.Readiness == nil && c.Probes.Startup == nil {
		return model.Cell{Text: "none", Level: model.Idle}
	}
	return s
}

// adviceCounts counts advice by severity, and keeps the highest urgency
// and whether the workload is down (no pod ready of those it wants).
type adviceCounts struct {
	crit, warn, info, urgency int
	down                      bool
}

func countAdvice(as []advisor.Advice) adviceCounts {
	var n adviceCounts
	for i := range as {
		n.add(&as[i])
	}
	return n
}

// add counts one piece of advice.
func (n *adviceCounts) add(a *advisor.Advice) {
	switch a.Severity {
	case advisor.Critical:
		n.crit++
	case advisor.Warning:
		n.warn++
	default:
		n.info++
	}
	n.urgency = max(n.urgency, a.Urgency())
}

// plus adds the counts of o, and keeps the higher urgency; down is a
// row's own, which a total has not.
func (n adviceCounts) plus(o adviceCounts) adviceCounts {
	return adviceCounts{crit: n.crit + o.crit, warn: n.warn + o.warn, info: n.info + o.info, urgency: max(n.urgency, o.urgency)}
}

// score orders workloads worst first: by the most urgent advice (an
// OOMKill before a critical cut), then a workload that is down before one
// that serves, then critical, warning and info counts. The table's help
// (help.go) says so.
func (n adviceCounts) score() int {
	return n.urgency*10_000_000_000 + ifElse(n.down, 1_000_000_000, 0) + n.crit*1_000_000 + n.warn*1_000 + n.info
}

// cell renders "●2 ▲1 ·3": symbols keep the meaning without colour.
func (n adviceCounts) cell() model.Cell {
	var parts []string
	lvl := model.Idle
	if n.crit > 0 {
		parts = append(parts, fmt.Sprintf("●%d", n.crit))
		lvl = model.Over
	}
	if n.warn > 0 {
		parts = append(parts, fmt.Sprintf("▲%d", n.warn))
		lvl = max(lvl, model.Near)
	}
	if n.info > 0 {
		parts = append(parts, fmt.Sprintf("·%d", n.info))
		if lvl == model.Idle {
			lvl = model.Normal
		}
	}
	if len(parts) == 0 {
		return model.Cell{Text: "-", Level: model.Idle}
	}
	return model.Cell{Text: strings.Join(parts, " "), Level: lvl}
}

// severityMark is the symbol of a severity.
func severityMark(s advisor.Severity) (string, model.Level) {
	switch s {
	case advisor.Critical:
		return "●", model.Over
	case advisor.Warning:
		return "▲", model.Near
	}
	return "·", model.Normal
}
