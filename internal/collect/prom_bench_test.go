package collect

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// pastOfBigNamespace is the fake past of bigNamespace(pods): each
// Deployment of ten replicas ran three ReplicaSets in eight days (rolled
// out every three days), the newest the one it runs now; each replica's
// CPU spread over 20 histogram buckets a day, its daily memory peaks over 3.
func pastOfBigNamespace(pods int) []fakeSet {
	cpu := map[float64]float64{}
	for k := range 20 {
		cpu[0.08*math.Pow(1.05, float64(k))] = 1.0 / 20
	}
	var sets []fakeSet
	for d := 0; d < pods/10; d++ {
		name := fmt.Sprintf("svc-%04d", d)
		for i, rs := range []struct {
			suffix string
			days   []int
		}{{"old1", []int{7, 6, 5}}, {"old2", []int{4, 3, 2}}, {"abc", []int{2, 1, 0}}} {
			sets = append(sets, fakeSet{name: name + "-" + rs.suffix, deployment: name, container: "app", pods: 10, days: rs.days,
				cpu: cpu, memPeak: 300 << 20, memSpread: 3, restarts: float64(i), throttled: 100, periods: 1000, p95: 0.2})
		}
	}
	return sets
}

// BenchmarkPastRead measures one read of eight days of history from a
// (fake, in-process) Prometheus at 1,000 to 10,000 pods: wall time, the
// bytes of the answers, the queries sent, the bytes allocated, and the
// heap (Go heap objects) and resident memory the read added at its peak.
// Targets at 10,000 pods: under 5 s, under 100 MB added, a query count
// that does not grow with the pods. Run once per size:
//
//	go test ./internal/collect -run '^$' -bench PastRead -benchtime 1x
func BenchmarkPastRead(b *testing.B) {
	for _, pods := range []int{1000, 2000, 5000, 10_000} {
		b.Run(fmt.Sprintf("pods=%d", pods), func(b *testing.B) {
			objs, _ := bigNamespace(pods)
			r := newRig(&testing.T{}, objs...)
			f := newFakeStore(b, week, pastOfBigNamespace(pods)...)
			c := New(Clients{Kube: r.kube, Metrics: r.metrics.MetricsV1beta1(), Discovery: r.disc},
				Options{Namespace: ns, Now: func() time.Time { return t0 }, Past: PastOptions{URL: f.srv.URL, Range: week}})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c.Start(ctx)
			if err := c.WaitForSync(ctx); err != nil {
				b.Fatal(err)
			}
			ix := c.watch.index()
			reader := func() *pastReader {
				return newPastReader(Clients{}, Options{Namespace: ns, Now: c.opts.Now, Log: c.opts.Log, Past: c.opts.Past}, newUsage(c.opts.History))
			}
			// The fake makes its answers before: what is measured is kgotop's work.
			f.prepare(b, planPast(ns, week, t0))
			var st pastStats
			for b.Loop() {
				pr := reader()
				st = measure(func() {
					if err := pr.load(ctx, ix); err != nil {
						b.Fatal(err)
					}
				})
				status := pr.get()
				if status.Containers != pods/10 {
					b.Fatalf("history for %d containers, want %d", status.Containers, pods/10)
				}
				st.queries, st.bytes = status.Queries, status.Bytes
			}
			b.ReportMetric(float64(st.bytes)/1e6, "answer-MB")
			b.ReportMetric(float64(st.queries), "queries")
			b.ReportMetric(float64(st.alloc)/1e6, "alloc-MB")
			b.ReportMetric(float64(st.heap)/1e6, "peak-heap-added-MB")
			b.ReportMetric(float64(st.rss)/1e6, "peak-rss-added-MB")
		})
	}
}

type pastStats struct {
	queries          int
	bytes            int64
	alloc, heap, rss uint64
}

// measure runs f and returns the bytes it allocated and, sampled every
// millisecond, how far the heap's objects and the resident set rose above
// where they were before it (after a GC).
func measure(f func()) pastStats {
	debug.FreeOSMemory()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	heap0, alloc0, rss0 := sample[0].Value.Uint64(), sample[1].Value.Uint64(), rss()
	var peakHeap, peakRSS atomic.Uint64
	done := make(chan struct{})
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if h := s[0].Value.Uint64(); h > peakHeap.Load() {
				peakHeap.Store(h)
			}
			if r := rss(); r > peakRSS.Load() {
				peakRSS.Store(r)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	metrics.Read(sample)
	st := pastStats{alloc: sample[1].Value.Uint64() - alloc0}
	st.heap = max(peakHeap.Load(), sample[0].Value.Uint64()) - min(heap0, peakHeap.Load())
	if p := peakRSS.Load(); p > rss0 {
		st.rss = p - rss0
	}
	return st
}

// rss is the process' resident set in bytes (Linux), 0 elsewhere.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}
