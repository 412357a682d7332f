package collect

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// recorder keeps what a decode hands its sink, as text.
type recorder struct{ got []string }

func (r *recorder) series(ls labels) {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "%s=%s,", l.name, l.value)
	}
	r.got = append(r.got, b.String())
}

func (r *recorder) point(t, v float64) { r.got = append(r.got, fmt.Sprintf("%g@%g", v, t)) }

func TestAnswersDecodeAsPrometheusWritesThem(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       []string
		warnings   int
		err        string
	}{
		{"matrix", `{"status":"success","data":{"resultType":"matrix","result":[` +
			`{"metric":{"kgotop_set":"api-7d4b9c","container":"app","bucket":"37"},"values":[[1700000000,"12"],[1700086400.5,"3.5"]]},` +
			`{"metric":{},"values":[]}]}}`,
			[]string{"kgotop_set=api-7d4b9c,container=app,bucket=37,", "12@1.7e+09", "3.5@1.7000864005e+09", ""}, 0, ""},
		{"vector, escapes, warnings, infos", ` { "status" : "success", "data" : { "resultType" : "vector", "result" : [ ` +
			`{ "metric" : { "reason" : "say \"hi\"\n" }, "value" : [ 1700000000 , "NaN" ] } ] }, "warnings" : ["partial"], "infos": ["x"] }`,
			[]string{"reason=say \"hi\"\n,", "NaN@1.7e+09"}, 1, ""},
		{"native histograms are skipped", `{"status":"success","data":{"resultType":"matrix","result":[` +
			`{"metric":{"a":"b"},"histograms":[[1,{"count":"2","buckets":[[0,"1","2","3"]]}]]}]}}`, []string{"a=b,"}, 0, ""},
		{"store error", `{"status":"error","errorType":"execution","error":"too many samples","warnings":["w"]}`, nil, 1, "execution: too many samples"},
		{"truncated", `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1,"2"]`, nil, 0, "bad_response"},
		{"not JSON", `<html>Sign in</html>`, nil, 0, "bad_response"},
	} {
		for _, how := range []string{"whole", "streamed"} {
			t.Run(c.name+", "+how, func(t *testing.T) {
				r := &recorder{}
				var warnings promv1.Warnings
				var err error
				if how == "whole" {
					warnings, err = decodeAnswer([]byte(c.body), r)
				} else { // a byte at a time into a window of 8
					warnings, err = (&decoder{r: iotest.OneByteReader(strings.NewReader(c.body)), b: make([]byte, 0, 8)}).answer(r)
				}
				var pe *promv1.Error
				switch {
				case c.err == "" && err != nil:
					t.Fatalf("error %v", err)
				case c.err != "" && (!errors.As(err, &pe) || !strings.Contains(string(pe.Type)+": "+pe.Msg, c.err)):
					t.Fatalf("error %v, want a *promv1.Error with %q", err, c.err)
				}
				if c.err == "" && strings.Join(r.got, "|") != strings.Join(c.want, "|") {
					t.Errorf("decoded %q, want %q", r.got, c.want)
				}
				if len(warnings) != c.warnings {
					t.Errorf("warnings %q", warnings)
				}
			})
		}
	}
}

// A long answer read as it arrives decodes as it does whole, in a window
// that holds a series or two: the labels handed out stay whole while the
// window moves on and grows.
func TestAStreamedAnswerDecodesAsAWholeOneInAWindow(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[`)
	for i := range 2000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"metric":{"kgotop_set":"svc-%04d-%s","container":"app","bucket":"%d"},"values":[`, i, strings.Repeat("x", i%300), i%97)
		for j := range i % 9 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `[%d,"%d"]`, 1700000000+86400*j, i*j)
		}
		b.WriteString("]}")
	}
	b.WriteString(`]},"warnings":["partial"]}`)
	whole, streamed := &recorder{}, &recorder{}
	if _, err := decodeAnswer([]byte(b.String()), whole); err != nil {
		t.Fatal(err)
	}
	d := &decoder{r: iotest.HalfReader(strings.NewReader(b.String())), b: make([]byte, 0, 256)}
	warnings, err := d.answer(streamed)
	if err != nil || len(warnings) != 1 {
		t.Fatalf("streamed: %v %q", err, warnings)
	}
	if len(streamed.got) != len(whole.got) {
		t.Fatalf("streamed %d items, whole %d", len(streamed.got), len(whole.got))
	}
	for i := range whole.got {
		if streamed.got[i] != whole.got[i] {
			t.Fatalf("item %d: streamed %q, whole %q", i, streamed.got[i], whole.got[i])
		}
	}
	if cap(d.b) > 8<<10 { // its longest series is 530 bytes
		t.Errorf("the window grew to %d bytes for an answer of %d", cap(d.b), b.Len())
	}
}

func TestAnAnswerCutOffSaysWhy(t *testing.T) {
	body := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1,"2"]`
	cut := errors.New("connection reset by peer")
	_, err := decodeStream(io.MultiReader(strings.NewReader(body), iotest.ErrReader(cut)), &recorder{})
	if !errors.Is(err, cut) {
		t.Errorf("error %v, want the read's", err)
	}
}
