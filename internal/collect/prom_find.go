package collect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// ServiceProxy reaches Services through the API server's service proxy
// with the user's own credentials: Host is the API server's URL (the
// rest.Config's) and Transport carries the credentials (rest.TransportFor).
type ServiceProxy struct {
	Host      string
	Transport http.RoundTripper
}

// The places a Prometheus-compatible store is looked for, in order: the
// names the common installations give its Service (the Prometheus
// Operator, kube-prometheus, the Helm charts, Thanos, VictoriaMetrics) in
// the namespaces they usually live in. Each is one GET by name.
var (
	storeNamespaces = []string{"monitoring", "prometheus", "observability"}
	storeServices   = []string{"prometheus-operated", "prometheus-k8s", "prometheus-server", "kube-prometheus-stack-prometheus",
		"thanos-query", "vmselect", "vmsingle"}
)

// findProblem says why no store was found, in one line.
type findProblem struct {
	msg string
	// none is true when no store was there to find: a fact of the
	// cluster (model.PastStatus.NoStore), not a failure.
	none bool
}

func (p *findProblem) Error() string { return p.msg }

// findStore looks for a Prometheus-compatible Service by name and returns
// a client that reaches it through the service proxy. It returns a
// *findProblem when there is none to read (none found, get services or
// services/proxy forbidden), any other error when the API server did not
// answer.
func findStore(ctx context.Context, services corev1client.ServicesGetter, proxy *ServiceProxy) (*promStore, error) {
	var forbidden []string
	for _, ns := range storeNamespaces {
		for _, name := range storeServices {
			svc, err := services.Services(ns).Get(ctx, name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				continue
			case apierrors.IsForbidden(err):
				forbidden = append(forbidden, ns)
			case err != nil:
				return nil, fmt.Errorf("looking for Prometheus: %w", err)
			}
			if err != nil {
				break // forbidden in this namespace: the other names too
			}
			return reachService(ctx, svc, proxy)
		}
	}
	if len(forbidden) > 0 {
		return nil, &findProblem{msg: fmt.Sprintf("cannot look for Prometheus: get services is forbidden in %s (grant it, or give --prometheus URL)",
			strings.Join(forbidden, ", "))}
	}
	return nil, &findProblem{msg: fmt.Sprintf("no Prometheus found (Services %s in %s): give one with --prometheus URL",
		strings.Join(storeServices, ", "), strings.Join(storeNamespaces, ", ")), none: true}
}

// reachService makes a client for a Service through the service proxy and
// asks it one cheap question, so that a refused proxy is said at once.
func reachService(ctx context.Context, svc *corev1.Service, proxy *ServiceProxy) (*promStore, error) {
	name := fmt.Sprintf("Prometheus (%s/%s)", svc.Namespace, svc.Name)
	if proxy == nil {
		return nil, &findProblem{msg: name + " found, but there is no API server to reach it through: give --prometheus URL"}
	}
	port := storePort(svc)
	if port == "" {
		return nil, &findProblem{msg: name + " has no port: give --prometheus URL"}
	}
	path := "/api/v1/namespaces/" + svc.Namespace + "/services/" + svc.Name + ":" + port + "/proxy"
	if strings.HasPrefix(svc.Name, "vmselect") {
		path += "/select/0/prometheus" // VictoriaMetrics cluster: tenant 0
	}
	s, err := newPromStore(name, strings.TrimRight(proxy.Host, "/")+path, proxy.Transport)
	if err != nil {
		return nil, err
	}
	err = s.ping(ctx)
	var se *statusError
	switch {
	case err == nil:
		return s, nil
	case errors.As(err, &se) && se.code == http.StatusForbidden:
		return nil, &findProblem{msg: fmt.Sprintf("%s found, but services/proxy is forbidden (grant get on services/proxy in %s, or give --prometheus URL)",
			name, svc.Namespace)}
	}
	return nil, &findProblem{msg: storeProblem(name, err)}
}

// storePort picks the Service's port of the HTTP API: one named web or
// http, else 9090 (Prometheus, Thanos Query's 10902 aside), else the first.
func storePort(svc *corev1.Service) string {
	var first string
	for _, p := range svc.Spec.Ports {
		id := p.Name
		if id == "" {
			id = strconv.Itoa(int(p.Port))
		}
		switch {
		case p.Name == "web" || p.Name == "http" || p.Name == "http-web":
			return id
		case p.Port == 9090 || p.Port == 10902 || p.Port == 8481 || p.Port == 8428:
			first = id
		case first == "":
			first = id
		}
	}
	return first
}
