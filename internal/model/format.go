package model

import (
	"fmt"
	"strconv"
	"time"
)

// FormatCPU renders millicores as kubectl does: "250m", "1", "1.5"; "-" for zero.
func FormatCPU(milli int64) string {
	switch {
	case milli <= 0:
		return "-"
	case milli%1000 == 0:
		return strconv.FormatInt(milli/1000, 10)
	case milli >= 1000 && milli%100 == 0:
		return strconv.FormatFloat(float64(milli)/1000, 'f', 1, 64)
	}
	return strconv.FormatInt(milli, 10) + "m"
}

// FormatBytes renders bytes as Kubernetes writes quantities, short:
// "512Mi", "1.5Gi", "900Ki"; "-" for zero. It is for memory a container
// uses, requests and limits; the Go runtime's numbers are FormatGoBytes'.
func FormatBytes(b int64) string { return formatBinary(b, "") }

// FormatGoBytes renders bytes as Go writes them (GOMEMLIMIT's units), short:
// "512MiB", "1.5GiB"; "-" for zero. It is for the Go runtime's numbers: the
// heap, its goal, GOMEMLIMIT.
func FormatGoBytes(b int64) string {
	if b > 0 && b < 1<<10 {
		return strconv.FormatInt(b, 10) + "B"
	}
	return formatBinary(b, "B")
}

// formatBinary renders bytes in the largest binary unit they reach, each
// unit's letters followed by suffix.
func formatBinary(b int64, suffix string) string {
	const (
		ki = 1 << 10
		mi = 1 << 20
		gi = 1 << 30
		ti = 1 << 40
	)
	f := func(v float64, unit string) string {
		if v >= 100 || v == float64(int64(v)) {
			return fmt.Sprintf("%.0f%s", v, unit+suffix)
		}
		return fmt.Sprintf("%.1f%s", v, unit+suffix)
	}
	switch {
	case b <= 0:
		return "-"
	case b >= ti:
		return f(float64(b)/ti, "Ti")
	case b >= gi:
		return f(float64(b)/gi, "Gi")
	case b >= mi:
		return f(float64(b)/mi, "Mi")
	case b >= ki:
		return f(float64(b)/ki, "Ki")
	}
	return strconv.FormatInt(b, 10)
}

// FormatAge renders a duration as kubectl ages do: "45s", "3m", "2h5m", "4d".
func FormatAge(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 10*time.Minute:
		if s := int(d.Seconds()) % 60; s != 0 {
			return fmt.Sprintf("%dm%ds", int(d.Minutes()), s)
		}
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		if m := int(d.Minutes()) % 60; m != 0 && d < 10*time.Hour {
			return fmt.Sprintf("%dh%dm", int(d.Hours()), m)
		}
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// Percent returns used as a whole percentage of of, or -1 when of is zero.
func Percent(used, of int64) int {
	if of <= 0 {
		return -1
	}
	return int((used*100 + of/2) / of)
}
