package collect

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kgotop/kgotop/internal/gometrics"
)

// fakeAPIServer answers pod proxy requests the way kube-apiserver does:
// the pod's own answer passed through, or a Status of its own.
func fakeAPIServer(t *testing.T, h http.HandlerFunc) *rest.RESTClient {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	// The same config shape kgotop uses: protobuf for built-in types.
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL, ContentConfig: rest.ContentConfig{
		ContentType: "application/vnd.kubernetes.protobuf", AcceptContentTypes: "application/vnd.kubernetes.protobuf,application/json"}})
	if err != nil {
		t.Fatal(err)
	}
	return cs.CoreV1().RESTClient().(*rest.RESTClient)
}

const forbiddenStatus = `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",` +
	`"message":"pods \"api-1:8080\" is forbidden: User \"ro\" cannot get resource \"pods/proxy\" in API group \"\" in the namespace \"shop\"",` +
	`"reason":"Forbidden","details":{"name":"api-1:8080","kind":"pods"},"code":403}`

func TestProxyPages(t *testing.T) {
	recorded, err := os.ReadFile("../gometrics/testdata/goapp-text.txt")
	if err != nil {
		t.Fatal(err)
	}
	var gotPath, gotQuery, gotAccept string
	rc := fakeAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotQuery, gotAccept = r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Accept")
		switch {
		case strings.Contains(r.URL.Path, "/namespaces/locked/"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(forbiddenStatus))
		case strings.Contains(r.URL.Path, "/pods/api-1:8080/"):
			w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
			w.Write(recorded)
		case strings.Contains(r.URL.Path, "/pods/huge:8080/"):
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(strings.Repeat("# padding\n", gometrics.MaxPageBytes)))
		case strings.Contains(r.URL.Path, "/pods/https:api-1:8443/"):
			w.Header().Set("Content-Type", "application/openmetrics-text; version=1.0.0")
			w.Write([]byte("# TYPE go_goroutines gauge\ngo_goroutines 3\n# EOF\n"))
		case strings.Contains(r.URL.Path, "/pods/rbac-proxy:8443/"):
			// kube-rbac-proxy in the pod refusing kgotop: not pods/proxy.
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte("Forbidden (user=kgotop, verb=get, resource=, subresource=)"))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"error trying to reach service: dial tcp 10.0.0.9:8080: connect: connection refused","reason":"ServiceUnavailable","code":503}`))
		}
	})
	pages := ProxyPages(rc)
	ctx := context.Background()

	page, err := pages.Page(ctx, ScrapeTarget{Namespace: "shop", Pod: "api-1", Port: 8080, Scheme: "http", Path: "/metrics"})
	if err != nil || len(page.Body) != len(recorded) || !strings.HasPrefix(page.ContentType, "text/plain") {
		t.Fatalf("page: %d bytes, type %q, err %v", len(page.Body), page.ContentType, err)
	}
	if gotPath != "/api/v1/namespaces/shop/pods/api-1:8080/proxy/metrics" || !strings.HasPrefix(gotAccept, "text/plain;version=0.0.4") {
		t.Errorf("asked for %s with Accept %q", gotPath, gotAccept)
	}

	page, err = pages.Page(ctx, ScrapeTarget{Namespace: "shop", Pod: "api-1", Port: 8443, Scheme: "https", Path: "/stats/prometheus?format=text"})
	if err != nil || gotPath != "/api/v1/namespaces/shop/pods/https:api-1:8443/proxy/stats/prometheus" || gotQuery != "format=text" {
		t.Errorf("https: %s?%s, err %v", gotPath, gotQuery, err)
	}
	if p, err := gometrics.Parse(page.Body, page.ContentType); err != nil || p.Runtime.Goroutines != 3 {
		t.Errorf("OpenMetrics page: %+v, %v", p.Runtime, err)
	}

	page, err = pages.Page(ctx, ScrapeTarget{Namespace: "shop", Pod: "huge", Port: 8080, Path: "/metrics"})
	if err != nil || len(page.Body) != gometrics.MaxPageBytes+1 {
		t.Errorf("huge page: read %d bytes (cap %d), err %v", len(page.Body), gometrics.MaxPageBytes, err)
	}

	_, err = pages.Page(ctx, ScrapeTarget{Namespace: "locked", Pod: "api-1", Port: 8080, Path: "/metrics"})
	if st, ok := proxyForbidden(err); !ok || !strings.Contains(st.ErrStatus.Message, `cannot get resource "pods/proxy"`) {
		t.Errorf("forbidden: %v", err)
	}
	_, err = pages.Page(ctx, ScrapeTarget{Namespace: "shop", Pod: "rbac-proxy", Port: 8443, Path: "/metrics"})
	if _, ok := proxyForbidden(err); ok || err == nil || !strings.Contains(err.Error(), "HTTP 403: Forbidden (user=kgotop") {
		t.Errorf("the pod's own 403 = %v", err)
	}
	_, err = pages.Page(ctx, ScrapeTarget{Namespace: "shop", Pod: "down", Port: 8080, Path: "/metrics"})
	if !apierrors.IsServiceUnavailable(err) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("unreachable pod: %v", err)
	}
	if _, err = pages.Page(ctx, ScrapeTarget{Namespace: "shop", Pod: "x", Port: 1, Path: "http://evil.example/metrics"}); err == nil {
		t.Error("a URL for a path was accepted")
	}
	var podErr *podAnswerError
	if errors.As(answerError(404, []byte("404 page not found\n")), &podErr) && podErr.Error() != "HTTP 404: 404 page not found" {
		t.Errorf("404 = %v", podErr)
	}
}
