package promhistory

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/scenario"
)

// sample is one parsed line of the output.
type sample struct {
	t int64
	v float64
}

// parsed is the output read back: samples by metric name, then by label set.
type parsed struct {
	series map[string]map[string][]sample
	maxT   int64
}

// past is the library's past at a 5-minute step (the tests' own: eight
// days at the sandbox's one minute take long under the race detector), read
// back once for every test.
var past = sync.OnceValues(func() (parsed, error) { return generate(Options{End: end, Step: 5 * time.Minute}) })

func readPast(t *testing.T) parsed {
	t.Helper()
	p, err := past()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// generate writes the past with o and reads it back as a client would see it.
func generate(o Options) (parsed, error) {
	r, w := io.Pipe()
	go func() { w.CloseWithError(Write(w, o)) }()
	defer r.Close()
	p := parsed{series: map[string]map[string][]sample{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	eof := false
	for sc.Scan() {
		line := sc.Text()
		if line == "# EOF" {
			eof = true
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return p, fmt.Errorf("line %q: want series, value, timestamp", line)
		}
		name, labels, _ := strings.Cut(f[0], "{")
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return p, fmt.Errorf("line %q: %w", line, err)
		}
		ts, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return p, fmt.Errorf("line %q: %w", line, err)
		}
		if p.series[name] == nil {
			p.series[name] = map[string][]sample{}
		}
		p.series[name][labels] = append(p.series[name][labels], sample{ts, v})
		p.maxT = max(p.maxT, ts)
	}
	if err := sc.Err(); err != nil {
		return p, err
	}
	if !eof {
		return p, errors.New("output does not end with # EOF")
	}
	return p, nil
}

var labelRE = regexp.MustCompile(`(\w+)="([^"]*)"`)

func label(labels, name string) string {
	for _, m := range labelRE.FindAllStringSubmatch(labels, -1) {
		if m[1] == name {
			return m[2]
		}
	}
	return ""
}

// workloadOf names a series' workload: the scenario whose name and a dash
// begin the pod's name.
func workloadOf(pod string) string {
	best := ""
	for _, sc := range scenario.All() {
		if strings.HasPrefix(pod, sc.Name+"-") && len(sc.Name) > len(best) {
			best = sc.Name
		}
	}
	return best
}

// weighted is a value with the weight a 24h-half-life histogram gives it.
type weighted struct{ v, w float64 }

func percentile(xs []weighted, p float64) float64 {
	slices.SortFunc(xs, func(a, b weighted) int { return cmp.Compare(a.v, b.v) })
	total := 0.0
	for _, x := range xs {
		total += x.w
	}
	sum := 0.0
	for _, x := range xs {
		sum += x.w
		if sum >= p*total {
			return x.v
		}
	}
	return math.NaN()
}

// rates returns the per-second rate between successive samples of a
// counter, restarting at a reset as PromQL's rate does.
func rates(ss []sample) []sample {
	var out []sample
	for i := 1; i < len(ss); i++ {
		d := ss[i].v - ss[i-1].v
		if d < 0 {
			d = ss[i].v
		}
		out = append(out, sample{ss[i].t, d / float64(ss[i].t-ss[i-1].t)})
	}
	return out
}

// byContainer groups a metric's series by workload/container, unweighted
// (w=1) and decayed (24h half-life from the end), of rate or raw values.
func (p parsed) byContainer(name string, rate bool) (flat, decayed map[string][]weighted) {
	flat, decayed = map[string][]weighted{}, map[string][]weighted{}
	for labels, ss := range p.series[name] {
		c := label(labels, "container")
		if c == "" {
			continue
		}
		key := workloadOf(label(labels, "pod")) + "/" + c
		if rate {
			ss = rates(ss)
		}
		for _, s := range ss {
			flat[key] = append(flat[key], weighted{s.v, 1})
			decayed[key] = append(decayed[key], weighted{s.v, math.Exp2(-float64(p.maxT-s.t) / 86400)})
		}
	}
	return flat, decayed
}

func near(got, want, tol float64) bool {
	if want == 0 {
		return math.Abs(got) <= tol
	}
	return math.Abs(got/want-1) <= tol
}

// dailyPeaks returns each old pod's working-set peak in each 24h window from
// its first sample (as kgotop's and the VPA's peak windows), by workload/container.
func (p parsed) dailyPeaks() map[string][]weighted {
	out := map[string][]weighted{}
	for labels, ss := range p.series["container_memory_working_set_bytes"] {
		c := label(labels, "container")
		if c == "" {
			continue
		}
		key := workloadOf(label(labels, "pod")) + "/" + c
		from, peak := ss[0].t, 0.0
		for _, s := range ss {
			if s.t-from >= 86400 {
				out[key] = append(out[key], weighted{peak, 1})
				from, peak = s.t, 0
			}
			peak = max(peak, s.v)
		}
		out[key] = append(out[key], weighted{peak, 1})
	}
	return out
}

func replicas(name string) float64 {
	for _, sc := range scenario.All() {
		if sc.Name == name {
			return float64(sc.Replicas)
		}
	}
	return 0
}

// increases sums a counter's increase over the whole history by
// workload/container, counting resets as PromQL's increase does.
func (p parsed) increases(name string) map[string]float64 {
	out := map[string]float64{}
	for labels, ss := range p.series[name] {
		key := workloadOf(label(labels, "pod")) + "/" + label(labels, "container")
		for _, r := range rates(ss) {
			out[key] += r.v * float64(p.seriesStep(ss))
		}
	}
	return out
}

func (p parsed) seriesStep(ss []sample) int64 {
	if len(ss) < 2 {
		return 0
	}
	return ss[1].t - ss[0].t
}
