package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// pastRead is one run of BenchmarkPastRead (internal/collect): a read of
// eight days of history from a fake Prometheus in the benchmark's process.
type pastRead struct {
	Seconds    float64 // wall time of a read (ns/op)
	AnswerMB   float64 // bytes of the answers' JSON
	Queries    float64
	AllocMB    float64 // allocated by the read
	HeapMB     float64 // Go heap objects added, peak
	RSSMB      float64 // resident memory added, peak
	RetainedMB float64 // heap left after the read and a GC: the histograms it filled
}

// denseShape is BenchmarkPastRead's denser namespace at 10,000 pods.
const denseShape = "pods=10000/replicas=3+sidecar"

// readPastReads parses the output of `go test -bench PastRead`: each
// sub-benchmark's result by its name less the GOMAXPROCS suffix
// ("pods=1000", denseShape).
func readPastReads(path string) (map[string]pastRead, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]pastRead{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 {
			continue
		}
		name, ok := strings.CutPrefix(fields[0], "BenchmarkPastRead/")
		if !ok {
			continue
		}
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		var r pastRead
		units := map[string]*float64{"answer-MB": &r.AnswerMB, "queries": &r.Queries, "alloc-MB": &r.AllocMB,
			"peak-heap-added-MB": &r.HeapMB, "peak-rss-added-MB": &r.RSSMB, "retained-MB": &r.RetainedMB}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q: %w", path, sc.Text(), err)
			}
			if fields[i+1] == "ns/op" {
				r.Seconds = v / 1e9
			} else if p := units[fields[i+1]]; p != nil {
				*p = v
			}
		}
		out[name] = r
	}
	return out, sc.Err()
}

// pastReadRows are the table's rows of BenchmarkPastRead's results.
var pastReadRows = []row{
	{"history read¹: wall time", "≤ 5 s at 10k", pastReadValue(func(p pastRead) string { return fmt.Sprintf("%.2f s", p.Seconds) })},
	{"history read¹: queries", "the same at every size", pastReadValue(func(p pastRead) string { return fmt.Sprintf("%.0f", p.Queries) })},
	{"history read¹: answers (JSON)", "", pastReadValue(func(p pastRead) string { return fmt.Sprintf("%.1f MB", p.AnswerMB) })},
	{"history read¹: resident memory (RSS) added, peak", "≤ 100 MB at 10k", pastReadValue(func(p pastRead) string { return fmt.Sprintf("%.1f MB", p.RSSMB) })},
	{"history read¹: Go heap added, peak / kept after", "", pastReadValue(func(p pastRead) string {
		return fmt.Sprintf("%.1f / %.1f MB", p.HeapMB, p.RetainedMB)
	})},
}

func pastReadValue(f func(pastRead) string) func(r result) string {
	return func(r result) string {
		if r.past == nil {
			return "–"
		}
		return f(*r.past)
	}
}

// pastReadNote is the footnote that says where the history rows come from.
func pastReadNote(reads map[string]pastRead) string {
	s := "¹ Not the sandbox: `BenchmarkPastRead` (internal/collect, run by scripts/bench before the sandbox starts) " +
		"reads eight days of history from a fake Prometheus in its own process that answers what Prometheus would for " +
		"as many pods in Deployments of 10 (one container, each rolled out every three days): kgotop's work and " +
		"memory, not the store's. RSS and heap are sampled every millisecond during the read, above where they were before it."
	if d, ok := reads[denseShape]; ok {
		s += fmt.Sprintf(" At 10,000 pods in Deployments of 3 with a sidecar (7 times the answers): %.2f s, %.1f MB answered, "+
			"%.1f MB of RSS added.", d.Seconds, d.AnswerMB, d.RSSMB)
	}
	return s + "\n"
}
