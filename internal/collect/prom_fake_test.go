package collect

import (
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// fakeStore is a Prometheus-compatible HTTP API for tests and benchmarks:
// it recognises the history read's queries by their text and answers them
// as Prometheus would from a designed past of sets of pods, and it can be
// told to fail, stall or warn.
type fakeStore struct {
	names map[string]string // PromQL -> query name
	sets  []fakeSet

	mu sync.Mutex
	// status, when not 0, answers every request with it and body.
	status int
	body   string
	delay  time.Duration
	// stall, when not 0, sends that many bytes of each answer, then nothing.
	stall    int
	warnings []string
	missing  map[string]bool // queries that find no series
	methods  map[string]int
	queries  []string // names of the queries answered, in order

	served atomic.Int64 // bytes of answers written
	srv    *httptest.Server
	// cache keeps every answer made, when set (benchmarks: the fake's
	// own work then stays out of what they measure).
	cache map[string][]byte
}

// fakeSet is one set of pods (a ReplicaSet) in the fake past.
type fakeSet struct {
	name, deployment, container string
	pods                        int
	// days are the chunks the set had pods in, 0 the newest.
	days []int
	// cpu is the share of each day's samples at each usage (cores).
	cpu map[float64]float64
	// memPeak is each pod's daily working-set peak, bytes; memSpread,
	// when more than 1, spreads the pods' peaks over that many buckets.
	memPeak                 float64
	memSpread               int
	oom, restarts           float64
	throttled, periods, p95 float64
	reason                  string
	// The Go runtime the set's pages served (the go-* queries): its
	// version ("" for none), gauges by metric, memory outside the runtime,
	// the series of its pools by db_name and metric, and the memory trend
	// by part; goNoContainer leaves the container label off, as a scrape
	// job that does not set it.
	goVersion     string
	goGauges      map[string]float64
	outside       float64
	pools         map[string]map[string]float64
	growth        map[string]float64
	goNoContainer bool
}

func newFakeStore(t testing.TB, span time.Duration, sets ...fakeSet) *fakeStore {
	f := &fakeStore{names: map[string]string{}, sets: sets, missing: map[string]bool{}, methods: map[string]int{}}
	for _, q := range planPast(ns, span, t0).queries() {
		f.names[q.promQL] = q.name
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeStore) set(fn func(f *fakeStore)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeStore) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	status, body, delay, warnings := f.status, f.body, f.delay, f.warnings
	f.methods[r.Method]++
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := r.Form.Get("query")
	name, known := f.names[q]
	f.mu.Lock()
	f.queries = append(f.queries, name)
	missing := f.missing[name]
	f.mu.Unlock()
	if !known && q != "vector(1)" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":"unexpected query %q"}`, q)
		return
	}
	key := r.URL.Path + "?" + r.Form.Encode()
	f.mu.Lock()
	cached, ok := f.cache[key]
	f.mu.Unlock()
	if ok {
		f.write(w, r, cached)
		return
	}
	b := make([]byte, 0, 1<<16)
	b = append(b, `{"status":"success","data":{`...)
	if r.URL.Path == "/api/v1/query_range" {
		start, end, step := formTime(r, "start"), formTime(r, "end"), formSeconds(r, "step")
		b = append(b, `"resultType":"matrix","result":[`...)
		if !missing {
			b = f.matrix(b, name, start, end, step)
		}
	} else {
		b = append(b, `"resultType":"vector","result":[`...)
		if !missing {
			b = f.vector(b, name, formTime(r, "time"))
		}
	}
	b = append(b, "]}"...)
	if len(warnings) > 0 {
		b = append(b, `,"warnings":[`...)
		for i, w := range warnings {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, w)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	f.mu.Lock()
	if f.cache != nil {
		f.cache[key] = b
	}
	f.mu.Unlock()
	f.write(w, r, b)
}

// write sends an answer, or the start of it when told to stall.
func (f *fakeStore) write(w http.ResponseWriter, r *http.Request, b []byte) {
	f.mu.Lock()
	stall := f.stall
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if stall > 0 && stall < len(b) {
		n, _ := w.Write(b[:stall])
		f.served.Add(int64(n))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		return
	}
	n, _ := w.Write(b)
	f.served.Add(int64(n))
}

func formTime(r *http.Request, key string) float64 {
	v, _ := strconv.ParseFloat(r.Form.Get(key), 64)
	return v
}

func formSeconds(r *http.Request, key string) float64 { return formTime(r, key) }

// series appends one series' labels.
func series(b []byte, s fakeSet, extra ...string) []byte {
	b = append(b, `{"metric":{"`+setLabel+`":"`...)
	b = append(b, s.name...)
	b = append(b, `","container":"`...)
	b = append(b, s.container...)
	b = append(b, '"')
	for i := 0; i+1 < len(extra); i += 2 {
		b = append(b, `,"`+extra[i]+`":"`+extra[i+1]+`"`...)
	}
	return append(b, '}')
}

func point(b []byte, t, v float64) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, t, 'f', -1, 64)
	b = append(b, `,"`...)
	b = strconv.AppendFloat(b, v, 'g', -1, 64)
	return append(b, `"]`...)
}

// matrix answers a range query: one point per chunk the set had pods in.
func (f *fakeStore) matrix(b []byte, name string, start, end, step float64) []byte {
	cpu, mem := model.NewCPUHistogram(time.Hour), model.NewMemoryHistogram(time.Hour)
	first := true
	emit := func(s fakeSet, value func(day int) float64, extra ...string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = series(b, s, extra...)
		b = append(b, `,"values":[`...)
		n := 0
		for t := start; t <= end+1e-9; t += step {
			day := int(math.Round((end - t) / step))
			if !slices.Contains(s.days, day) {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = point(b, t, value(day))
		}
		b = append(b, "]}"...)
	}
	perDay := float64(time.Duration(step*float64(time.Second)) / pastStep)
	for _, s := range f.sets {
		switch name {
		case qCPUBuckets:
			for cores, share := range s.cpu {
				bucket := strconv.Itoa(cpu.BucketOf(cores))
				emit(s, func(int) float64 { return math.Round(share * perDay * float64(s.pods)) }, "bucket", bucket)
			}
		case qMemoryBuckets:
			n := max(s.memSpread, 1)
			for k := range n {
				bucket := strconv.Itoa(mem.BucketOf(s.memPeak * math.Pow(1.05, float64(k))))
				emit(s, func(int) float64 { return float64(s.pods / n) }, "bucket", bucket)
			}
		case qCoverage:
			emit(s, func(int) float64 { return perDay })
		}
	}
	return b
}

// vector answers an instant query: one sample per set.
func (f *fakeStore) vector(b []byte, name string, at float64) []byte {
	if name == "" { // the ping
		return append(point(append(b, `{"metric":{},"value":`...), at, 1), '}')
	}
	first := true
	emit := func(b []byte, labels func([]byte) []byte, v float64) []byte {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = labels(b)
		b = append(b, `,"value":`...)
		return append(point(b, at, v), '}')
	}
	owned := map[string]bool{} // sets of two containers have one owner
	for _, s := range f.sets {
		lbl := func(extra ...string) func([]byte) []byte {
			return func(b []byte) []byte { return series(b, s, extra...) }
		}
		switch name {
		case qOwners:
			if owned[s.name] {
				continue
			}
			owned[s.name] = true
			b = emit(b, func(b []byte) []byte {
				return append(b, `{"metric":{"owner_kind":"ReplicaSet","owner_name":"`+s.name+`"}`...)
			}, float64(s.pods))
			b = emit(b, func(b []byte) []byte {
				return append(b, `{"metric":{"replicaset":"`+s.name+`","owner_kind":"Deployment","owner_name":"`+s.deployment+`"}`...)
			}, 1)
		case qCPUPeak:
			peak := 0.0
			for cores := range s.cpu {
				peak = max(peak, cores)
			}
			b = emit(b, lbl(), peak)
		case qMemoryPeak:
			b = emit(b, lbl(), s.memPeak)
		case qOOM:
			b = emit(b, lbl(), s.oom)
		case qRestarts:
			b = emit(b, lbl(), s.restarts)
		case qReasons:
			if s.reason != "" {
				b = emit(b, lbl("reason", s.reason), 1)
			}
		case qThrottled, qPeriods, qThrottledP95:
			if s.periods > 0 {
				b = emit(b, lbl(), map[string]float64{qThrottled: s.throttled, qPeriods: s.periods, qThrottledP95: s.p95}[name])
			}
		default:
			b = f.goVector(b, s, name, emit)
		}
	}
	return b
}

// goVector answers the Go runtime and memory trend queries of one set.
func (f *fakeStore) goVector(b []byte, s fakeSet, name string, emit func([]byte, func([]byte) []byte, float64) []byte) []byte {
	g := s
	if s.goNoContainer && name != qGoOutside && name != qGrowth {
		g.container = ""
	}
	lbl := func(extra ...string) func([]byte) []byte {
		return func(b []byte) []byte { return series(b, g, extra...) }
	}
	switch name {
	case qGoInfo:
		if s.goVersion != "" {
			b = emit(b, lbl("version", s.goVersion), float64(s.pods))
		}
	case qGoRuntime:
		for _, m := range slices.Sorted(maps.Keys(s.goGauges)) {
			b = emit(b, lbl(metricLabel, m), s.goGauges[m])
		}
	case qGoOutside:
		if s.outside > 0 {
			b = emit(b, lbl(), s.outside)
		}
	case qGoSQL:
		for _, db := range slices.Sorted(maps.Keys(s.pools)) {
			for _, m := range slices.Sorted(maps.Keys(s.pools[db])) {
				b = emit(b, lbl("db_name", db, metricLabel, m), s.pools[db][m])
			}
		}
	case qGrowth:
		for _, part := range slices.Sorted(maps.Keys(s.growth)) {
			b = emit(b, lbl(metricLabel, part), s.growth[part])
		}
	}
	return b
}

// prepare makes and keeps the answers to a plan's queries, so that serving
// them later costs the fake nothing but the writes.
func (f *fakeStore) prepare(t testing.TB, p pastPlan) {
	t.Helper()
	f.set(func(f *fakeStore) { f.cache = map[string][]byte{} })
	for _, q := range p.queries() {
		path, v := p.request(q)
		resp, err := http.Get(f.srv.URL + path + "?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	f.served.Store(0)
}
