package ui

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/model"
)

// stats are what the history says of one resource: its P90, as the
// advisor reads it, and its peak.
type stats struct{ p90, peak int64 }

// historyStats returns the CPU (millicores) and memory (bytes) P90 and peak
// of a history, the P90 read as the advice reads the one it quotes
// (model.Histogram.CappedPercentile), rounded up to a millicore or a byte.
func historyStats(h *model.History) (cpu, mem stats) {
	cpu.peak, mem.peak = max(h.CPUPeak.Value, 0), max(h.MemoryPeak.Value, 0)
	if !h.CPU.Empty() {
		cpu.p90 = ceilInt(h.CPU.CappedPercentile(0.9, float64(cpu.peak)/1000) * 1000)
	}
	if peaks := h.MemoryPeaks(); !peaks.Empty() {
		mem.p90 = ceilInt(peaks.CappedPercentile(0.9, float64(mem.peak)))
	}
	return cpu, mem
}

// ceilInt rounds v up to a whole number (0 for NaN or less).
func ceilInt(v float64) int64 {
	if math.IsNaN(v) || v <= 0 {
		return 0
	}
	return int64(math.Ceil(v))
}

// usageLines writes a resource's numbers and its sparkline, and returns how
// many bars the sparkline has. Both resources are scaled as the table's
// bars are, for "how close to the edge": a full bar is the limit, or the
// request when there is no limit (higher values stop there), or the
// highest value when there is neither. Bars at the limit are red and past
// 90% of it yellow, and the key after ┤ names the scale.
func usageLines(b *textBlock, label string, u model.Usage, pts []int64, s stats, f func(int64) string) int {
	st := b.st
	now := "?"
	if u.Known {
		now = f(u.Used)
	}
	b.wrap(" "+label+"  ", fmt.Sprintf("now %s · P90 %s · peak %s · request %s · limit %s", now, f(s.p90), f(s.peak), f(u.Request), f(u.Limit)), u.Level())
	if len(pts) == 0 {
		return 0
	}
	top, keyText := u.Limit, " ┤ limit "+f(u.Limit)
	switch {
	case u.Limit > 0:
	case u.Request > 0:
		top, keyText = u.Request, " ┤ request "+f(u.Request)+" (no limit)"
	default:
		top = slices.Max(pts)
		keyText = " ┤ highest " + f(top) + " (no request or limit)"
	}
	key := st.Dim.Render(keyText)
	width := b.width - 8 - ansi.StringWidth(key)
	b.add("      " + sparkline(pts, width, top, u.Limit, st) + key)
	return min(len(pts), max(width, 0))
}

// barCaption says what a sparkline bar stands for: "the last 2h, one per
// metrics window" or "the last 2h, each the highest of ~4 windows (1m)".
func barCaption(points, bars int, span time.Duration) string {
	what := "the busiest replica's"
	if bars <= 0 || points <= bars {
		return fmt.Sprintf("the last %s, one per metrics window (%s usage)", model.FormatAge(span), what)
	}
	per := (points + bars - 1) / bars
	return fmt.Sprintf("the last %s, each the highest of ~%d metrics windows (~%s, %s usage)", model.FormatAge(span), per, model.FormatAge(span/time.Duration(bars)), what)
}
