package collect

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kgotop/kgotop/internal/model"
)

// A template with limits and no requests makes pods whose requests are the
// limits (the API server defaults them on the pod, not on the template).
func TestTemplateRequestsDefaultToLimits(t *testing.T) {
	c := convertContainer(corev1.Container{Name: "app", Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("128Mi")},
	}})
	if c.Resources.Requests.CPU != 1000 || c.Resources.Requests.Memory != 64<<20 {
		t.Errorf("requests = %+v, want the CPU limit and the memory request", c.Resources.Requests)
	}
	if c.Resources.Implied != (model.ResourceFlags{CPU: true}) {
		t.Errorf("implied = %+v, want the CPU request only", c.Resources.Implied)
	}
	if c := convertContainer(corev1.Container{Name: "app"}); c.Resources.Requests.CPU != 0 || c.Resources.Requests.Memory != 0 {
		t.Errorf("no resources: requests %+v", c.Resources.Requests)
	}
}

func TestEnvFromTheMemoryLimitSaysItsDivisor(t *testing.T) {
	ref := func(divisor string) *corev1.EnvVarSource {
		s := &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory"}}
		if divisor != "" {
			s.ResourceFieldRef.Divisor = resource.MustParse(divisor)
		}
		return s
	}
	for divisor, want := range map[string]string{
		"":    "resourceFieldRef limits.memory",
		"1":   "resourceFieldRef limits.memory",
		"1Mi": "resourceFieldRef limits.memory divisor 1Mi",
	} {
		if got := envSource(ref(divisor)).String(); got != want {
			t.Errorf("divisor %q: %q, want %q", divisor, got, want)
		}
	}
}

// A probe's handler is kept whole, typed: what a startup probe built from
// it needs (scheme, host, headers, a named port, a gRPC service, a command).
func TestProbeHandlerIsKeptWhole(t *testing.T) {
	service := "orders.v1.Orders"
	for _, tc := range []struct {
		in   corev1.ProbeHandler
		want string
		keep func(model.ProbeHandler) bool
	}{
		{corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Scheme: corev1.URISchemeHTTPS, Host: "localhost", Path: "/healthz", Port: intstr.FromString("https"),
			HTTPHeaders: []corev1.HTTPHeader{{Name: "X-Probe", Value: "1"}}}},
			"https GET localhost:https/healthz",
			func(h model.ProbeHandler) bool {
				return h.HTTPGet.Scheme == "HTTPS" && h.HTTPGet.Port.Name == "https" && len(h.HTTPGet.Headers) == 1 && h.HTTPGet.Headers[0].Value == "1"
			}},
		{corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}, "http GET :8080/healthz",
			func(h model.ProbeHandler) bool { return h.HTTPGet.Port.Number == 8080 }},
		{corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(5432)}}, "tcp :5432",
			func(h model.ProbeHandler) bool { return h.TCPSocket.Port.Number == 5432 }},
		{corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090, Service: &service}}, "grpc :9090 orders.v1.Orders",
			func(h model.ProbeHandler) bool { return h.GRPC.Service == service }},
		{corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"cat", "/tmp/ready"}}}, "exec cat /tmp/ready",
			func(h model.ProbeHandler) bool { return len(h.Exec.Command) == 2 }},
	} {
		p := convertProbe(&corev1.Probe{ProbeHandler: tc.in})
		if p.Handler.String() != tc.want || !tc.keep(p.Handler) {
			t.Errorf("%+v became %s (%+v), want %s", tc.in, p.Handler, p.Handler, tc.want)
		}
	}
}
