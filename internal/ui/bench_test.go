package ui

import (
	"fmt"
	"testing"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// bigSnapshot repeats the fixture's workloads until there are n.
func bigSnapshot(n int) model.Snapshot {
	s := fixture()
	base := s.Workloads
	s.Workloads = make([]model.Workload, 0, n)
	for i := 0; len(s.Workloads) < n; i++ {
		w := base[i%len(base)]
		w.Ref.Name = fmt.Sprintf("%s-%05d", w.Ref.Name, i)
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
			msg := fetchCmd(d.Snapshot, d.Advisor, d.Now, m.seq)().(snapshotMsg)
			b.ReportAllocs()
			for b.Loop() {
				m.seq = msg.seq
				_ = m.takeSnapshot(msg)
			}
		})
	}
}

// BenchmarkFetch is the refresh command, off the UI goroutine: snapshot,
// advice and rows.
func BenchmarkFetch(b *testing.B) {
	for _, n := range []int{2000, 10000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			s := bigSnapshot(n)
			b.ReportAllocs()
			for b.Loop() {
				as := advisor.Advise(s, advisor.Options{})
				_ = buildRows(s, as)
			}
		})
	}
}
