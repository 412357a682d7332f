package promhistory

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// family is one metric family of the output: its samples are written
// together, as OpenMetrics requires.
type family struct {
	name, typ, help string
	series          []*series
}

// series is one time series: its sample name and labels, and its values on
// the time grid from index start on (NaN: no sample there).
type series struct {
	name   string
	labels string // rendered, without braces
	start  int
	values []float64
}

// set adds the value at grid index k.
func (s *series) set(k int, v float64) {
	if len(s.values) == 0 {
		s.start = k
	}
	for s.start+len(s.values) < k {
		s.values = append(s.values, math.NaN())
	}
	if i := k - s.start; i < len(s.values) {
		s.values[i] = v
		return
	}
	s.values = append(s.values, v)
}

// registry holds the families in the order they were first seen.
type registry struct {
	families []*family
	byName   map[string]*family
	byKey    map[string]*series
}

func newRegistry() *registry {
	return &registry{byName: map[string]*family{}, byKey: map[string]*series{}}
}

// family returns the family, made on first use.
func (r *registry) family(name, typ, help string) *family {
	if f, ok := r.byName[name]; ok {
		return f
	}
	f := &family{name: name, typ: typ, help: help}
	r.families = append(r.families, f)
	r.byName[name] = f
	return f
}

// series returns the series of family f with that sample name and labels.
func (r *registry) series(f *family, name, labels string) *series {
	key := name + "{" + labels + "}"
	if s, ok := r.byKey[key]; ok {
		return s
	}
	s := &series{name: name, labels: labels}
	f.series = append(f.series, s)
	r.byKey[key] = s
	return s
}

// labelSet renders label pairs (name, value, name, value, ...).
func labelSet(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", kv[i], kv[i+1])
	}
	return b.String()
}

// write writes every family as OpenMetrics text: timestamps in seconds,
// ending with # EOF.
func (r *registry) write(w io.Writer, grid func(int) int64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var line []byte
	for _, f := range r.families {
		name := f.name
		if f.typ == "counter" { // OpenMetrics names a counter family without _total
			name = strings.TrimSuffix(name, "_total")
		}
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", name, f.help, name, f.typ)
		for _, s := range f.series {
			prefix := s.name + "{" + s.labels + "} "
			for i, v := range s.values {
				if math.IsNaN(v) {
					continue
				}
				line = append(line[:0], prefix...)
				line = appendValue(line, v)
				line = append(line, ' ')
				line = strconv.AppendInt(line, grid(s.start+i), 10)
				line = append(line, '\n')
				if _, err := bw.Write(line); err != nil {
					return err
				}
			}
		}
	}
	if _, err := bw.WriteString("# EOF\n"); err != nil {
		return err
	}
	return bw.Flush()
}

// appendValue formats a sample value: whole numbers without a point, others
// to the thousandth (CPU seconds to the millisecond).
func appendValue(b []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, math.Round(v*1000)/1000, 'g', -1, 64)
}
