package advisor

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const (
	kib = int64(1) << 10
	mib = int64(1) << 20
	gib = int64(1) << 30
	tib = int64(1) << 40

	// maxAmount bounds every computed amount so that absurd inputs (an
	// int64-sized peak times a margin) cannot overflow: 1 EiB or 1e15 cores.
	maxAmount = int64(1) << 60
)

// ceilTo rounds v up to a whole multiple of unit, clamped to [0, maxAmount].
func ceilTo(v float64, unit int64) int64 {
	if math.IsNaN(v) || v <= 0 {
		return 0
	}
	n := math.Ceil(v / float64(unit))
	if n*float64(unit) >= float64(maxAmount) {
		return maxAmount / unit * unit
	}
	return int64(n) * unit
}

// floorTo rounds v down to a whole multiple of unit, clamped to [0, maxAmount].
func floorTo(v float64, unit int64) int64 {
	if math.IsNaN(v) || v <= 0 {
		return 0
	}
	n := math.Floor(v / float64(unit))
	if n*float64(unit) >= float64(maxAmount) {
		return maxAmount / unit * unit
	}
	return int64(n) * unit
}

// cpuWords renders millicores for a sentence: whole cores in words ("1
// core", "2 cores"), where the quantity "1" reads as a number of nothing;
// else the quantity ("250m").
func cpuWords(m int64) string {
	if m > 0 && m%1000 == 0 {
		return count(m/1000, "core")
	}
	return formatCPU(m)
}

// cpuAdj is cpuWords before a noun: "the 1-core limit", "the 500m limit".
func cpuAdj(m int64) string {
	if m > 0 && m%1000 == 0 {
		return strconv.FormatInt(m/1000, 10) + "-core"
	}
	return formatCPU(m)
}

// formatCPU renders millicores as a Kubernetes quantity: "250m", "2".
func formatCPU(m int64) string {
	if m%1000 == 0 {
		return strconv.FormatInt(m/1000, 10)
	}
	return strconv.FormatInt(m, 10) + "m"
}

// formatMemory renders bytes as a Kubernetes quantity in the largest binary
// unit that divides it ("484Mi", "2Gi"), else decimal ("500M") or bytes.
func formatMemory(b int64) string {
	switch {
	case b == 0:
		return "0"
	case b%tib == 0:
		return strconv.FormatInt(b/tib, 10) + "Ti"
	case b%gib == 0:
		return strconv.FormatInt(b/gib, 10) + "Gi"
	case b%mib == 0:
		return strconv.FormatInt(b/mib, 10) + "Mi"
	case b%1_000_000 == 0:
		return strconv.FormatInt(b/1_000_000, 10) + "M"
	case b%kib == 0:
		return strconv.FormatInt(b/kib, 10) + "Ki"
	}
	return strconv.FormatInt(b, 10)
}

// humanBytes renders a Go runtime's bytes for reading, to one decimal, in
// the units Go writes (GOMEMLIMIT's): "1.5GiB", "312MiB". Memory the
// container uses, and its requests and limits, are Kubernetes quantities:
// usageBytes and formatMemory write those.
func humanBytes(b int64) string { return readable(b, "iB") }

// usageBytes renders memory a container uses for reading, to one decimal,
// in the units Kubernetes writes (as the table and kubectl top do):
// "1.5Gi", "312Mi".
func usageBytes(b int64) string { return readable(b, "i") }

// readable renders bytes in the largest binary unit they reach, ending
// each unit's letter with suffix.
func readable(b int64, suffix string) string {
	switch {
	case b >= gib:
		return strconv.FormatFloat(float64(b)/float64(gib), 'f', 1, 64) + "G" + suffix
	case b >= mib:
		return strconv.FormatInt((b+mib/2)/mib, 10) + "M" + suffix
	case b >= kib:
		return strconv.FormatInt((b+kib/2)/kib, 10) + "K" + suffix
	}
	return strconv.FormatInt(b, 10) + "B"
}

// formatGoBytes renders bytes the way GOMEMLIMIT accepts them: "435MiB", "2GiB".
func formatGoBytes(b int64) string {
	switch {
	case b > 0 && b%gib == 0:
		return strconv.FormatInt(b/gib, 10) + "GiB"
	case b > 0 && b%mib == 0:
		return strconv.FormatInt(b/mib, 10) + "MiB"
	}
	return strconv.FormatInt(b, 10) + "B"
}

// errOff is returned by parseGoBytes for "off".
var errOff = errors.New("off")

// parseGoBytes parses a GOMEMLIMIT value exactly as the Go runtime does
// (runtime.parseByteCount): a non-negative number of bytes with an optional
// B, KiB, MiB, GiB or TiB suffix, no spaces, no overflow. "off" and the
// empty string (no limit) yield errOff; anything else makes the program
// throw at start, so it is an error here.
func parseGoBytes(s string) (int64, error) {
	if s == "" || s == "off" {
		return 0, errOff
	}
	bad := fmt.Errorf("not a GOMEMLIMIT value: %q", s)
	num, mult := s, uint64(1)
	switch last := s[len(s)-1]; {
	case last >= '0' && last <= '9':
	case last != 'B' || len(s) < 2:
		return 0, bad
	case s[len(s)-2] >= '0' && s[len(s)-2] <= '9':
		num = s[:len(s)-1]
	case s[len(s)-2] != 'i' || len(s) < 4:
		return 0, bad
	default:
		power := strings.IndexByte("KMGT", s[len(s)-3]) + 1
		if power == 0 {
			return 0, bad
		}
		for range power {
			mult *= 1024
		}
		num = s[:len(s)-3]
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || uint64(n) > math.MaxInt64/mult {
		return 0, bad
	}
	return int64(uint64(n) * mult), nil
}

// formatDuration renders a duration compactly: "45s", "1m20s", "12m", "3h20m", "6d4h".
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 10*time.Minute && int(d.Seconds())%60 != 0:
		return fmt.Sprintf("%dm%ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	days, h := int(d.Hours())/24, int(d.Hours())%24
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}

// cpuValue and memValue make typed values; 0 means not set.
func cpuValue(m int64) Value {
	if m <= 0 {
		return Value{Display: "not set", Unit: Millicores}
	}
	return Value{Display: formatCPU(m), Set: true, Amount: m, Unit: Millicores}
}

// millicores is cpuValue shown in millicores ("2000m", not "2"), for a
// limit that ends a range of millicores.
func millicores(m int64) Value {
	v := cpuValue(m)
	if v.Set {
		v.Display = strconv.FormatInt(m, 10) + "m"
	}
	return v
}

func memValue(b int64) Value {
	if b <= 0 {
		return Value{Display: "not set", Unit: Bytes}
	}
	return Value{Display: formatMemory(b), Set: true, Amount: b, Unit: Bytes}
}

func textValue(s string) Value {
	if s == "" {
		return Value{Display: "not set"}
	}
	return Value{Display: s, Set: true}
}

func countValue(n int64, display string) Value {
	return Value{Display: display, Set: true, Amount: n, Unit: Count}
}

// ev makes a textual piece of evidence; num one with a number.
func ev(label, value string) Evidence { return Evidence{Label: label, Value: value} }

func num(label, value string, n float64, unit Unit) Evidence {
	return Evidence{Label: label, Value: value, Number: &n, Unit: unit}
}

// cpuEv is CPU in millicores, whole cores in words ("limit 1 core"), so
// that a bare "1" never stands for a quantity.
func cpuEv(label string, m int64) Evidence {
	return num(label, cpuWords(m), float64(m), Millicores)
}

// memEv is a number of the Go runtime's (a heap, its goal), in Go's units.
func memEv(label string, b int64) Evidence { return num(label, humanBytes(b), float64(b), Bytes) }

// usageEv is memory the container uses (a peak), in Kubernetes' units.
func usageEv(label string, b int64) Evidence { return num(label, usageBytes(b), float64(b), Bytes) }

// limitEv is a memory request or limit, written as the spec writes it ("1Gi").
func limitEv(label string, b int64) Evidence { return num(label, formatMemory(b), float64(b), Bytes) }

// count says n of a thing in English: "1 restart", "3 restarts".
func count[N ~int32 | ~int64 | ~int](n N, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// times says how often: "once", "3 times".
func times[N ~int32 | ~int64 | ~int](n N) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}
