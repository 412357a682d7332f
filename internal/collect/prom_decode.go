package collect

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// The answers of a history read are decoded here, not into client_golang's
// model.Matrix: that one builds a map per series and copies each answer
// several times, some 17 bytes allocated for every byte answered (217 MB
// for the 12.6 MB a read of 10,000 pods answers, BenchmarkPastRead). This
// decoder walks the answer once and hands each series' labels and points
// to the fold, keeping nothing: it allocates only for escaped strings.

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
	d := &decoder{b: body}
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
				return d.array(func() error { return d.series(sink) })
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

// decoder walks a JSON document in place.
type decoder struct {
	b  []byte
	i  int
	ls labels // reused for every series
}

var errSyntax = errors.New("malformed JSON answer")

func (d *decoder) ws() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\n' || d.b[d.i] == '\t' || d.b[d.i] == '\r') {
		d.i++
	}
}

// next consumes c, after white space.
func (d *decoder) next(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
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
	for ; d.i < len(d.b) && d.b[d.i] != '"'; d.i++ {
		if d.b[d.i] == '\\' {
			escaped = true
			d.i++
		}
	}
	if d.i >= len(d.b) {
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
	for d.i < len(d.b) && bytes.IndexByte([]byte("+-.0123456789eE"), d.b[d.i]) >= 0 {
		d.i++
	}
	return strconv.ParseFloat(string(d.b[start:d.i]), 64)
}

// skip passes over any value.
func (d *decoder) skip() error {
	d.ws()
	if d.i >= len(d.b) {
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
	for d.i < len(d.b) && bytes.IndexByte([]byte(",}] \n\t\r"), d.b[d.i]) < 0 {
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
