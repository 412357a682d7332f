package collect

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kgotop/kgotop/internal/model"
)

// apiServerProxy is an API server's service proxy in front of the fake
// store for one Service; proxyForbidden answers 403 as RBAC does.
func apiServerProxy(t *testing.T, f *fakeStore, service string, proxyForbidden bool) *ServiceProxy {
	t.Helper()
	prefix := "/api/v1/namespaces/monitoring/services/" + service + "/proxy"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer user-token" {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		if !strings.HasPrefix(r.URL.Path, prefix+"/") {
			http.NotFound(w, r)
			return
		}
		if proxyForbidden {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"services \"prometheus-operated:web\" is forbidden: User \"ro\" cannot get resource \"services/proxy\" in API group \"\" in the namespace \"monitoring\"","reason":"Forbidden","code":403}`))
			return
		}
		r.URL.Path = strings.TrimPrefix(r.URL.Path, prefix)
		f.serve(w, r)
	}))
	t.Cleanup(srv.Close)
	return &ServiceProxy{Host: srv.URL, Transport: bearer{"user-token", http.DefaultTransport}}
}

// bearer is the user's credentials, as rest.TransportFor adds them.
type bearer struct {
	token string
	rt    http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.rt.RoundTrip(r)
}

func service(namespace, name string, ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Spec: corev1.ServiceSpec{Ports: ports}}
}

// startFound runs a collector that looks for its store in the cluster.
func (r *rig) startFound(t *testing.T, proxy *ServiceProxy) *Collector {
	t.Helper()
	r.c = New(Clients{Kube: r.kube, Metrics: r.metrics.MetricsV1beta1(), Discovery: r.disc, ServiceProxy: proxy},
		Options{Namespace: ns, Now: func() time.Time { return r.now }, Past: PastOptions{Range: week}})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r.c.Start(ctx)
	return r.c
}

func TestTheStoreIsFoundByNameAndReadThroughTheServiceProxy(t *testing.T) {
	r, f := pastFixture(t)
	r.kube.Tracker().Add(service("monitoring", "prometheus-operated", corev1.ServicePort{Name: "web", Port: 9090}))
	c := r.startFound(t, apiServerProxy(t, f, "prometheus-operated:web", false))
	if err := c.LoadHistory(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := c.Sources().Past; st.State != model.PastLoaded || st.Source != "Prometheus (monitoring/prometheus-operated)" {
		t.Fatalf("status %+v", st)
	}
	if h := apiHistory(t, c).Usage; h == nil || !strings.Contains(h.Provenance(), "from Prometheus (monitoring/prometheus-operated)") {
		t.Errorf("history %+v", h)
	}
	// Each place is one GET by name: never a list of every Service.
	for _, a := range r.kube.Actions() {
		if a.GetResource().Resource == "services" && a.GetVerb() != "get" {
			t.Errorf("%s services: looking for the store must not list", a.GetVerb())
		}
	}
}

func TestWithoutAStoreToReadTheReasonIsOneLine(t *testing.T) {
	for _, c := range []struct {
		name           string
		svc            bool
		getForbidden   bool
		proxyForbidden bool
		want           string
		noStore        bool // nothing to find: a fact, not a failure
	}{
		{name: "none", want: "no Prometheus found (Services prometheus-operated, prometheus-k8s", noStore: true},
		{name: "get services forbidden", getForbidden: true, want: "get services is forbidden in monitoring, prometheus, observability"},
		{name: "services/proxy forbidden", svc: true, proxyForbidden: true,
			want: "Prometheus (monitoring/prometheus-operated) found, but services/proxy is forbidden (grant get on services/proxy in monitoring"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, f := pastFixture(t)
			if c.svc {
				r.kube.Tracker().Add(service("monitoring", "prometheus-operated", corev1.ServicePort{Name: "web", Port: 9090}))
			}
			if c.getForbidden {
				r.kube.PrependReactor("get", "services", func(a k8stesting.Action) (bool, runtime.Object, error) {
					return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "services"}, "prometheus-operated", nil)
				})
			}
			col := r.startFound(t, apiServerProxy(t, f, "prometheus-operated:web", c.proxyForbidden))
			if err := col.LoadHistory(context.Background()); err == nil {
				t.Fatal("no error")
			}
			st := col.Sources().Past
			if st.State != model.PastOff || !strings.Contains(st.Reason, c.want) || strings.Contains(st.Reason, "\n") {
				t.Errorf("status %q %q, want off and one line with %q", st.State, st.Reason, c.want)
			}
			if st.NoStore != c.noStore {
				t.Errorf("NoStore %v, want %v", st.NoStore, c.noStore)
			}
		})
	}
}

func TestTheStoresPortIsTheHTTPAPIs(t *testing.T) {
	for _, c := range []struct {
		ports []corev1.ServicePort
		want  string
	}{
		{[]corev1.ServicePort{{Name: "grpc", Port: 10901}, {Name: "http", Port: 10902}}, "http"},
		{[]corev1.ServicePort{{Name: "reloader", Port: 8080}, {Port: 9090}}, "9090"},
		{[]corev1.ServicePort{{Name: "reloader", Port: 8080}}, "reloader"},
		{nil, ""},
	} {
		if got := storePort(service("monitoring", "x", c.ports...)); got != c.want {
			t.Errorf("port of %v = %q, want %q", c.ports, got, c.want)
		}
	}
}
