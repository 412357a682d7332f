package model

import (
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	for in, want := range map[int64]string{0: "-", 5: "5m", 250: "250m", 1000: "1", 1500: "1.5", 2250: "2250m", 16000: "16"} {
		if got := FormatCPU(in); got != want {
			t.Errorf("FormatCPU(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[int64]string{0: "-", 512: "512", 900 << 10: "900Ki", 128 << 20: "128Mi", 1536 << 20: "1.5Gi", 150 << 20: "150Mi", 100<<20 + 1: "100Mi", 2 << 40: "2Ti"} {
		if got := FormatBytes(in); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", in, got, want)
		}
	}
	// The Go runtime's numbers in Go's units, as GOMEMLIMIT writes them.
	for in, want := range map[int64]string{0: "-", 512: "512B", 900 << 10: "900KiB", 128 << 20: "128MiB", 1536 << 20: "1.5GiB"} {
		if got := FormatGoBytes(in); got != want {
			t.Errorf("FormatGoBytes(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[time.Duration]string{-time.Second: "0s", 45 * time.Second: "45s", 3 * time.Minute: "3m", 190 * time.Second: "3m10s", 42 * time.Minute: "42m", 125 * time.Minute: "2h5m", 11 * time.Hour: "11h", 100 * time.Hour: "4d"} {
		if got := FormatAge(in); got != want {
			t.Errorf("FormatAge(%v) = %q, want %q", in, got, want)
		}
	}
	if Percent(50, 0) != -1 || Percent(379, 384) != 99 || Percent(1, 3) != 33 {
		t.Error("Percent")
	}
}

// An HPA's missing current value is unknown, never 0% (fourth review).
func TestHPAMetricNow(t *testing.T) {
	if got := (HPAMetric{CurrentUtilization: 62}).Now(); got != "62%" {
		t.Errorf("62: %q", got)
	}
	if got := (HPAMetric{CurrentUtilization: 0}).Now(); got != "0%" {
		t.Errorf("a real 0: %q", got)
	}
	if got := (HPAMetric{NoCurrent: true}).Now(); got != "unknown" {
		t.Errorf("none reported: %q", got)
	}
}
