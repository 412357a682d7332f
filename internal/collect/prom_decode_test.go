package collect

import (
	"errors"
	"fmt"
	"strings"
	"testing"

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
		t.Run(c.name, func(t *testing.T) {
			r := &recorder{}
			warnings, err := decodeAnswer([]byte(c.body), r)
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
