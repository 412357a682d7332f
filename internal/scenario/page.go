package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Page renders the /metrics page a Go program with this runtime serves, in
// Prometheus text format, as client_golang's default registry (and its
// DBStats collector) would: uptime drives the counters, memory is the
// container's working set now.
func (r Runtime) Page(uptime time.Duration, memory int64) string {
	var b strings.Builder
	gauge := func(name, help string, v float64, labels string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s%s %s\n", name, help, name, name, labels, num(v))
	}
	counter := func(name, help string, v float64, labels string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n%s%s %s\n", name, help, name, name, labels, num(v))
	}
	mins := uptime.Minutes()
	heap := float64(memory) * r.HeapShare
	gauge("go_info", "Information about the Go environment.", 1, fmt.Sprintf(`{version=%q}`, r.Version))
	gauge("go_goroutines", "Number of goroutines that currently exist.", float64(r.Goroutines), "")
	gauge("go_threads", "Number of OS threads created.", float64(r.GOMAXPROCS+4), "")
	gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.", float64(r.GOMAXPROCS), "")
	gauge("go_gc_gogc_percent", "Heap size target percentage configured by the user, otherwise 100.", float64(r.GOGC), "")
	gauge("go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user, otherwise math.MaxInt64.", float64(r.GOMEMLIMIT), "")
	gauge("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use.", heap, "")
	gauge("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", heap*1.1, "")
	gauge("go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place.", heap*(1+float64(r.GOGC)/100)/1.6, "")
	gauge("go_memstats_sys_bytes", "Number of bytes obtained from system.", float64(memory)*0.95, "")
	gauge("go_memstats_heap_released_bytes", "Number of heap bytes released to OS.", float64(memory)*0.02, "")
	fmt.Fprintf(&b, "# HELP go_gc_duration_seconds A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.\n# TYPE go_gc_duration_seconds summary\n")
	for _, q := range []struct {
		q string
		v float64
	}{{"0", 2.1e-05}, {"0.25", 3.4e-05}, {"0.5", 4.6e-05}, {"0.75", 7.9e-05}, {"1", 0.00041}} {
		fmt.Fprintf(&b, "go_gc_duration_seconds{quantile=%q} %s\n", q.q, num(q.v))
	}
	fmt.Fprintf(&b, "go_gc_duration_seconds_sum %s\ngo_gc_duration_seconds_count %d\n", num(mins*0.004), int64(mins*12))
	if p := r.DB; p != nil {
		l := fmt.Sprintf(`{db_name=%q}`, p.Name)
		gauge("go_sql_max_open_connections", "Maximum number of open connections to the database.", float64(p.MaxOpen), l)
		gauge("go_sql_open_connections", "The number of established connections both in use and idle.", float64(p.InUse+p.Idle), l)
		gauge("go_sql_in_use_connections", "The number of connections currently in use.", float64(p.InUse), l)
		gauge("go_sql_idle_connections", "The number of idle connections.", float64(p.Idle), l)
		counter("go_sql_wait_count_total", "The total number of connections waited for.", math.Floor(float64(p.WaitPerMinute)*mins), l)
		counter("go_sql_wait_duration_seconds_total", "The total time blocked waiting for a new connection.", p.WaitSecondsPerMinute*mins, l)
		counter("go_sql_max_idle_closed_total", "The total number of connections closed due to SetMaxIdleConns.", math.Floor(float64(p.MaxIdleClosedPerMinute)*mins), l)
		counter("go_sql_max_idle_time_closed_total", "The total number of connections closed due to SetConnMaxIdleTime.", 0, l)
		counter("go_sql_max_lifetime_closed_total", "The total number of connections closed due to SetConnMaxLifetime.", 0, l)
	}
	return b.String()
}

// num formats a sample value as client_golang does.
func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}

// Effective returns the runtime as the container's env sets it up:
// GOMEMLIMIT and GOMAXPROCS from the env win over the defaults (GOGC is left
// as the scenario says, so a story can show an env the program overrides).
func (c Container) Effective() Runtime {
	r := *c.Runtime
	for _, e := range c.Env {
		switch e.Name {
		case "GOMEMLIMIT":
			if v, ok := parseGoBytes(e.Value); ok && !olderThan(r.Version, 19) {
				r.GOMEMLIMIT = v
			}
		case "GOMAXPROCS":
			if v, err := strconv.ParseInt(e.Value, 10, 64); err == nil && v > 0 {
				r.GOMAXPROCS = v
			}
		}
	}
	return r
}

// parseGoBytes reads a GOMEMLIMIT value ("460MiB", "1GiB", "1048576").
func parseGoBytes(s string) (int64, bool) {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			return v * u.mult, err == nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// olderThan reports whether a go_info version ("go1.16.15") is before Go
// 1.minor: GOMEMLIMIT arrived in Go 1.19 and older runtimes ignore it.
func olderThan(version string, minor int) bool {
	v := strings.TrimPrefix(version, "go1.")
	n, err := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	return err == nil && v != version && n < minor
}
