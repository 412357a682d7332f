package ui

import (
	"fmt"
	"testing"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// bigSnapshot repeats the fixture's workloads until there are n, each with
// a Rev as a collector gives them.
func bigSnapshot(n int) model.Snapshot {
	s := fixture()
	base := s.Workloads
	s.Workloads = make([]model.Workload, 0, n)
	for i := 0; len(s.Workloads) < n; i++ {
		w := base[i%len(base)]
		w.Ref.Name = fmt.Sprintf("%s-%05d", w.Ref.Name, i)
		w.Rev = uint64(i + 1)
		s.Workloads = append(s.Workloads, w)
	}
	return s
}

// BenchmarkView is one full render of the main view: what Bubble Tea does
// on every message. Only the visible rows are drawn, so the cost should not
// grow with the number of workloads.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{2000, 10000} {
		for _, size := range [][2]int{{120, 30}, {200, 60}} {
			b.Run(fmt.Sprintf("rows=%d/%dx%d", n, size[0], size[1]), func(b *testing.B) {
				m := start(b, deps(bigSnapshot(n), nil), size[0], size[1])
				if len(m.table.rows) != n {
					b.Fatalf("%d rows", len(m.table.rows))
				}
				b.ReportAllocs()
				for b.Loop() {
					_ = m.View()
				}
			})
		}
	}
}

// BenchmarkKeyPress is a cursor move with its render, on the UI goroutine.
func BenchmarkKeyPress(b *testing.B) {
	m := start(b, deps(bigSnapshot(10000), nil), 120, 30)
	b.ReportAllocs()
	for b.Loop() {
		m = press(b, m, "down")
		_ = m.View()
	}
}

// BenchmarkTakeSnapshot is what a refresh costs the UI goroutine: sorting,
// filtering and measuring the rows the command built.
func BenchmarkTakeSnapshot(b *testing.B) {
	for _, n := range []int{2000, 10000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			d := deps(bigSnapshot(n), nil)
			m := start(b, d, 120, 30)
			msg := fetchCmd(d.Snapshot, d.Advisor, d.Now, m.seq, nil)().(snapshotMsg)
			b.ReportAllocs()
			for b.Loop() {
				m.seq = msg.seq
				_ = m.takeSnapshot(msg)
			}
		})
	}
}

// BenchmarkFetch is the refresh command's work off the UI goroutine, past
// the snapshot: advice and rows for every workload (cold), and for a
// snapshot whose workloads are all unchanged since the last one (warm, what
// most refreshes between two metrics windows are).
func BenchmarkFetch(b *testing.B) {
	for _, n := range []int{2000, 10000} {
		s := bigSnapshot(n)
		b.Run(fmt.Sprintf("rows=%d/cold", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rows, _ := newRowCache().buildRows(s, advisor.Options{})
				_ = contentWidths(rows)
			}
		})
		b.Run(fmt.Sprintf("rows=%d/warm", n), func(b *testing.B) {
			c := newRowCache()
			c.buildRows(s, advisor.Options{})
			b.ReportAllocs()
			for b.Loop() {
				rows, _ := c.buildRows(s, advisor.Options{})
				_ = contentWidths(rows)
			}
		})
	}
}
