package ui

import (
	"strings"

	"github.com/kgotop/kgotop/internal/model"
)

// sparkRunes are the eight heights of a sparkline cell.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws vals in at most width cells, oldest first, each cell the
// largest value of the samples it stands for so that no peak is lost. A
// full cell is top; cells at or over lim are red and past 90% of it yellow
// (lim 0: no limit).
func sparkline(vals []int64, width int, top, lim int64, st Styles) string {
	if len(vals) == 0 || width <= 0 {
		return ""
	}
	cells := downsample(vals, width)
	var b strings.Builder
	var run strings.Builder
	runLvl := model.Normal
	flush := func() {
		b.WriteString(st.render(runLvl, run.String()))
		run.Reset()
	}
	for _, v := range cells {
		r, lvl := ' ', model.Normal
		if v > 0 && top > 0 {
			i := int((v*8 + top - 1) / top) // ceil(v/top*8)
			r = sparkRunes[min(max(i, 1), 8)-1]
		}
		if lim > 0 && v >= lim {
			lvl = model.Over
		} else if lim > 0 && v*10 >= lim*9 {
			lvl = model.Near
		}
		if lvl != runLvl {
			flush()
			runLvl = lvl
		}
		run.WriteRune(r)
	}
	flush()
	return b.String()
}

// downsample folds vals into at most width buckets, keeping each bucket's maximum.
func downsample(vals []int64, width int) []int64 {
	if len(vals) <= width {
		return vals
	}
	out := make([]int64, width)
	for i := range out {
		lo, hi := i*len(vals)/width, (i+1)*len(vals)/width
		for _, v := range vals[lo:hi] {
			out[i] = max(out[i], v)
		}
	}
	return out
}
