package collect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// The answers of a history read are decoded here, not into client_golang's
// model.Matrix: that one builds a map per series and copies each answer
// several times, some 17 bytes allocated for every byte answered (217 MB
// for the 12.6 MB a read of 10,000 pods answered with the first 12
// queries, BenchmarkPastRead). This decoder walks the answer once, as it
// is read from the connection, and hands each series' labels and points to
// the fold, keeping nothing: it holds a window of the answer (64 KiB, more
// only for a longer series) and allocates only for escaped strings. (Read
// whole first, as client_golang's Client.Do reads it, an answer costs
// three times its size: 200 MB added for the 63 MB of 10,000 pods in
// Deployments of 3 with a sidecar.)

// label is one label of a series, its name and value pointing into the answer.
type label struct{ name, value []byte }

// labels are a series' labels.
type labels []label

// get returns the value of the named label, nil when the series has none.
func (ls labels) get(name string) []byte {
	for _, l := range ls {
		if string(l.name) == name {
			return l.value
		}
	}
	return nil
}

// sampleSink receives a decoded answer: each series' labels, then its
// points (one for an instant query). The labels are valid until the next
// series begins.
type sampleSink interface {
	series(ls labels)
	point(unix float64, v float64)
}

// decodeAnswer decodes a Prometheus API answer ({"status":...,"data":
// {"resultType":...,"result":[...]},"warnings":[...]}) into sink and
// returns its warnings; an answer with status "error" is a *promv1.Error.
func decodeAnswer(body []byte, sink sampleSink) (promv1.Warnings, error) {
	return (&decoder{b: body}).answer(sink)
}

// streamWindow is the size of the window of an answer decodeStream holds.
const streamWindow = 64 << 10

// decodeStream is decodeAnswer reading the answer from r as it decodes
// it. An error reading r is returned as it is.
func decodeStream(r io.Reader, sink sampleSink) (promv1.Warnings, error) {
	d := &decoder{r: r, b: make([]byte, 0, streamWindow)}
	warnings, err := d.answer(sink)
	if d.rerr != nil && d.rerr != io.EOF {
		return warnings, d.rerr
	}
	return warnings, err
}

func (d *decoder) answer(sink sampleSink) (promv1.Warnings, error) {
	var warnings promv1.Warnings
	var status, errType, errMsg string
	err := d.object(func(key []byte) error {
		switch string(key) {
		case "status", "errorType", "error":
			s, err := d.str()
			*map[string]*string{"status": &status, "errorType": &errType, "error": &errMsg}[string(key)] = string(s)
			return err
		case "warnings":
			return d.array(func() error {
				s, err := d.str()
				warnings = append(warnings, string(s))
				return err
			})
		case "data":
			return d.object(func(key []byte) error {
				if string(key) != "result" {
					return d.skip()
				}
				return d.array(func() error {
					d.release() // the series before is folded
					return d.series(sink)
				})
			})
		}
		return d.skip()
	})
	switch {
	case err != nil:
		return warnings, &promv1.Error{Type: promv1.ErrBadResponse, Msg: err.Error()}
	case status == "error":
		return warnings, &promv1.Error{Type: promv1.ErrorType(errType), Msg: errMsg}
	case status != "success":
		return warnings, &promv1.Error{Type: promv1.ErrBadResponse, Msg: fmt.Sprintf("answer status %q", status)}
	}
	return warnings, nil
}

// decoder walks a JSON document in place: all of it in b, or, read from
// r, a window of it. Slices of the window it hands out stay valid until
// release: reading more only appends (to a larger copy when full), and
// release drops what was decoded.
type decoder struct {
	b    []byte
	i    int
	r    io.Reader // nil: b is the whole document
	rerr error     // r's error, io.EOF at its end
	ls   labels    // reused for every series
}

// avail reports whether there is a byte at i, reading more when needed.
func (d *decoder) avail() bool {
	for d.i >= len(d.b) {
		if !d.more() {
			return false
		}
	}
	return true
}

// more appends what r has next to the window, and reports whether it read any.
func (d *decoder) more() bool {
	for d.r != nil && d.rerr == nil {
		if len(d.b) == cap(d.b) {
			d.b = slices.Grow(d.b, max(cap(d.b), 4<<10))
		}
		n, err := d.r.Read(d.b[len(d.b):cap(d.b)])
		d.b, d.rerr = d.b[:len(d.b)+n], err
		if n > 0 {
			return true
		}
	}
	return false
}

// release drops what was decoded from the window, once that is at least
// half of it (so each byte is moved at most once, on average). The caller
// holds no slice of the window.
func (d *decoder) release() {
	if d.r == nil || d.i < cap(d.b)/2 {
		return
	}
	n := copy(d.b, d.b[d.i:])
	d.b, d.i = d.b[:n], 0
}

var errSyntax = errors.New("malformed JSON answer")

func (d *decoder) ws() {
	for d.avail() && (d.b[d.i] == ' ' || d.b[d.i] == '\n' || d.b[d.i] == '\t' || d.b[d.i] == '\r') {
		d.i++
	}
}

// next consumes c, after white space.
func (d *decoder) next(c byte) bool {
	d.ws()
	if d.avail() && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// object calls field for each key, positioned at its value.
func (d *decoder) object(field func(key []byte) error) error {
	if !d.next('{') {
		return errSyntax
	}
	if d.next('}') {
		return nil
	}
	for {
		key, err := d.str()
		if err != nil {
			return err
		}
		if !d.next(':') {
			return errSyntax
		}
		if err := field(key); err != nil {
			return err
		}
		if d.next('}') {
			return nil
		}
		if !d.next(',') {
			return errSyntax
		}
	}
}

// array calls elem for each element, positioned at it.
func (d *decoder) array(elem func() error) error {
	if !d.next('[') {
		return errSyntax
	}
	if d.next(']') {
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if d.next(']') {
			return nil
		}
		if !d.next(',') {
			return errSyntax
		}
	}
}

// str returns a string's content: a slice of the answer, or a copy
// unescaped when it has escapes.
func (d *decoder) str() ([]byte, error) {
	if !d.next('"') {
		return nil, errSyntax
	}
	start, escaped := d.i, false
	for ; d.avail() && d.b[d.i] != '"'; d.i++ {
		if d.b[d.i] == '\\' {
			escaped = true
			d.i++
		}
	}
	if !d.avail() {
		return nil, errSyntax
	}
	s := d.b[start:d.i]
	d.i++
	if !escaped {
		return s, nil
	}
	u, err := strconv.Unquote(`"` + string(s) + `"`)
	return []byte(u), err
}

// num reads a JSON number.
func (d *decoder) num() (float64, error) {
	d.ws()
	start := d.i
	for d.avail() && bytes.IndexByte([]byte("+-.0123456789eE"), d.b[d.i]) >= 0 {
		d.i++
	}
	return strconv.ParseFloat(string(d.b[start:d.i]), 64)
}

// skip passes over any value.
func (d *decoder) skip() error {
	d.ws()
	if !d.avail() {
		return errSyntax
	}
	switch c := d.b[d.i]; {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{':
		return d.object(func([]byte) error { return d.skip() })
	case c == '[':
		return d.array(d.skip)
	}
	for d.avail() && bytes.IndexByte([]byte(",}] \n\t\r"), d.b[d.i]) < 0 {
		d.i++ // a number, true, false or null
	}
	return nil
}

// series decodes one element of a result: its labels, then its value or values.
func (d *decoder) series(sink sampleSink) error {
	return d.object(func(key []byte) error {
		switch string(key) {
		case "metric":
			d.ls = d.ls[:0]
			err := d.object(func(name []byte) error {
				v, err := d.str()
				d.ls = append(d.ls, label{name, v})
				return err
			})
			sink.series(d.ls)
			return err
		case "value":
			return d.point(sink)
		case "values":
			return d.array(func() error { return d.point(sink) })
		}
		return d.skip() // native histograms: not asked for
	})
}

// point decodes [unix seconds, "value"].
func (d *decoder) point(sink sampleSink) error {
	if !d.next('[') {
		return errSyntax
	}
	t, err := d.num()
	if err != nil || !d.next(',') {
		return errSyntax
	}
	s, err := d.str()
	if err != nil || !d.next(']') {
		return errSyntax
	}
	v, err := strconv.ParseFloat(string(s), 64) // "NaN", "+Inf" included
	if err != nil {
		return err
	}
	sink.point(t, v)
	return nil
}
