//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kgotop/kgotop/internal/report"
	"github.com/kgotop/kgotop/internal/scenario"
)

const mi = 1 << 20

// The seeded namespace is the scenario library (test/sandboxseed): the
// report must show each scenario as the library defines it.
func TestReportShowsTheSeededNamespace(t *testing.T) {
	needSandbox(t)
	r := jsonReport(t, kubeconfig())
	if r.Sources.Metrics != "available" || !r.Sources.APILive || !r.Sources.Synced || len(r.Sources.Forbidden) > 0 {
		t.Fatalf("sources = %+v", r.Sources)
	}
	for _, sc := range scenario.All() {
		t.Run(sc.Name, func(t *testing.T) {
			w := workload(t, r, string(sc.Kind), sc.Name)
			if w.Desired != sc.Replicas || len(w.Pods) != int(sc.Replicas) {
				t.Errorf("desired %d, pods %v; want %d", w.Desired, w.Pods, sc.Replicas)
			}
			want := sc.Containers[0]
			c := containerOf(t, w, want.Name)
			if c.CPURequest != want.Requests.CPU || c.CPULimit != want.Limits.CPU || c.MemoryRequest != want.Requests.Memory || c.MemoryLimit != want.Limits.Memory {
				t.Errorf("requests/limits %d/%d %d/%d, want %+v / %+v", c.CPURequest, c.CPULimit, c.MemoryRequest, c.MemoryLimit, want.Requests, want.Limits)
			}
			// kwok draws usage as base + swing x a 120 s wave, as the library says.
			if !usageIn(c, want.CPU, want.Memory) {
				t.Errorf("usage %s, want CPU %d..%dm, memory %d..%dMi", usageString(c), want.CPU.Base, want.CPU.Base+want.CPU.Swing,
					want.Memory.Base/mi, (want.Memory.Base+want.Memory.Swing)/mi)
			}
			if sc.HPA != nil && (w.HPA == nil || w.HPA.CPUTargetUtilization != sc.HPA.TargetUtilization || w.HPA.MaxReplicas != sc.HPA.Max) {
				t.Errorf("HPA = %+v, want %+v", w.HPA, sc.HPA)
			}
		})
	}

	ingest := containerOf(t, workload(t, r, "Deployment", "ingest"), "ingest")
	if ingest.Restarts == 0 || ingest.LastTerminated == nil || ingest.LastTerminated.Reason != "OOMKilled" || ingest.LastTerminated.ExitCode != 137 {
		t.Errorf("ingest = restarts %d, last %+v; want OOMKilled restarts", ingest.Restarts, ingest.LastTerminated)
	}
	notifier := containerOf(t, workload(t, r, "Deployment", "notifier"), "notifier")
	if notifier.Waiting != "CrashLoopBackOff" || notifier.Restarts == 0 || notifier.LastTerminated == nil || notifier.LastTerminated.ExitCode != 1 {
		t.Errorf("notifier = waiting %q, restarts %d, last %+v; want CrashLoopBackOff after exit 1", notifier.Waiting, notifier.Restarts, notifier.LastTerminated)
	}
	reports := containerOf(t, workload(t, r, "Deployment", "reports"), "reports")
	if len(reports.ProbeFailures) != 1 || reports.ProbeFailures[0].Probe != "liveness" || reports.ProbeFailures[0].Kills == 0 ||
		!strings.Contains(reports.ProbeFailures[0].LastMessage, "Liveness probe failed") {
		t.Errorf("reports probe failures = %+v", reports.ProbeFailures)
	}

	text, _, code := kgotop(t, "--kubeconfig", kubeconfig(), "-n", ns, "--report", "--width", "200")
	if code != 0 {
		t.Fatalf("text report exited %d", code)
	}
	for _, want := range []string{"deploy/catalog", "/1/2", "/1Gi/2Gi", "OOMKilled", "CrashLoopBackOff (exit 1)", "exit 143", "liveness probe failed",
		"HPA web scales 3-10 on cpu at 60%", "sts/orders"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
}

// usageIn reports whether the container's current usage lies on the wave,
// give or take the metrics pipeline's rounding.
func usageIn(c report.JSONContainer, cpu, mem scenario.Usage) bool {
	u := c.Usage
	if u == nil || u.CPUMillicores == nil || u.MemoryBytes == nil {
		return false
	}
	return *u.CPUMillicores >= cpu.Base-2 && *u.CPUMillicores <= cpu.Base+cpu.Swing+2 &&
		*u.MemoryBytes >= mem.Base-mi && *u.MemoryBytes <= mem.Base+mem.Swing+mi
}

func usageString(c report.JSONContainer) string {
	if u := c.Usage; u != nil && u.CPUMillicores != nil && u.MemoryBytes != nil {
		return fmt.Sprintf("%dm/%dMi", *u.CPUMillicores, *u.MemoryBytes/mi)
	}
	return "none"
}

// With the metrics APIService gone, kgotop still reports specs, restarts
// and events, and says why usage is missing.
func TestReportWithoutMetricsAPI(t *testing.T) {
	needSandbox(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	dyn := dynamic.NewForConfigOrDie(cfg)
	apiservices := dyn.Resource(schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"})
	ctx := context.Background()
	saved, err := apiservices.Get(ctx, "v1beta1.metrics.k8s.io", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := apiservices.Delete(ctx, saved.GetName(), metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		saved.SetResourceVersion("")
		saved.SetUID("")
		delete(saved.Object, "status")
		if _, err := apiservices.Create(ctx, saved, metav1.CreateOptions{}); err != nil {
			t.Errorf("restoring the metrics APIService: %v", err)
		}
		waitForMetrics(t)
	})

	r := jsonReport(t, kubeconfig())
	if r.Sources.Metrics != "unavailable" || !strings.Contains(r.Sources.MetricsReason, "metrics-server") {
		t.Errorf("metrics = %q: %s", r.Sources.Metrics, r.Sources.MetricsReason)
	}
	ingest := containerOf(t, workload(t, r, "Deployment", "ingest"), "ingest")
	if (ingest.Usage != nil && ingest.Usage.CPUMillicores != nil) || ingest.Restarts == 0 || ingest.LastTerminated == nil || ingest.LastTerminated.Reason != "OOMKilled" {
		t.Errorf("ingest without metrics = %+v", ingest)
	}
	if c := containerOf(t, workload(t, r, "Deployment", "reports"), "reports"); len(c.ProbeFailures) != 1 {
		t.Errorf("probe failures lost without metrics: %+v", c.ProbeFailures)
	}
	text, _, _ := kgotop(t, "--kubeconfig", kubeconfig(), "-n", ns, "--report", "--width", "200")
	if !strings.Contains(text, "Metrics unavailable: metrics.k8s.io is not served") || !strings.Contains(text, "?/1/2") {
		t.Errorf("text report without metrics:\n%s", text)
	}
}

// waitForMetrics waits until a report sees pod metrics again.
func waitForMetrics(t *testing.T) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if r := jsonReport(t, kubeconfig()); r.Sources.Metrics == "available" {
			return
		}
		time.Sleep(3 * time.Second)
	}
	t.Error("metrics did not come back within 2 minutes")
}

// As a user who may read only pods and pod metrics, kgotop reports what it
// can and names what is forbidden.
func TestReportAsReadOnlyUser(t *testing.T) {
	needSandbox(t)
	r := jsonReport(t, readonlyKubeconfig())
	forbidden := strings.Join(r.Sources.Forbidden, ", ")
	for _, want := range []string{"list events", "list horizontalpodautoscalers.autoscaling", "list deployments.apps", "list replicasets.apps", "get pods/proxy"} {
		if !strings.Contains(forbidden, want) {
			t.Errorf("forbidden = %q, lacks %q", forbidden, want)
		}
	}
	// Pods still resolve to their Deployment through the pod-template-hash.
	catalog := workload(t, r, "Deployment", "catalog")
	sc := scenarioNamed(t, "catalog")
	if c := containerOf(t, catalog, "catalog"); len(catalog.Pods) != int(sc.Replicas) || !usageIn(c, sc.Containers[0].CPU, sc.Containers[0].Memory) {
		t.Errorf("catalog as read-only: pods %v usage %s", catalog.Pods, usageString(c))
	}
	if ingest := containerOf(t, workload(t, r, "Deployment", "ingest"), "ingest"); ingest.Restarts == 0 {
		t.Errorf("ingest restarts = %d", ingest.Restarts)
	}
	text, _, code := kgotop(t, "--kubeconfig", readonlyKubeconfig(), "-n", ns, "--report", "--width", "200")
	if code != 0 || !strings.Contains(text, "Not shown: events is forbidden") {
		t.Errorf("read-only text report (exit %d):\n%s", code, text)
	}
}

func scenarioNamed(t *testing.T, name string) scenario.Scenario {
	t.Helper()
	for _, sc := range scenario.All() {
		if sc.Name == name {
			return sc
		}
	}
	t.Fatalf("no scenario %s", name)
	return scenario.Scenario{}
}
