package gometrics

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary pages in both formats: Parse must not panic
// or take long, every number it returns is a value or -1, and it never
// holds more pools than series it kept.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, textType)
		f.Add(b, omType)
	}
	f.Add([]byte("go_info{version=\"go1.24\"} 1\n# EOF\n"), "")
	f.Add([]byte("# TYPE go_sql_wait_count counter\ngo_sql_wait_count_total{db_name=\"a\\\"}\"} 3 1.5 # {trace=\"x\"} 1\n# EOF\n"), omType)
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		start := time.Now()
		p, _ := Parse(body, ct)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Parse took %s on %d bytes", d, len(body))
		}
		r := p.Runtime
		for name, v := range map[string]int64{
			"goroutines": r.Goroutines, "threads": r.Threads, "gomaxprocs": r.GOMAXPROCS, "gogc": r.GOGC, "gomemlimit": r.GOMEMLIMIT,
			"heap alloc": r.HeapAlloc, "heap inuse": r.HeapInuse, "heap live": r.HeapLive, "heap goal": r.HeapGoal,
			"next gc": r.NextGC, "sys": r.Sys, "gc cycles": r.GCCycles, "gc pause": int64(r.GCPauseMax),
		} {
			if v < -1 {
				t.Errorf("%s = %d", name, v)
			}
		}
		if r.GCCPUFraction != -1 {
			t.Errorf("GCCPUFraction = %v from one page", r.GCCPUFraction)
		}
		if len(r.DB) > MaxSeries || p.Skipped < 0 {
			t.Errorf("%d pools, %d skipped", len(r.DB), p.Skipped)
		}
		for _, db := range r.DB {
			if db.MaxOpen < -1 || db.Open < -1 || db.InUse < -1 || db.Idle < -1 || db.WaitCount < -1 || db.WaitDuration < -1 {
				t.Errorf("pool %+v", db)
			}
		}
		if s := CPUShare(p.CPU, p.CPU); s != -1 {
			t.Errorf("CPUShare of a page with itself = %v", s)
		}
	})
}
