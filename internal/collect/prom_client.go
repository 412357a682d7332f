package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// promStore is one store of metrics kgotop reads history from, with
// client_golang's API client: a Prometheus-compatible HTTP API at a URL,
// or a Service reached through the API server's service proxy.
type promStore struct {
	// name says which store, for people: "Prometheus (monitoring/prometheus-operated)".
	name   string
	client promapi.Client
	api    promv1.API
	// http is the client's own HTTP client, which query reads answers
	// through as they arrive (prom_decode.go).
	http *http.Client
	// bytes counts the bytes of every answer's body.
	bytes *atomic.Int64
}

// newPromStore makes a client for the API at address, sending requests
// through rt (nil: client_golang's default transport).
func newPromStore(name, address string, rt http.RoundTripper) (*promStore, error) {
	if rt == nil {
		rt = promapi.DefaultRoundTripper
	}
	n := &atomic.Int64{}
	hc := &http.Client{Transport: countingTransport{rt, n}}
	c, err := promapi.NewClient(promapi.Config{Address: address, Client: hc})
	if err != nil {
		return nil, fmt.Errorf("history store %s: %w", address, err)
	}
	get := getOnly{c}
	return &promStore{name: name, client: get, api: promv1.NewAPI(get), http: hc, bytes: n}, nil
}

// query runs one query of a history read, a range query over the plan's
// chunks or an instant query at its end, and decodes its answer into sink
// as it arrives (prom_decode.go), checked as client_golang's v1 API checks
// it. It does not go through the client's Do, which reads the whole answer
// first, at three times its size in memory.
func (s *promStore) query(ctx context.Context, p pastPlan, q pastQuery, sink sampleSink) (promv1.Warnings, error) {
	ep, args := p.request(q)
	u := s.client.URL(ep, nil)
	u.RawQuery = args.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.name, err)
	}
	defer resp.Body.Close()
	var warn promv1.Warnings
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		err = &statusError{code: resp.StatusCode, body: body}
		if promAnswered(body) { // the store's own error: say its type and message
			warn, err = decodeAnswer(body, sink)
		}
	} else {
		warn, err = decodeStream(resp.Body, sink)
	}
	if err != nil && ctx.Err() != nil {
		err = ctx.Err() // a read cut by the query's timeout
	}
	if err != nil {
		return warn, fmt.Errorf("%s: %w", q.name, err)
	}
	return warn, nil
}

// request returns the API endpoint and parameters of one of the plan's queries.
func (p pastPlan) request(q pastQuery) (string, url.Values) {
	args := url.Values{"query": {q.promQL}}
	if !q.ranged {
		args.Set("time", unixTime(p.end))
		return "/api/v1/query", args
	}
	args.Set("start", unixTime(p.start()))
	args.Set("end", unixTime(p.end))
	args.Set("step", strconv.FormatFloat(p.chunk.Seconds(), 'f', -1, 64))
	return "/api/v1/query_range", args
}

// unixTime writes a time as the API takes it: unix seconds.
func unixTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)
}

// ping asks the store the cheapest question there is.
func (s *promStore) ping(ctx context.Context) error {
	_, _, _, err := s.api.Query(ctx, "vector(1)", time.Time{})
	return err
}

// getOnly sends the form posts of client_golang's query calls as GETs with
// the same parameters: through the API server's service proxy a POST needs
// "create" on services/proxy, a GET only "get" (client_golang retries a
// refused POST as a GET, but the refusal costs a request each time).
type getOnly struct{ promapi.Client }

func (g getOnly) Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	if req.Method == http.MethodPost && req.Header.Get("Content-Type") == "application/x-www-form-urlencoded" && req.Body != nil {
		form, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, nil, err
		}
		u := *req.URL
		u.RawQuery = string(form)
		if req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil); err != nil {
			return nil, nil, err
		}
	}
	resp, body, err := g.Client.Do(ctx, req)
	if err == nil && resp != nil && resp.StatusCode/100 != 2 && !promAnswered(body) {
		// Not the store's own error document: the API server's proxy (or a
		// gateway in front of the store) refused or failed the request.
		return resp, body, &statusError{code: resp.StatusCode, body: body}
	}
	return resp, body, err
}

// promAnswered reports whether an error response is the store's own JSON
// error ({"status":"error","errorType":...}), which client_golang decodes
// itself, rather than, say, the API server's Status.
func promAnswered(body []byte) bool {
	var doc struct{ Status, ErrorType, Kind string }
	return json.Unmarshal(body, &doc) == nil && doc.Status == "error" && doc.Kind == ""
}

// statusError is an HTTP error that did not come from the store's API.
type statusError struct {
	code int
	body []byte
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.code, http.StatusText(e.code), firstLine(e.body))
}

// countingTransport counts the bytes of answers' bodies.
type countingTransport struct {
	rt http.RoundTripper
	n  *atomic.Int64
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(req)
	if err == nil && resp.Body != nil {
		resp.Body = &countingBody{resp.Body, t.n}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// storeProblem says in one line why the store could not be read.
func storeProblem(name string, err error) string {
	var se *statusError
	var pe *promv1.Error
	var ue *url.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s did not answer in time: %v", name, err)
	case errors.As(err, &se) && (se.code == http.StatusUnauthorized || se.code == http.StatusForbidden):
		return fmt.Sprintf("%s refused kgotop (%d %s): %s", name, se.code, http.StatusText(se.code), firstLine(se.body))
	case errors.As(err, &se) && se.code == http.StatusServiceUnavailable:
		return fmt.Sprintf("%s is not answering (503): %s", name, firstLine(se.body))
	case errors.As(err, &pe):
		return fmt.Sprintf("%s answered with an error (%s): %s", name, pe.Type, pe.Msg)
	case errors.As(err, &ue):
		return fmt.Sprintf("%s cannot be reached: %v", name, ue.Err)
	}
	return fmt.Sprintf("%s: %v", name, err)
}

// firstLine is a Kubernetes Status's message, or the body's first line,
// at most 200 bytes.
func firstLine(b []byte) string {
	var status struct{ Message string }
	s := string(b)
	if json.Unmarshal(b, &status) == nil && status.Message != "" {
		s = status.Message
	}
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s[:min(len(s), 200)]
}
