package advisor

import (
	"fmt"

	"github.com/kgotop/kgotop/internal/model"
)

// minThrottled is the share of CFS periods throttled (P95 of 5-minute
// windows) under which a measured limit does not bite: GOMAXPROCS advice
// for a Go of unknown version then has nothing to rest on.
const minThrottled = 0.05

// unknownSay is what the GOMAXPROCS rule says of a Go of unknown version
// under a CPU limit.
type unknownSay int

const (
	unknownQuiet  unknownSay = iota // measured: the limit does not throttle it
	unknownListed                   // no evidence either way: said once for all (UnknownGoVersions)
	unknownSpeak                    // throttling measured, or usage at the limit
)

// unknownVersion judges the evidence that the CPU limit throttles a Go
// program of unknown version: before Go 1.25 the runtime ignores the limit,
// which can be why, but only where something shows throttling is it worth a
// line of its own. seen says what shows it.
func unknownVersion(x wctx, limit int64) (say unknownSay, seen string) {
	if p := x.c.Past; p != nil && p.Throttling != nil {
		t := p.Throttling
		if t.P95 < minThrottled {
			return unknownQuiet, ""
		}
		return unknownSpeak, fmt.Sprintf("throttled in %.0f%% of CFS periods at the P95 of 5-minute windows (%s)", 100*t.P95, p.Source)
	}
	if h := x.c.Usage; h != nil && float64(h.CPUPeak.Value) >= throttledAt*float64(limit) {
		return unknownSpeak, fmt.Sprintf("usage reaches %s, %.0f%% of the %s limit", formatCPU(h.CPUPeak.Value),
			100*float64(h.CPUPeak.Value)/float64(limit), cpuAdj(limit))
	}
	return unknownListed, ""
}

// UnknownGoVersions returns the containers of w that run Go, or likely do,
// under a CPU limit, whose Go version kgotop could not learn (no page read,
// none in a store of metrics, no versioned image) and which show no sign of
// throttling either way. Before Go 1.25 the runtime ignores the limit and
// can be throttled in bursts; per container that is no evidence, so a
// report says it once for all of them.
func UnknownGoVersions(w model.Workload, opts Options) []Target {
	opts = opts.withDefaults(newest(w))
	var out []Target
	for _, c := range w.Containers {
		x := wctx{w: w, c: c, opts: opts}
		limit := positive(c.Resources.Limits.CPU)
		if !x.isGo() || limit == 0 || crashLooping(x) {
			continue
		}
		if _, set := c.LookupEnv("GOMAXPROCS"); set {
			continue
		}
		if _, known := goAtLeast(x, 25); known {
			continue
		}
		if rt := x.runtime(); rt != nil && rt.GOMAXPROCS > 0 {
			continue
		}
		if say, _ := unknownVersion(x, limit); say == unknownListed {
			out = append(out, Target{Kind: w.Ref.Kind, Namespace: w.Ref.Namespace, Name: w.Ref.Name, Container: c.Name})
		}
	}
	return out
}
