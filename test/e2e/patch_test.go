//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A patch kgotop prints applies cleanly: as the printed kubectl command with
// a server-side dry run, through collect with a dry run (nothing changes),
// then for real; the Deployment read back has the change.
func TestGeneratedPatchApplies(t *testing.T) {
	needSandbox(t)
	const pns = "kgotop-e2e-patch"
	ctx := context.Background()
	k := kube(t)
	if _, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: pns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.CoreV1().Namespaces().Delete(context.Background(), pns, metav1.DeleteOptions{}) })
	replicas := int32(1)
	labels := map[string]string{"app": "svc"}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "svc", Namespace: pns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "svc", Image: "registry.example/svc:1.0.0",
					// A Go service with a memory limit and no GOMEMLIMIT.
					Env: []corev1.EnvVar{{Name: "GOGC", Value: "100"}, {Name: "PORT", Value: "8080"}},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")},
					},
				}}},
			},
		},
	}
	if _, err := k.AppsV1().Deployments(pns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	r := jsonReport(t, kubeconfig(), "-n", pns)
	w := workload(t, r, "Deployment", "svc")
	if w.Patch == nil {
		t.Fatalf("no patch for svc; advice: %+v", w.Advice)
	}
	if !strings.Contains(string(w.Patch.Data), "GOMEMLIMIT") {
		t.Fatalf("patch lacks GOMEMLIMIT: %s", w.Patch.Data)
	}

	// The printed command, as a person would paste it, with a server-side dry run.
	cmd := exec.Command("sh", "-c", w.Patch.Command+" --dry-run=server")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig())
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "deployment.apps/svc patched") {
		t.Fatalf("%s --dry-run=server: %v\n%s", w.Patch.Command, err, out)
	}

	c, cancel := collector(t, pns)
	defer cancel()
	res, err := c.Apply(ctx, *w.Patch, true)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if e, ok := res.Containers[0].LookupEnv("GOMEMLIMIT"); !ok || e.Value == "" {
		t.Errorf("dry run result lacks GOMEMLIMIT: %+v", res.Containers[0].Env)
	}
	got, _ := k.AppsV1().Deployments(pns).Get(ctx, "svc", metav1.GetOptions{})
	if hasEnv(got, "GOMEMLIMIT") {
		t.Fatal("a dry run changed the Deployment")
	}

	if _, err := c.Apply(ctx, *w.Patch, false); err != nil {
		t.Fatalf("apply: %v", err)
	}
	got, _ = k.AppsV1().Deployments(pns).Get(ctx, "svc", metav1.GetOptions{})
	if !hasEnv(got, "GOMEMLIMIT") || !hasEnv(got, "GOGC") || !hasEnv(got, "PORT") {
		t.Errorf("after apply env = %+v (GOMEMLIMIT added, the rest kept)", got.Spec.Template.Spec.Containers[0].Env)
	}
	if mem := got.Spec.Template.Spec.Containers[0].Resources.Limits.Memory(); mem.Cmp(resource.MustParse("512Mi")) != 0 {
		t.Errorf("memory limit changed to %v", mem)
	}
}

func hasEnv(d *appsv1.Deployment, name string) bool {
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == name {
			return true
		}
	}
	return false
}
