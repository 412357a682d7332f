package gometrics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// families are the metric families read, by their name in the text format
// without the suffixes a sample may add (_total, _sum, _count, ...).
// go_sql_* families are read whatever their name.
var families = map[string]bool{
	"go_info":                                 true,
	"go_goroutines":                           true,
	"go_threads":                              true,
	"go_memstats_heap_alloc_bytes":            true,
	"go_memstats_heap_inuse_bytes":            true,
	"go_memstats_next_gc_bytes":               true,
	"go_memstats_sys_bytes":                   true,
	"go_memstats_heap_released_bytes":         true,
	"go_memory_classes_total_bytes":           true,
	"go_memory_classes_heap_released_bytes":   true,
	"go_gc_duration_seconds":                  true,
	"go_gc_gogc_percent":                      true,
	"go_gc_gomemlimit_bytes":                  true,
	"go_gc_heap_live_bytes":                   true,
	"go_gc_heap_goal_bytes":                   true,
	"go_sched_gomaxprocs_threads":             true,
	"go_cpu_classes_gc_total_cpu_seconds":     true,
	"go_cpu_classes_gc_mark_idle_cpu_seconds": true,
	"go_cpu_classes_idle_cpu_seconds":         true,
	"go_cpu_classes_total_cpu_seconds":        true,
}

var sampleSuffixes = []string{"_total", "_sum", "_count", "_bucket", "_created"}

// wanted reports whether a metric or sample name belongs to a family read here.
func wanted(name string) bool {
	if strings.HasPrefix(name, "go_sql_") || families[name] {
		return true
	}
	for _, s := range sampleSuffixes {
		if base, ok := strings.CutSuffix(name, s); ok && families[base] {
			return true
		}
	}
	return false
}

// openMetrics tells from the Content-Type whether the page is OpenMetrics
// (true) or the Prometheus text format (false). A missing or foreign type
// (text/html from a misconfigured server) is sniffed from the body.
func openMetrics(contentType string, body []byte) (bool, error) {
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return sniff(body), nil
	}
	switch media {
	case expfmt.OpenMetricsType:
		switch v := params["version"]; v {
		case "", expfmt.OpenMetricsVersion_0_0_1, expfmt.OpenMetricsVersion_1_0_0:
			return true, nil
		default:
			return false, fmt.Errorf("%w: OpenMetrics version %q (1.0.0 is read)", ErrFormat, v)
		}
	case "text/plain":
		return false, nil
	case expfmt.ProtoType:
		return false, fmt.Errorf("%w: protobuf (the text format and OpenMetrics are read)", ErrFormat)
	}
	return sniff(body), nil
}

// sniff says whether a page of unknown type ends the way OpenMetrics does.
func sniff(body []byte) bool {
	return bytes.HasSuffix(bytes.TrimRight(body, "\r\n\t "), []byte("# EOF"))
}

// document is the part of a page that is parsed, in the text format.
type document struct {
	text      []byte
	skipped   int
	truncated bool
}

// filter keeps the lines of the families read, in page order: their HELP
// and TYPE lines and their samples, at most MaxSeries samples and no line
// over MaxLineBytes. OpenMetrics lines are rewritten into the text format
// (see textLine); a page that lacked its "# EOF" is marked truncated.
//
// Why not expfmt's OpenMetrics decoder: in prometheus/common v0.73 it
// matches every line against the OpenMetrics ABNF grammar, about 1 ms a
// line and superlinear in its length (one 4 KiB label value took 29 s
// here). Any pod could stall kgotop with one line. The families read here
// are gauges, counters and one summary, whose OpenMetrics lines map onto
// the text format one to one; expfmt's text parser then reads them in
// linear time.
func filter(body []byte, om bool) document {
	var d document
	var out bytes.Buffer
	series, sawEOF := 0, false
	for len(body) > 0 && !sawEOF {
		var line []byte
		line, body, _ = bytes.Cut(body, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		name, sample := lineName(line)
		switch {
		case om && bytes.Equal(line, []byte("# EOF")):
			sawEOF = true
			continue
		case !wanted(name):
			continue
		case len(line) > MaxLineBytes:
			d.skipped++
			continue
		case sample && series >= MaxSeries:
			d.skipped++
			d.truncated = true
			continue
		}
		if om {
			var ok bool
			if line, ok = textLine(line, name, sample); !ok {
				continue
			}
		}
		if sample {
			series++
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	d.truncated = d.truncated || om && !sawEOF
	d.text = out.Bytes()
	return d
}

// textLine rewrites one OpenMetrics line of a family read here into the
// text format, or drops it (false): HELP and UNIT lines go (help text is
// not read, and an OpenMetrics counter's HELP names the family without
// _total); a counter's TYPE gets the _total its samples carry; unknown
// becomes untyped, and the types the text format lacks lose their TYPE
// line (their samples read as untyped); _created samples go; a sample
// keeps its name, labels and value, and loses its timestamp (seconds in
// OpenMetrics, milliseconds in text) and exemplar.
func textLine(line []byte, name string, sample bool) ([]byte, bool) {
	if !sample {
		f := strings.Fields(string(line))
		if len(f) != 4 || f[1] != "TYPE" {
			return nil, false
		}
		switch f[3] {
		case "counter":
			if !strings.HasSuffix(name, "_total") {
				name += "_total"
			}
		case "gauge", "summary", "histogram":
		case "unknown":
			f[3] = "untyped"
		default:
			return nil, false
		}
		return []byte("# TYPE " + name + " " + f[3]), true
	}
	if strings.HasSuffix(name, "_created") {
		return nil, false
	}
	head := len(name)
	if head < len(line) && line[head] == '{' {
		end := labelsEnd(line[head:])
		if end < 0 {
			return line, true // broken: let the parser say so
		}
		head += end
	}
	f := bytes.Fields(line[head:])
	if len(f) == 0 {
		return line, true
	}
	return append(line[:head:head], append([]byte(" "), f[0]...)...), true
}

// labelsEnd returns the length of the label set at the start of b
// ("{a=\"x}\"}"), skipping quoted values and their escapes, or -1.
func labelsEnd(b []byte) int {
	quoted, escaped := false, false
	for i, c := range b {
		switch {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case !quoted && c == '}':
			return i + 1
		}
	}
	return -1
}

// lineName returns the metric name a line is about and whether it is a
// sample: "go_info" for `go_info{version="go1.24"} 1` and for
// "# TYPE go_info gauge"; "" for other comments and blank lines.
func lineName(line []byte) (string, bool) {
	if rest, ok := bytes.CutPrefix(line, []byte("# ")); ok {
		kind, rest, _ := bytes.Cut(rest, []byte(" "))
		switch string(kind) {
		case "HELP", "TYPE", "UNIT":
			name, _, _ := bytes.Cut(rest, []byte(" "))
			return string(name), false
		}
		return "", false
	}
	end := bytes.IndexAny(line, "{ \t")
	if end < 0 {
		end = len(line)
	}
	// Only the names read are ever kept, so a short prefix check comes first:
	// no string is made of a long foreign name.
	if end < 3 || !bytes.HasPrefix(line, []byte("go_")) || end > 128 {
		return "", true
	}
	return string(line[:end]), true
}

// decode parses a filtered document (text format) into metric families by name. It
// returns what it read before an error along with the error. A panic in the
// parser (hostile input it was not made for) becomes an error.
func decode(text []byte) (fams map[string]*dto.MetricFamily, err error) {
	fams = map[string]*dto.MetricFamily{}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the metrics parser failed on this page: %v", r)
		}
	}()
	dec := expfmt.NewDecoder(bytes.NewReader(text), expfmt.NewFormat(expfmt.TypeTextPlain))
	for {
		mf := &dto.MetricFamily{}
		err := dec.Decode(mf)
		if errors.Is(err, io.EOF) {
			return fams, nil
		}
		if err != nil {
			return fams, err
		}
		if prev := fams[mf.GetName()]; prev != nil {
			prev.Metric = append(prev.Metric, mf.Metric...)
			continue
		}
		fams[mf.GetName()] = mf
	}
}
