package collect

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// pastOfBigNamespace is the fake past of bigNamespaceOf(pods, replicas,
// sidecar): each Deployment ran three ReplicaSets in eight days (rolled out
// every three days), the newest the one it runs now. Each day, each set's
// app container's CPU samples spread over 20 histogram buckets (a range of
// 2.7x, from night to peak) and its pods' memory peaks over 3; the
// sidecar's over 10 and 1. The app is a Go program whose pages the store
// scrapes (goPast: its runtime's gauges, one database/sql pool, a memory
// trend), so that every one of the history read's queries has answers. The sandbox's Prometheus answers about half
// that for its stories (10 CPU buckets a set and day, 1 of memory).
func pastOfBigNamespace(pods, replicas int, sidecar bool) []fakeSet {
	spread := func(base float64, n int) map[float64]float64 {
		m := map[float64]float64{}
		for k := range n {
			m[base*math.Pow(1.05, float64(k))] = 1.0 / float64(n)
		}
		return m
	}
	var sets []fakeSet
	for d := 0; d < pods/replicas; d++ {
		name := fmt.Sprintf("svc-%04d", d)
		for i, rs := range []struct {
			suffix string
			days   []int
		}{{"old1", []int{7, 6, 5}}, {"old2", []int{4, 3, 2}}, {"abc", []int{2, 1, 0}}} {
			app := fakeSet{name: name + "-" + rs.suffix, deployment: name, container: "app", pods: replicas, days: rs.days,
				cpu: spread(0.08, 20), memPeak: 300 << 20, memSpread: 3, restarts: float64(i), throttled: 100, periods: 1000, p95: 0.2}
			sets = append(sets, goPast(app, "go1.25.3"))
			if sidecar {
				sets = append(sets, fakeSet{name: name + "-" + rs.suffix, deployment: name, container: "proxy", pods: replicas, days: rs.days,
					cpu: spread(0.01, 10), memPeak: 40 << 20, memSpread: 1})
			}
		}
	}
	return sets
}

// pastShapes are the namespaces BenchmarkPastRead reads the past of, by
// pods: scripts/bench's (Deployments of 10 replicas, one container) at
// each size, and at 10,000 pods a denser one, where the answers are 7
// times larger: Deployments of 3 replicas with a sidecar.
var pastShapes = []struct {
	name     string
	pods     int
	replicas int
	sidecar  bool
}{
	{"pods=1000", 1000, 10, false},
	{"pods=2000", 2000, 10, false},
	{"pods=5000", 5000, 10, false},
	{"pods=10000", 10_000, 10, false},
	{"pods=10000/replicas=3+sidecar", 9999, 3, true},
}

// BenchmarkPastRead measures one read of eight days of history from a
// (fake, in-process) Prometheus (pastOfBigNamespace): its wall time
// (ns/op), the bytes of the answers, the queries sent, the bytes
// allocated, and, at its peak, the Go heap (objects, live or not yet
// collected) and the resident memory (RSS) it added; retained is the heap
// that stays after it (the histograms it filled). Targets at 10,000 pods:
// under 5 s, under 100 MB added, a query count that does not grow with
// the pods. scripts/bench runs it for its table:
//
//	go test ./internal/collect -run '^$' -bench PastRead
func BenchmarkPastRead(b *testing.B) {
	for _, shape := range pastShapes {
		b.Run(shape.name, func(b *testing.B) {
			objs, _ := bigNamespaceOf(shape.pods, shape.replicas, shape.sidecar)
			r := newRig(&testing.T{}, objs...)
			f := newFakeStore(b, week, pastOfBigNamespace(shape.pods, shape.replicas, shape.sidecar)...)
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
			containers := shape.pods / shape.replicas
			if shape.sidecar {
				containers *= 2
			}
			var st pastStats
			for b.Loop() {
				pr := reader()
				st = measure(func() {
					if err := pr.load(ctx, ix); err != nil {
						b.Fatal(err)
					}
				})
				status := pr.get()
				if status.Containers != containers {
					b.Fatalf("history for %d containers, want %d", status.Containers, containers)
				}
				st.queries, st.bytes = status.Queries, status.Bytes
			}
			b.ReportMetric(float64(st.bytes)/1e6, "answer-MB")
			b.ReportMetric(float64(st.queries), "queries")
			b.ReportMetric(float64(st.alloc)/1e6, "alloc-MB")
			b.ReportMetric(float64(st.heap)/1e6, "peak-heap-added-MB")
			b.ReportMetric(float64(st.rss)/1e6, "peak-rss-added-MB")
			b.ReportMetric(float64(st.retained)/1e6, "retained-MB")
		})
	}
}

type pastStats struct {
	queries                    int
	bytes                      int64
	alloc, heap, rss, retained uint64
}

// measure runs f and returns the bytes it allocated, how far the heap's
// objects and the resident set rose above where they were before it (after
// a GC), sampled every millisecond, and the heap it left behind (after a GC).
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
	runtime.GC()
	metrics.Read(sample)
	if h := sample[0].Value.Uint64(); h > heap0 {
		st.retained = h - heap0
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
