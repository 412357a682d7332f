//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kgotop/kgotop/internal/report"
)

const mi = 1 << 20

// The seeded namespace (scripts/sandbox.d/seed) as the report must show it.
func TestReportShowsTheSeededNamespace(t *testing.T) {
	r := jsonReport(t, kubeconfig())
	if r.Sources.Metrics != "available" || !r.Sources.APILive || !r.Sources.Synced || len(r.Sources.Forbidden) > 0 {
		t.Fatalf("sources = %+v", r.Sources)
	}

	api := workload(t, r, "Deployment", "api")
	if api.Desired != 2 || len(api.Pods) != 2 {
		t.Errorf("api: desired %d, pods %v", api.Desired, api.Pods)
	}
	c := containerOf(t, api, "api")
	if c.CPURequest != 1000 || c.CPULimit != 2000 || c.MemoryRequest != 1024*mi || c.MemoryLimit != 2048*mi {
		t.Errorf("api requests/limits = %d/%d %d/%d", c.CPURequest, c.CPULimit, c.MemoryRequest, c.MemoryLimit)
	}
	if !usage(c, 50, 120*mi) {
		t.Errorf("api usage = %+v, want 50m / 120Mi from the kwok annotations", c.Usage)
	}
	if c.Env["GOGC"] != "50" || c.Go.Detection != "likely" {
		t.Errorf("api Go env %v detection %+v", c.Env, c.Go)
	}

	orders := workload(t, r, "StatefulSet", "orders")
	if o := containerOf(t, orders, "orders"); !usage(o, 200, 300*mi) {
		t.Errorf("orders usage = %+v", o.Usage)
	}
	web := workload(t, r, "Deployment", "web")
	if web.HPA == nil || web.HPA.CPUTargetUtilization != 60 || web.HPA.MinReplicas != 2 || web.HPA.MaxReplicas != 10 {
		t.Errorf("web HPA = %+v", web.HPA)
	}
	if envoy := containerOf(t, web, "envoy"); !usage(envoy, 10, 40*mi) {
		t.Errorf("envoy usage = %+v", envoy.Usage)
	}
	if w := containerOf(t, web, "web"); len(w.ProbeFailures) != 1 || w.ProbeFailures[0].Probe != "readiness" || w.ProbeFailures[0].Failures != 3 {
		t.Errorf("web probe failures = %+v", w.ProbeFailures)
	}

	oom := containerOf(t, workload(t, r, "Pod", "oom-victim"), "ingest")
	if oom.Restarts != 4 || oom.LastTerminated == nil || oom.LastTerminated.Reason != "OOMKilled" || oom.LastTerminated.ExitCode != 137 {
		t.Errorf("oom-victim = restarts %d, last %+v", oom.Restarts, oom.LastTerminated)
	}
	crashy := containerOf(t, workload(t, r, "Pod", "crashy"), "billing")
	if crashy.Waiting != "CrashLoopBackOff" || crashy.Restarts != 7 {
		t.Errorf("crashy = waiting %q restarts %d", crashy.Waiting, crashy.Restarts)
	}
	if len(crashy.ProbeFailures) != 1 || crashy.ProbeFailures[0].Failures != 21 || crashy.ProbeFailures[0].Kills != 7 ||
		!strings.Contains(crashy.ProbeFailures[0].LastMessage, "context deadline exceeded") {
		t.Errorf("crashy probe failures = %+v", crashy.ProbeFailures)
	}

	text, _, code := kgotop(t, "--kubeconfig", kubeconfig(), "-n", ns, "--report", "--width", "200")
	if code != 0 {
		t.Fatalf("text report exited %d", code)
	}
	for _, want := range []string{"deploy/api", "50m/1/2", "120Mi/1Gi/2Gi", "4 OOMKilled", "7 CrashLoopBackOff (exit 1)", "L✗21 k7",
		"liveness probe failed 21 times, 7 kills", "HPA web scales 2-10 on cpu at 60%"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
}

// With the metrics APIService gone, kgotop still reports specs, restarts
// and events, and says why usage is missing.
func TestReportWithoutMetricsAPI(t *testing.T) {
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
	oom := containerOf(t, workload(t, r, "Pod", "oom-victim"), "ingest")
	if (oom.Usage != nil && oom.Usage.CPUMillicores != nil) || oom.Restarts != 4 || oom.LastTerminated == nil || oom.LastTerminated.Reason != "OOMKilled" {
		t.Errorf("oom-victim without metrics = %+v", oom)
	}
	if c := containerOf(t, workload(t, r, "Pod", "crashy"), "billing"); len(c.ProbeFailures) != 1 {
		t.Errorf("probe failures lost without metrics: %+v", c.ProbeFailures)
	}
	text, _, _ := kgotop(t, "--kubeconfig", kubeconfig(), "-n", ns, "--report", "--width", "200")
	if !strings.Contains(text, "Metrics unavailable: metrics.k8s.io is not served") || !strings.Contains(text, "?/1/2") {
		t.Errorf("text report without metrics:\n%s", text)
	}
}

// usage reports whether the container's current usage is cpu millicores and
// mem bytes, give or take the metrics pipeline's rounding.
func usage(c report.JSONContainer, cpu, mem int64) bool {
	u := c.Usage
	return u != nil && u.CPUMillicores != nil && u.MemoryBytes != nil &&
		within(*u.CPUMillicores, cpu, 2) && within(*u.MemoryBytes, mem, mi)
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
	r := jsonReport(t, readonlyKubeconfig())
	forbidden := strings.Join(r.Sources.Forbidden, ", ")
	for _, want := range []string{"list events", "list horizontalpodautoscalers.autoscaling", "list deployments.apps", "list replicasets.apps"} {
		if !strings.Contains(forbidden, want) {
			t.Errorf("forbidden = %q, lacks %q", forbidden, want)
		}
	}
	// Pods still resolve to their Deployment through the pod-template-hash.
	api := workload(t, r, "Deployment", "api")
	if c := containerOf(t, api, "api"); len(api.Pods) != 2 || !usage(c, 50, 120*mi) {
		t.Errorf("api as read-only: pods %v usage %+v", api.Pods, c.Usage)
	}
	if oom := containerOf(t, workload(t, r, "Pod", "oom-victim"), "ingest"); oom.Restarts != 4 {
		t.Errorf("oom-victim restarts = %d", oom.Restarts)
	}
	text, _, code := kgotop(t, "--kubeconfig", readonlyKubeconfig(), "-n", ns, "--report", "--width", "200")
	if code != 0 || !strings.Contains(text, "Not shown: events is forbidden") {
		t.Errorf("read-only text report (exit %d):\n%s", code, text)
	}
}
