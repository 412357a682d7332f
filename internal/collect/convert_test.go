package collect

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

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
