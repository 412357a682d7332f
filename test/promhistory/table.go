package promhistory

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// WriteDesigned writes Designed as the Markdown table of the contract
// (scripts/sandbox.d/PROMETHEUS.md holds a copy that a test keeps current).
func WriteDesigned(w io.Writer) {
	fmt.Fprintln(w, "| workload | container | CPU P50 | CPU P90 | CPU P95 | memory daily-peak P90 | throttled P50 / P95 | restarts a day | Go runtime | DB waits |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, d := range Designed() {
		restarts, runtime, db := "-", "-", "-"
		if d.RestartsPerDay > 0 {
			restarts = fmt.Sprintf("%.1f (%s)", d.RestartsPerDay, d.Reason)
		}
		if r := d.Runtime; r != nil {
			limit := "no GOMEMLIMIT"
			if r.GOMEMLIMIT != math.MaxInt64 {
				limit = "GOMEMLIMIT " + mebibytes(float64(r.GOMEMLIMIT))
			}
			runtime = fmt.Sprintf("%s, GOGC %d, GOMAXPROCS %d, %s", r.Version, r.GOGC, r.GOMAXPROCS, limit)
		}
		if d.DBWaitsPerSecond > 0 {
			db = fmt.Sprintf("%g/s, %gs/s waited", d.DBWaitsPerSecond, d.DBWaitSecondsPerSecond)
		}
		fmt.Fprintf(w, "| %s/%s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			strings.ToLower(string(d.Kind)), d.Scenario, d.Container, millicores(d.CPUP50), millicores(d.CPUP90), millicores(d.CPUP95),
			mebibytes(d.MemoryPeakP90), shares(d.ThrottledP50, d.ThrottledP95), restarts, runtime, db)
	}
}

func millicores(cores float64) string {
	if cores == 0 {
		return "-"
	}
	return fmt.Sprintf("%gm", roundTo(cores*1000, 0.1))
}

func mebibytes(b float64) string { return fmt.Sprintf("%gMi", roundTo(b/(1<<20), 0.1)) }

func shares(a, b float64) string {
	if a == 0 && b == 0 {
		return "0"
	}
	return fmt.Sprintf("%.1f%% / %.1f%%", 100*a, 100*b)
}

func roundTo(v, unit float64) float64 {
	return float64(int64(v/unit+0.5)) * unit
}
