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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kgotop/kgotop/internal/gometrics"
)

// ScrapeTarget is one pod port whose /metrics page kgotop reads.
type ScrapeTarget struct {
	Namespace, Pod string
	// Container is the container that owns Port (the page's numbers are its).
	Container string
	// Scheme is "http" or "https"; Path starts with "/" and may carry a query.
	Scheme string
	Port   int32
	Path   string
}

// String returns "pod:port/path" ("https:pod:port/path" over TLS).
func (t ScrapeTarget) String() string {
	s := fmt.Sprintf("%s:%d%s", t.Pod, t.Port, t.Path)
	if t.Scheme == "https" {
		s = "https:" + s
	}
	return s
}

// MetricsPage is a /metrics page as a pod served it: at most
// gometrics.MaxPageBytes+1 bytes of it, and its Content-Type.
type MetricsPage struct {
	Body        []byte
	ContentType string
}

// Pages reads pods' /metrics pages. ProxyPages reads them through the API
// server's pod proxy; the demo and tests bring their own.
type Pages interface {
	Page(ctx context.Context, t ScrapeTarget) (MetricsPage, error)
}

// ProxyPages returns Pages that GET
// /api/v1/namespaces/NS/pods/[https:]NAME:PORT/proxy/PATH with the REST
// client's credentials, asking for the text format first. A non-2xx answer
// from the API server is an *apierrors.StatusError (Forbidden when the user
// may not get pods/proxy); one from the pod is a plain error with its code.
func ProxyPages(rc *rest.RESTClient) Pages { return proxyPages{rc: rc} }

type proxyPages struct{ rc *rest.RESTClient }

// acceptMetrics prefers the text format (cheapest to parse), takes
// OpenMetrics, and lets the API server's own errors come as JSON.
const acceptMetrics = "text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,application/json;q=0.1"

// maxErrorBody is how much of a failed answer is read for its message.
const maxErrorBody = 64 << 10

func (p proxyPages) Page(ctx context.Context, t ScrapeTarget) (MetricsPage, error) {
	path, err := url.Parse(t.Path)
	if err != nil || path.Path == "" || path.Host != "" {
		return MetricsPage{}, fmt.Errorf("metrics path %q is not a path", t.Path)
	}
	name := t.Pod + ":" + strconv.Itoa(int(t.Port))
	if t.Scheme == "https" {
		name = "https:" + name
	}
	req := p.rc.Get().AbsPath("/api/v1/namespaces", t.Namespace, "pods", name, "proxy", path.Path)
	for k, vs := range path.Query() {
		for _, v := range vs {
			req.Param(k, v)
		}
	}
	// The request is made here rather than with Do, which reads a body of
	// any size and throws its Content-Type away.
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL().String(), nil)
	if err != nil {
		return MetricsPage{}, err
	}
	hreq.Header.Set("Accept", acceptMetrics)
	client := p.rc.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return MetricsPage{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return MetricsPage{}, answerError(resp.StatusCode, body)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, gometrics.MaxPageBytes+1))
	page := MetricsPage{Body: body, ContentType: resp.Header.Get("Content-Type")}
	if err != nil {
		return page, fmt.Errorf("reading the page: %w", err)
	}
	return page, nil
}

// answerError turns a failed answer into an error: the API server's Status
// as an *apierrors.StatusError, anything else (the pod's own answer) as
// "HTTP 404: 404 page not found".
func answerError(code int, body []byte) error {
	var st metav1.Status
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" && st.Code == int32(code) {
		return apierrors.FromObject(&st)
	}
	msg := strings.Join(strings.Fields(string(body)), " ")
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return &podAnswerError{code: code, msg: msg}
}

// podAnswerError is a non-2xx answer from the pod itself.
type podAnswerError struct {
	code int
	msg  string
}

func (e *podAnswerError) Error() string {
	if e.msg == "" {
		return fmt.Sprintf("HTTP %d", e.code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.code, e.msg)
}

// proxyForbidden reports whether err is the API server refusing pods/proxy
// (and not, say, kube-rbac-proxy in the pod refusing kgotop).
func proxyForbidden(err error) (*apierrors.StatusError, bool) {
	var st *apierrors.StatusError
	if !errors.As(err, &st) || !apierrors.IsForbidden(err) {
		return nil, false
	}
	return st, true
}
