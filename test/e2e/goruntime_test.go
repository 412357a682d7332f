//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kgotop/kgotop/internal/report"
)

// The addresses of the test's network namespace: 10.244.200.0/24 is none of
// the kwok nodes' pod CIDRs (10.244.1-3.0/24) nor the seed's hand-written
// statuses (10.244.0.0/24). The API server's pod proxy refuses loopback, so
// the program gets a namespace and a veth pair of its own.
const (
	goNetns    = "kgotop-e2e-go"
	goVethHost = "kge2e-host"
	goVethPod  = "kge2e-pod"
	goHostIP   = "10.244.200.1"
	goPodIP    = "10.244.200.2"
	goNS       = "kgotop-e2e-goruntime"
)

// examples/goapp runs for real in a network namespace, a sandbox pod's
// status points at it, and kgotop reads its Go runtime and pool through the
// real API server's pod proxy: Go confirmed with its version, GC and heap
// numbers, the starved pool, and the advice they call for. A user who may
// not get pods/proxy is told so.
func TestGoRuntimeThroughThePodProxy(t *testing.T) {
	needSandbox(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root for ip netns and a veth pair (CI runs as root)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs iproute2 (ip)")
	}
	app := buildGoapp(t)
	netns(t)
	startGoapp(t, app)
	k := kube(t)
	pod := goappPod(t, k)

	// --window 20s reads the page twice, 15s apart: the GC's CPU share needs two.
	r := reportOf(t, kubeconfig(), "--window", "20s")
	if len(r.Sources.Forbidden) > 0 {
		t.Errorf("forbidden: %v", r.Sources.Forbidden)
	}
	w := workload(t, r, "Deployment", "goapp")
	c := containerOf(t, w, "app")
	g := c.Go
	version := strings.TrimPrefix(runtime.Version(), "go") // goapp is built by the toolchain running this test
	if g.Detection != "confirmed" || g.Version != version || g.Evidence != "go_info from pod "+pod || g.ScrapeError != "" {
		t.Fatalf("go = %+v", g)
	}
	rt := g.Runtime
	if rt == nil || rt.Pod != pod || rt.GoVersion != "go"+version {
		t.Fatalf("runtime = %+v", rt)
	}
	t.Logf("runtime: goroutines %v heap in use %v live %v next GC %v GOGC %v GOMAXPROCS %v GC cycles %v pause max %v GC CPU %v",
		deref(rt.Goroutines), deref(rt.HeapInuseBytes), deref(rt.HeapLiveBytes), deref(rt.NextGCBytes), deref(rt.GOGCPercent),
		deref(rt.GOMAXPROCS), deref(rt.GCCycles), deref(rt.GCPauseMaxSeconds), deref(rt.GCCPUFraction))
	if deref(rt.GOGCPercent) != 100 || deref(rt.Goroutines) <= 0 || deref(rt.HeapInuseBytes) <= 0 || deref(rt.HeapLiveBytes) <= 0 ||
		deref(rt.NextGCBytes) <= 0 || deref(rt.GCCycles) <= 0 || rt.GCPauseMaxSeconds == nil || deref(rt.GOMAXPROCS) <= 0 {
		t.Errorf("GC and heap numbers missing: %+v", rt)
	}
	if rt.GCCPUFraction == nil || *rt.GCCPUFraction < 0 || *rt.GCCPUFraction > 1 {
		t.Errorf("GC CPU share from two pages = %v", rt.GCCPUFraction)
	}
	if len(rt.DBPools) != 1 || rt.DBPools[0].Name != "main" || deref(rt.DBPools[0].MaxOpen) != 2 || deref(rt.DBPools[0].WaitCount) <= 0 {
		t.Fatalf("pools = %+v", rt.DBPools)
	}
	t.Logf("pool: open %v in use %v waited %v times for %vs", deref(rt.DBPools[0].Open), deref(rt.DBPools[0].InUse),
		deref(rt.DBPools[0].WaitCount), deref(rt.DBPools[0].WaitSeconds))

	kinds := map[string]string{}
	for _, a := range w.Advice {
		kinds[string(a.Kind)] = a.Reason
		switch a.Kind {
		case "gogc":
			if !strings.Contains(a.Reason, "env GOGC=50 but the runtime runs 100") {
				t.Errorf("gogc: %s", a.Reason)
			}
		case "db-pool-wait":
			if a.Severity != "warning" || len(a.Changes) != 1 || a.Changes[0].Env == nil || a.Changes[0].Env.Name != "DB_MAX_OPEN_CONNS" {
				t.Errorf("db-pool-wait: %s %s changes %+v", a.Severity, a.Reason, a.Changes)
			}
		}
	}
	for _, want := range []string{"gogc", "db-pool-wait", "db-pool-lifetime"} {
		if _, ok := kinds[want]; !ok {
			t.Errorf("no %s advice; have %v", want, kinds)
		}
	}
	if w.Patch == nil || !strings.Contains(w.Patch.Command, `"name":"DB_MAX_OPEN_CONNS","value":"7"`) {
		t.Errorf("patch = %+v", w.Patch)
	}

	text, _, code := kgotop(t, "--kubeconfig", kubeconfig(), "-n", goNS, "--report", "--width", "250")
	if code != 0 {
		t.Fatalf("text report exited %d", code)
	}
	if testing.Verbose() {
		t.Logf("text report:\n%s", text)
	}
	for _, want := range []string{" " + version + " ", "deploy/goapp app: Go " + version + " (go_info from pod " + pod + "): ", "pool main: open 2 of 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}

	// The read-only user may list pods but not get pods/proxy.
	ro := reportOf(t, readonlyKubeconfig())
	if !contains(ro.Sources.Forbidden, "get pods/proxy") {
		t.Errorf("read-only forbidden = %v", ro.Sources.Forbidden)
	}
	for _, w := range ro.Workloads {
		for _, c := range w.Containers {
			if c.Name == "app" && (c.Go.ScrapeError != "Go runtime unknown: pods/proxy is forbidden (grant get on pods/proxy)" || c.Go.Runtime != nil) {
				t.Errorf("read-only go = %+v", c.Go)
			}
		}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// reportOf runs `kgotop --report -o json` on the test's namespace.
func reportOf(t *testing.T, kc string, extra ...string) report.JSONReport {
	t.Helper()
	args := append([]string{"--kubeconfig", kc, "-n", goNS, "--report", "-o", "json"}, extra...)
	stdout, stderr, code := kgotop(t, args...)
	if code != 0 {
		t.Fatalf("kgotop %v exited %d: %s", args, code, stderr)
	}
	var r report.JSONReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout)
	}
	return r
}

// buildGoapp builds examples/goapp (its own module) into the test's temp dir.
func buildGoapp(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "goapp")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = filepath.Join(repoRoot, "examples", "goapp")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building examples/goapp: %v\n%s", err, b)
	}
	return out
}

// ip runs `ip args...`; must says whether a failure fails the test.
func ip(t *testing.T, must bool, args ...string) {
	t.Helper()
	if b, err := exec.Command("ip", args...).CombinedOutput(); err != nil && must {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, b)
	}
}

// netns makes the network namespace and veth pair, removing any a killed
// run left behind, and removes them when the test ends.
func netns(t *testing.T) {
	t.Helper()
	cleanup := func() {
		ip(t, false, "link", "del", goVethHost)
		ip(t, false, "netns", "del", goNetns)
	}
	cleanup()
	t.Cleanup(cleanup)
	ip(t, true, "netns", "add", goNetns)
	ip(t, true, "link", "add", goVethHost, "type", "veth", "peer", "name", goVethPod)
	ip(t, true, "link", "set", goVethPod, "netns", goNetns)
	ip(t, true, "addr", "add", goHostIP+"/24", "dev", goVethHost)
	ip(t, true, "link", "set", goVethHost, "up")
	ip(t, true, "netns", "exec", goNetns, "ip", "addr", "add", goPodIP+"/24", "dev", goVethPod)
	ip(t, true, "netns", "exec", goNetns, "ip", "link", "set", goVethPod, "up")
	ip(t, true, "netns", "exec", goNetns, "ip", "link", "set", "lo", "up")
}

// startGoapp runs goapp in the namespace with a pool of 2 starved by 200
// queries a second and the os.Setenv("GOGC") knob, and stops it (by its
// PID) when the test ends. Each query makes 512KiB of garbage: with the
// default 64KiB goapp uses about 0.4 CPU seconds in 15 s, under the half
// second kgotop needs before it judges the GC's share of CPU.
func startGoapp(t *testing.T, bin string) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", goNetns, bin, "-addr", goPodIP+":8080", "-load", "200", "-alloc", "524288", "-setenv-gogc")
	cmd.Env = append(os.Environ(), "DB_MAX_OPEN_CONNS=2", "DB_CONN_MAX_LIFETIME=0")
	logf, err := os.Create(filepath.Join(t.TempDir(), "goapp.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting goapp: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // ip netns exec execs goapp: this PID is goapp's
		cmd.Wait()
		logf.Close()
	})
	eventually(t, "goapp to answer on "+goPodIP, 20*time.Second, func() bool {
		resp, err := (&http.Client{Timeout: time.Second}).Get("http://" + goPodIP + ":8080/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// goappPod creates a Deployment of one pod in a namespace of the test's own
// and writes the pod's status as a kubelet would (kwok leaves pods
// annotated kwok.x-k8s.io/status: custom alone): running, ready, at the
// namespace's address. It returns the pod's name.
func goappPod(t *testing.T, k *kubernetes.Clientset) string {
	t.Helper()
	ctx := context.Background()
	k.CoreV1().Namespaces().Delete(ctx, goNS, metav1.DeleteOptions{})
	eventually(t, "a left-over namespace to go", 90*time.Second, func() bool {
		_, err := k.CoreV1().Namespaces().Get(ctx, goNS, metav1.GetOptions{})
		return err != nil
	})
	if _, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: goNS}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.CoreV1().Namespaces().Delete(context.Background(), goNS, metav1.DeleteOptions{}) })

	one := int32(1)
	labels := map[string]string{"app": "goapp"}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "goapp", Namespace: goNS},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: map[string]string{
					"kwok.x-k8s.io/status": "custom",
					"prometheus.io/scrape": "true",
					"prometheus.io/port":   "8080",
				}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "app",
					Image: "registry.example/goapp:1.0",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					// What the team believes runs: GOGC=50 (the program calls
					// os.Setenv("GOGC", "50"), which does nothing) and a pool of 2.
					Env: []corev1.EnvVar{{Name: "GOGC", Value: "50"}, {Name: "DB_MAX_OPEN_CONNS", Value: "2"}, {Name: "DB_CONN_MAX_LIFETIME", Value: "0"}},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("256Mi")},
					},
				}}},
			},
		},
	}
	if _, err := k.AppsV1().Deployments(goNS).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var p *corev1.Pod
	eventually(t, "the goapp pod to be scheduled", 60*time.Second, func() bool {
		list, err := k.CoreV1().Pods(goNS).List(ctx, metav1.ListOptions{LabelSelector: "app=goapp"})
		if err != nil || len(list.Items) != 1 || list.Items[0].Spec.NodeName == "" {
			return false
		}
		p = &list.Items[0]
		return true
	})
	now := metav1.Now()
	p.Status = corev1.PodStatus{
		Phase:     corev1.PodRunning,
		HostIP:    "127.0.0.1",
		PodIP:     goPodIP,
		PodIPs:    []corev1.PodIP{{IP: goPodIP}},
		StartTime: &now,
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
		},
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Ready: true, Image: "registry.example/goapp:1.0",
			ImageID: "registry.example/goapp@sha256:" + strings.Repeat("0", 64), Started: &[]bool{true}[0],
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}},
	}
	if _, err := k.CoreV1().Pods(goNS).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("writing the pod's status: %v", err)
	}
	// The proxy answers once the API server sees the status.
	eventually(t, "the pod proxy to reach goapp", 30*time.Second, func() bool {
		b, err := k.CoreV1().RESTClient().Get().AbsPath("/api/v1/namespaces", goNS, "pods", p.Name+":8080", "proxy", "healthz").DoRaw(ctx)
		return err == nil && strings.TrimSpace(string(b)) == "ok"
	})
	t.Logf("pod %s/%s at %s, node %s", goNS, p.Name, goPodIP, p.Spec.NodeName)
	return fmt.Sprint(p.Name)
}
