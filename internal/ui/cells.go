package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// cell is one table cell: its text and how it should stand out.
type cell struct {
	text string
	lvl  level
}

// usage is what a container (or a workload, summed) uses against its
// request and limit. ok is false when no replica has a metrics sample.
type usage struct {
	used, req, lim int64
	ok             bool
}

// frac is the share of the limit used, or of the request when there is no
// limit; -1 when unknown.
func (u usage) frac() float64 {
	switch {
	case !u.ok:
		return -1
	case u.lim > 0:
		return float64(u.used) / float64(u.lim)
	case u.req > 0:
		return float64(u.used) / float64(u.req)
	}
	return -1
}

// grade says how a usage stands: at or over the limit red, past 90% of it
// yellow, under a tenth of the request dim (paid for, unused), unknown dim.
func (u usage) grade() level {
	if !u.ok {
		return idle
	}
	pl, pr := model.Percent(u.used, u.lim), model.Percent(u.used, u.req)
	switch {
	case pl >= 100:
		return over
	case pl >= 90:
		return near
	case pr >= 0 && pr < 10:
		return idle
	}
	return normal
}

// text renders "used/request/limit" with format f ("190m/250m/1").
func (u usage) text(f func(int64) string) string {
	used := "?"
	switch {
	case u.ok && u.used == 0:
		used = "0"
	case u.ok:
		used = f(u.used)
	}
	return used + "/" + f(u.req) + "/" + f(u.lim)
}

// usedNow returns the largest current usage across a container's replicas.
func usedNow(c model.Container) (cpu, mem usage) {
	cpu.req, cpu.lim = c.Resources.Requests.CPU, c.Resources.Limits.CPU
	mem.req, mem.lim = c.Resources.Requests.Memory, c.Resources.Limits.Memory
	for _, in := range c.Instances {
		if in.Usage != nil {
			cpu.used, mem.used = max(cpu.used, in.Usage.CPU), max(mem.used, in.Usage.Memory)
			cpu.ok, mem.ok = true, true
		}
	}
	return cpu, mem
}

// sumUsage adds a pod's containers up; a limit counts only when every
// container has one (otherwise the pod has none).
func sumUsage(us []usage) usage {
	var s usage
	limited := len(us) > 0
	for _, u := range us {
		s.used += u.used
		s.req += u.req
		s.lim += u.lim
		s.ok = s.ok || u.ok
		limited = limited && u.lim > 0
	}
	if !limited {
		s.lim = 0
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

// goCell says which Go runs in the container (model.GoInfo.Short), dim
// unless go_info confirmed it or an image tag names a version.
func goCell(g model.GoInfo) cell {
	if g.Detection == model.GoConfirmed || g.Version != "" {
		return cell{text: g.Short()}
	}
	return cell{text: g.Short(), lvl: idle}
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

// restartCell says how often the container restarted and why, last first:
// "4 OOMKilled 3m", "7 CrashLoop (exit 1)".
func restartCell(c model.Container, now time.Time) cell {
	text, restarted, severe := c.RestartSummary(now, true)
	switch {
	case severe:
		return cell{text: text, lvl: over}
	case restarted:
		return cell{text: text, lvl: near}
	}
	return cell{text: text}
}

// probeCell lists failing probes ("L✗9 R✗4", liveness kills as "k3"), says
// "none" (dim) when the container has no probe at all, and "-" otherwise.
func probeCell(c model.Container) (cell, int) {
	text, failures, kills := c.ProbeSummary()
	switch {
	case text != "" && kills > 0:
		return cell{text: text, lvl: over}, int(failures)
	case text != "":
		return cell{text: text, lvl: near}, int(failures)
	case c.Probes.Liveness == nil && c.Probes.Readiness == nil && c.Probes.Startup == nil:
		return cell{text: "none", lvl: idle}, 0
	}
	return cell{text: "-"}, 0
}

// adviceCounts counts advice by severity.
type adviceCounts struct{ crit, warn, info int }

func countAdvice(as []advisor.Advice) adviceCounts {
	var n adviceCounts
	for i := range as {
		n.add(as[i].Severity)
	}
	return n
}

// add counts one piece of advice of severity s.
func (n *adviceCounts) add(s advisor.Severity) {
	switch s {
	case advisor.Critical:
		n.crit++
	case advisor.Warning:
		n.warn++
	default:
		n.info++
	}
}

// score orders workloads worst first: critical, then warning, then info.
func (n adviceCounts) score() int { return n.crit*1_000_000 + n.warn*1_000 + n.info }

// cell renders "●2 ▲1 ·3": symbols keep the meaning without colour.
func (n adviceCounts) cell() cell {
	var parts []string
	lvl := idle
	if n.crit > 0 {
		parts = append(parts, fmt.Sprintf("●%d", n.crit))
		lvl = over
	}
	if n.warn > 0 {
		parts = append(parts, fmt.Sprintf("▲%d", n.warn))
		lvl = max(lvl, near)
	}
	if n.info > 0 {
		parts = append(parts, fmt.Sprintf("·%d", n.info))
		if lvl == idle {
			lvl = normal
		}
	}
	if len(parts) == 0 {
		return cell{text: "-", lvl: idle}
	}
	return cell{text: strings.Join(parts, " "), lvl: lvl}
}

// severityMark is the symbol of a severity.
func severityMark(s advisor.Severity) (string, level) {
	switch s {
	case advisor.Critical:
		return "●", over
	case advisor.Warning:
		return "▲", near
	}
	return "·", normal
}
