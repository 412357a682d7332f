//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// tmuxSession runs kgotop in a detached tmux session of the given size.
type tmuxSession struct {
	t    *testing.T
	name string
	exit string // file the exit code is written to
}

func startTmux(t *testing.T, width, height int, args ...string) *tmuxSession {
	t.Helper()
	return startTmuxEnv(t, nil, width, height, args...)
}

// startTmuxEnv is startTmux with more of kgotop's environment ("NAME=value").
func startTmuxEnv(t *testing.T, env []string, width, height int, args ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for the dashboard tests (scripts/deps installs it)")
	}
	s := &tmuxSession{t: t, name: fmt.Sprintf("kgotop-e2e-%d", time.Now().UnixNano()), exit: filepath.Join(t.TempDir(), "exit")}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	shell := fmt.Sprintf("XDG_CACHE_HOME=%s %s %s %s; echo $? > %s; sleep 60", cacheDir, strings.Join(env, " "), kgotopBin, strings.Join(quoted, " "), s.exit)
	cmd := exec.Command("tmux", "new-session", "-d", "-s", s.name, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), shell)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", s.name).Run() })
	return s
}

func (s *tmuxSession) screen() string {
	out, err := exec.Command("tmux", "capture-pane", "-p", "-t", s.name).Output()
	if err != nil {
		s.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

// keys sends keys, one tmux argument each, with a pause after each so that
// tmux does not join an escape to the next key.
func (s *tmuxSession) keys(keys ...string) {
	for _, k := range keys {
		if err := exec.Command("tmux", "send-keys", "-t", s.name, k).Run(); err != nil {
			s.t.Fatalf("send-keys %s: %v", k, err)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// waitFor waits until the screen shows every text, and returns it.
func (s *tmuxSession) waitFor(limit time.Duration, texts ...string) string {
	s.t.Helper()
	return s.waitUntil(limit, func(screen string) string { return screen }, texts)
}

// waitForWrapped is waitFor for texts kgotop may wrap: the screen is read
// with its lines joined and each run of spaces as one, and so is each text.
func (s *tmuxSession) waitForWrapped(limit time.Duration, texts ...string) string {
	s.t.Helper()
	flat := func(v string) string { return strings.Join(strings.Fields(v), " ") }
	for i := range texts {
		texts[i] = flat(texts[i])
	}
	return s.waitUntil(limit, flat, texts)
}

// waitUntil waits until the screen, as read reads it, holds every text,
// and returns the screen.
func (s *tmuxSession) waitUntil(limit time.Duration, read func(string) string, texts []string) string {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	var screen string
	for time.Now().Before(deadline) {
		screen = s.screen()
		seen := read(screen)
		missing := false
		for _, want := range texts {
			if !strings.Contains(seen, want) {
				missing = true
			}
		}
		if !missing {
			return screen
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.t.Fatalf("screen never showed %q:\n%s", texts, screen)
	return ""
}

// shopDeployment is a Go service with a memory limit and no GOMEMLIMIT:
// advice with a patch from the first sample, no history needed.
func shopDeployment(t *testing.T, namespace string) {
	t.Helper()
	ctx := context.Background()
	k := kube(t)
	if _, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.CoreV1().Namespaces().Delete(context.Background(), namespace, metav1.DeleteOptions{}) })
	replicas := int32(1)
	labels := map[string]string{"app": "shop"}
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: namespace},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: map[string]string{"kwok.x-k8s.io/usage-cpu": "100m", "kwok.x-k8s.io/usage-memory": "180Mi"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "shop", Image: "registry.example/shop:1.0.0",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					Env:   []corev1.EnvVar{{Name: "GOGC", Value: "100"}},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("200Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
					},
					LivenessProbe: probe, ReadinessProbe: probe,
				}}},
			}},
	}
	if _, err := k.AppsV1().Deployments(namespace).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func shopEnv(t *testing.T, namespace string) []corev1.EnvVar {
	t.Helper()
	d, err := kube(t).AppsV1().Deployments(namespace).Get(context.Background(), "shop", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d.Spec.Template.Spec.Containers[0].Env
}

func hasEnvVar(env []corev1.EnvVar, name string) bool {
	for _, e := range env {
		if e.Name == name {
			return true
		}
	}
	return false
}

// A person opens the dashboard, finds the workload, reads why, and fixes it
// with two keys: a dry run, then the confirmation. The Deployment changes on
// the API server.
func TestDashboardAppliesAPatch(t *testing.T) {
	needSandbox(t)
	const dns = "kgotop-e2e-dashboard"
	shopDeployment(t, dns)
	s := startTmux(t, 120, 30, "--kubeconfig", kubeconfig(), "-n", dns, "--no-history")
	s.waitFor(60*time.Second, "ns "+dns, "shop", "GOMEMLIMIT not set", "a dry run, then apply")

	s.keys("a")
	s.waitFor(30*time.Second, "dry run passed", "GOMEMLIMIT", "Press Y to apply")
	if hasEnvVar(shopEnv(t, dns), "GOMEMLIMIT") {
		t.Fatal("the dry run changed the Deployment")
	}
	s.keys("Y")
	s.waitFor(30*time.Second, "applied")
	env := shopEnv(t, dns)
	if !hasEnvVar(env, "GOMEMLIMIT") || !hasEnvVar(env, "GOGC") {
		t.Fatalf("after applying, the env is %+v", env)
	}

	s.keys("Escape", "q")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(s.exit); err == nil {
			if strings.TrimSpace(string(b)) != "0" {
				t.Fatalf("kgotop exited %s", b)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("kgotop did not quit on q:\n%s", s.screen())
}

// --read-only refuses to apply; a tiny terminal gets a message, not a broken screen.
func TestDashboardReadOnlyAndTinyTerminal(t *testing.T) {
	needSandbox(t)
	const dns = "kgotop-e2e-readonly"
	shopDeployment(t, dns)
	s := startTmux(t, 120, 30, "--kubeconfig", kubeconfig(), "-n", dns, "--no-history", "--read-only")
	s.waitFor(60*time.Second, "shop", "GOMEMLIMIT not set")
	s.keys("a")
	s.waitFor(10*time.Second, "read-only")
	if hasEnvVar(shopEnv(t, dns), "GOMEMLIMIT") {
		t.Fatal("--read-only applied a patch")
	}
	if err := exec.Command("tmux", "resize-window", "-t", s.name, "-x", "50", "-y", "12").Run(); err != nil {
		t.Fatal(err)
	}
	s.waitFor(10*time.Second, "kgotop needs at least 60x15;", "this terminal is 50x12.")
}
