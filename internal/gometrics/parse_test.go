package gometrics

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

const (
	textType = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"
	omType   = "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores"
)

func page(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The recorded pages come from examples/goapp (go1.26.8) with a pool of 2
// starved by 200 queries a second; see testdata/README.
func TestParseRecordedPages(t *testing.T) {
	main := model.DBStats{Name: "main", MaxOpen: 2, Open: 2, InUse: 2, Idle: 0, MaxIdleClosed: 0, MaxIdleTimeClosed: 0, MaxLifetimeClosed: 0}
	cases := []struct {
		file, ct string
		check    func(t *testing.T, p Page)
	}{
		{"goapp-text.txt", textType, func(t *testing.T, p Page) {
			r := p.Runtime
			want := model.GoRuntime{Version: "go1.26.8", Goroutines: 1216, Threads: 9, GOMAXPROCS: 2, GOGC: 100, GOMEMLIMIT: math.MaxInt64,
				HeapAlloc: 4961088, HeapInuse: 5980160, HeapLive: 1996880, HeapGoal: 6064618, NextGC: 6064618, Sys: 21600520, MemTotal: -1, HeapReleased: 4997120,
				GCPauseMax: 1213277 * time.Nanosecond, GCCycles: 29, GCCPUFraction: -1}
			r.DB = nil
			if !reflect.DeepEqual(r, want) {
				t.Errorf("runtime =\n%+v, want\n%+v", r, want)
			}
			pool(t, p, main, 2393, 46*time.Minute+43127235984*time.Nanosecond)
			if p.CPU != (CPUCounters{GC: 0.083166888, Idle: 22.614993819, Total: 23.2074776, MarkIdle: -1}) {
				t.Errorf("cpu = %+v", p.CPU)
			}
		}},
		{"goapp-openmetrics.txt", omType, func(t *testing.T, p Page) {
			// The same program a moment later, in OpenMetrics: counters lose
			// nothing to the _total and _created rewriting.
			if r := p.Runtime; r.Version != "go1.26.8" || r.Goroutines != 1218 || r.GCCycles != 29 || r.HeapLive != 1996880 || r.GOGC != 100 {
				t.Errorf("runtime = %+v", r)
			}
			pool(t, p, main, 2396, 47*time.Minute+3128583917*time.Nanosecond)
			if p.CPU.GC != 0.083298681 || p.Truncated {
				t.Errorf("cpu %+v truncated %v", p.CPU, p.Truncated)
			}
		}},
		{"goapp-gogc-off.txt", "", func(t *testing.T, p Page) {
			// GOGC=off GOMEMLIMIT=200MiB, without the opt-in runtime metrics.
			r := p.Runtime
			if r.GOGC != -1 || r.GOMEMLIMIT != 200<<20 || r.HeapLive != -1 || r.HeapGoal != -1 || r.NextGC <= 0 {
				t.Errorf("runtime = %+v", r)
			}
			if p.CPU != (CPUCounters{-1, -1, -1, -1}) {
				t.Errorf("cpu = %+v, want absent", p.CPU)
			}
			if len(r.DB) != 1 || r.DB[0].MaxOpen != 0 || r.DB[0].Idle != 1 {
				t.Errorf("pools = %+v (MaxOpen 0 is unlimited)", r.DB)
			}
		}},
		{"old-client-two-pools.txt", textType, func(t *testing.T, p Page) {
			r := p.Runtime
			if r.Version != "go1.19.13" || r.GOGC != -1 || r.GOMEMLIMIT != -1 || r.GOMAXPROCS != -1 || r.HeapLive != -1 || r.Goroutines != 1216 {
				t.Errorf("runtime = %+v", r)
			}
			if len(r.DB) != 2 || r.DB[0].Name != "main" || r.DB[1].Name != "replica" || r.DB[1].WaitCount != 2393 {
				t.Errorf("pools = %+v", r.DB)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			p, err := Parse(page(t, tc.file), tc.ct)
			if err != nil {
				t.Fatal(err)
			}
			if p.Skipped != 0 {
				t.Errorf("skipped %d lines", p.Skipped)
			}
			tc.check(t, p)
		})
	}
}

func pool(t *testing.T, p Page, want model.DBStats, waits int64, waited time.Duration) {
	t.Helper()
	want.WaitCount, want.WaitDuration = waits, waited
	if len(p.Runtime.DB) != 1 || p.Runtime.DB[0] != want {
		t.Errorf("pools = %+v, want [%+v]", p.Runtime.DB, want)
	}
}

// Broken and hostile pages: a clear error or a partial result, never a panic.
func TestParseBrokenPages(t *testing.T) {
	partial := func(t *testing.T, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "partial result") {
			t.Errorf("err = %v, want a partial result", err)
		}
	}
	cases := []struct {
		name string
		body []byte
		ct   string
		test func(t *testing.T, p Page, err error)
	}{
		{"cut mid-line", page(t, "truncated-text.txt"), textType, func(t *testing.T, p Page, err error) {
			partial(t, err)
			if p.Runtime.Version != "go1.26.8" {
				t.Errorf("version %q", p.Runtime.Version)
			}
		}},
		{"OpenMetrics without # EOF", page(t, "truncated-openmetrics.txt"), omType, func(t *testing.T, p Page, err error) {
			if err != nil || !p.Truncated || p.Runtime.GCCycles != 29 || p.Runtime.Threads != -1 {
				t.Errorf("err %v truncated %v runtime %+v", err, p.Truncated, p.Runtime)
			}
		}},
		{"an HTML error page", page(t, "garbage-html.txt"), "text/html", func(t *testing.T, _ Page, err error) {
			if !errors.Is(err, ErrNoGo) {
				t.Errorf("err = %v, want ErrNoGo", err)
			}
		}},
		{"no Go series", page(t, "not-go.txt"), textType, func(t *testing.T, _ Page, err error) {
			if !errors.Is(err, ErrNoGo) {
				t.Errorf("err = %v, want ErrNoGo", err)
			}
		}},
		{"NaN, Inf and negative numbers", page(t, "nan-inf.txt"), textType, func(t *testing.T, p Page, err error) {
			r := p.Runtime
			if err != nil || r.Goroutines != -1 || r.Threads != -1 || r.HeapAlloc != -1 || r.GOMEMLIMIT != -1 || r.GOGC != -1 ||
				r.GOMAXPROCS != -1 || r.GCPauseMax != -1 || r.GCCycles != 0 {
				t.Errorf("err %v runtime %+v", err, r)
			}
			if len(r.DB) != 1 || r.DB[0].WaitDuration != -1 || r.DB[0].WaitCount != -1 || r.DB[0].Open != -1 {
				t.Errorf("pools = %+v", r.DB)
			}
		}},
		{"a second TYPE line", page(t, "duplicate-type.txt"), textType, func(t *testing.T, p Page, err error) {
			partial(t, err)
		}},
		{"protobuf", page(t, "goapp-text.txt"), "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited", func(t *testing.T, _ Page, err error) {
			if !errors.Is(err, ErrFormat) {
				t.Errorf("err = %v, want ErrFormat", err)
			}
		}},
		{"OpenMetrics 2.0", page(t, "goapp-openmetrics.txt"), "application/openmetrics-text; version=2.0.0", func(t *testing.T, _ Page, err error) {
			if !errors.Is(err, ErrFormat) {
				t.Errorf("err = %v, want ErrFormat", err)
			}
		}},
		{"empty", nil, textType, func(t *testing.T, _ Page, err error) {
			if !errors.Is(err, ErrNoGo) {
				t.Errorf("err = %v", err)
			}
		}},
		{"huge label values", []byte("go_info{version=\"" + strings.Repeat("1", 1<<20) + "\"} 1\ngo_goroutines 12\n" +
			"go_sql_open_connections{db_name=\"" + strings.Repeat("x", MaxLineBytes) + "\"} 3\n"), textType, func(t *testing.T, p Page, err error) {
			if err != nil || p.Runtime.Version != "" || p.Runtime.Goroutines != 12 || len(p.Runtime.DB) != 0 || p.Skipped != 2 {
				t.Errorf("err %v skipped %d runtime %+v", err, p.Skipped, p.Runtime)
			}
		}},
		{"too many series", []byte("# TYPE go_sql_open_connections gauge\n" + strings.Repeat("go_sql_open_connections{db_name=\"a\"} 1\n", MaxSeries+10)),
			textType, func(t *testing.T, p Page, err error) {
				if !p.Truncated || p.Skipped != 10 || len(p.Runtime.DB) != 1 {
					t.Errorf("err %v truncated %v skipped %d", err, p.Truncated, p.Skipped)
				}
			}},
		{"over the size cap", append(bytes.Repeat([]byte("# padding the page past its cap, line by line\n"), MaxPageBytes/40), page(t, "goapp-text.txt")...), "",
			func(t *testing.T, p Page, err error) {
				if !errors.Is(err, ErrNoGo) || !p.Truncated {
					t.Errorf("err %v truncated %v: the Go series past the cap must not be read", err, p.Truncated)
				}
			}},
		{"one endless line", bytes.Repeat([]byte("go_"), MaxPageBytes), "", func(t *testing.T, p Page, err error) {
			if !errors.Is(err, ErrNoGo) || !p.Truncated {
				t.Errorf("err %v truncated %v", err, p.Truncated)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			p, err := Parse(tc.body, tc.ct)
			tc.test(t, p, err)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

func TestReadCapsThePage(t *testing.T) {
	body := append(page(t, "goapp-text.txt"), bytes.Repeat([]byte("x"), MaxPageBytes)...)
	r := &countingReader{r: bytes.NewReader(body)}
	p, err := Read(r, textType)
	if r.n > MaxPageBytes+1 {
		t.Errorf("read %d bytes, cap is %d", r.n, MaxPageBytes)
	}
	if err != nil || !p.Truncated || p.Runtime.Version != "go1.26.8" {
		t.Errorf("err %v truncated %v version %q", err, p.Truncated, p.Runtime.Version)
	}
	// A connection that breaks mid-page: what arrived is a partial result.
	p, err = Read(iotest.TimeoutReader(bytes.NewReader(page(t, "goapp-text.txt"))), textType)
	if err == nil || !p.Truncated {
		t.Errorf("broken read: err %v truncated %v", err, p.Truncated)
	}
}

type countingReader struct {
	r interface{ Read([]byte) (int, error) }
	n int
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += n
	return n, err
}

func TestCPUShare(t *testing.T) {
	cases := []struct {
		name      string
		prev, cur CPUCounters
		want      float64
	}{
		{"a tenth of the busy CPU in GC", CPUCounters{1, 10, 20, -1}, CPUCounters{2, 20, 40, -1}, 0.1},
		{"no idle counter: share of GOMAXPROCS time", CPUCounters{1, -1, 20, -1}, CPUCounters{2, -1, 40, -1}, 0.05},
		{"counter missing", CPUCounters{-1, 10, 20, -1}, CPUCounters{2, 20, 40, -1}, -1},
		{"restart between pages", CPUCounters{5, 100, 200, -1}, CPUCounters{1, 10, 20, -1}, -1},
		{"idle mark work is free", CPUCounters{1, 10, 20, 0}, CPUCounters{3, 19, 40, 1}, 0.1},
		{"too little CPU to judge", CPUCounters{1, 10, 20, -1}, CPUCounters{1.1, 20, 30.2, -1}, -1},
	}
	for _, c := range cases {
		if got := CPUShare(c.prev, c.cur); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: CPUShare = %v, want %v", c.name, got, c.want)
		}
	}
}
