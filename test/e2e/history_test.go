//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/report"
	"github.com/kgotop/kgotop/test/promhistory"
)

// promURL is the sandbox's Prometheus on loopback (scripts/sandbox.d/PROMETHEUS.md).
func promURL(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sandboxDir, "run", "port-offset"))
	if err != nil {
		t.Fatalf("the sandbox's port offset: %v", err)
	}
	off, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(9090+off)
}

// checkDesignedPast checks that a report's history came from Prometheus and
// that its numbers are the stories' designed past, each within one of
// kgotop's histogram buckets (promhistory.Recovered).
func checkDesignedPast(t *testing.T, r report.JSONReport, source string) {
	t.Helper()
	h := r.Sources.History
	if h == nil || h.State != "loaded" || h.Source != source || h.Containers == 0 {
		t.Fatalf("history %+v, want loaded from %s", h, source)
	}
	cpu, mem := model.NewCPUHistogram(time.Hour), model.NewMemoryHistogram(time.Hour)
	for _, want := range promhistory.Designed() {
		w := workload(t, r, string(want.Kind), want.Scenario)
		u := containerOf(t, w, want.Container).Usage
		if u == nil || !strings.Contains(u.Source, "from "+source) || u.SpanSeconds < 7*24*3600 {
			t.Errorf("%s: usage %+v, want about 8d from %s", want.Scenario, u, source)
			continue
		}
		if want.CPUP50 > 0 {
			for _, c := range []struct {
				name     string
				got      int64
				designed float64
			}{{"P50", u.CPUP50, want.CPUP50}, {"P90", u.CPUP90, want.CPUP90}, {"P95", u.CPUP95, want.CPUP95}} {
				// The report rounds up to whole millicores, as advice does.
				if !promhistory.Recovered(float64(c.got)/1000, c.designed, cpu) && !promhistory.Recovered(float64(c.got-1)/1000, c.designed, cpu) {
					t.Errorf("%s: CPU %s %dm, designed %.0fm", want.Scenario, c.name, c.got, 1000*c.designed)
				}
			}
		}
		if !promhistory.Recovered(float64(u.MemoryPeakP90), want.MemoryPeakP90, mem) {
			t.Errorf("%s: memory peak P90 %.1fMi, designed %.1fMi", want.Scenario, float64(u.MemoryPeakP90)/(1<<20), want.MemoryPeakP90/(1<<20))
		}
	}
	// The sizing rests on it: high confidence, saying where its history came from.
	high := 0
	for _, w := range r.Workloads {
		for _, a := range w.Advice {
			if a.Kind == "cpu-request" || a.Kind == "memory-request" {
				// A request usage at the limit shows only the least of is
				// "high that it is at least this", medium (review 2, #14).
				lowerBound := a.Confidence.Level == "medium" && strings.HasPrefix(a.Confidence.Note, "high that it is at least this")
				if a.Confidence.Level != "high" && !lowerBound || !strings.Contains(a.Confidence.Source, "from "+source) {
					t.Errorf("%s %s: confidence %+v", w.Name, a.Kind, a.Confidence)
				}
				high++
			}
		}
	}
	if high == 0 {
		t.Error("no sizing advice")
	}
}

func TestReportSizesFromPrometheusHistory(t *testing.T) {
	needSandbox(t)
	u := promURL(t)
	r := jsonReport(t, kubeconfig(), "--no-history", "--prometheus", u)
	checkDesignedPast(t, r, "Prometheus at "+u)
	// The text report names it too, in its first lines.
	stdout, stderr, code := kgotop(t, "--kubeconfig", kubeconfig(), "-n", ns, "--report", "--no-history", "--prometheus", u, "--width", "300")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if head, _, _ := strings.Cut(stdout, "\n"); !strings.Contains(head, "8d of history from Prometheus at "+u) {
		t.Errorf("the report's first line does not name the source: %q", head)
	}
}

func TestReportFindsPrometheusThroughTheServiceProxy(t *testing.T) {
	needSandbox(t)
	t.Setenv("KGOTOP_PROMETHEUS", "")
	r := jsonReport(t, kubeconfig(), "--no-history")
	checkDesignedPast(t, r, "Prometheus (monitoring/prometheus-operated)")
}

func TestReadOnlyUserGoesOnWithoutPrometheusSayingSoOnce(t *testing.T) {
	needSandbox(t)
	t.Setenv("KGOTOP_PROMETHEUS", "")
	r := jsonReport(t, readonlyKubeconfig(), "--no-history")
	if h := r.Sources.History; h == nil || h.State != "off" || !strings.Contains(h.Reason, "get services is forbidden") {
		t.Fatalf("history %+v, want off: get services is forbidden", h)
	}
	stdout, stderr, code := kgotop(t, "--kubeconfig", readonlyKubeconfig(), "-n", ns, "--report", "--no-history", "--width", "200")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var lines []string
	for _, l := range strings.Split(stdout+stderr, "\n") {
		if strings.Contains(l, "Prometheus") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Errorf("lines about Prometheus: %q, want one", lines)
	}
	// It goes on with what it sees live: usage from the metrics API alone.
	live := 0
	for _, w := range r.Workloads {
		for _, c := range w.Containers {
			switch {
			case c.Usage == nil:
			case c.Usage.Source != "":
				t.Errorf("%s/%s: history from %q without Prometheus", w.Name, c.Name, c.Usage.Source)
			case c.Usage.Samples > 0:
				live++
			}
		}
	}
	if live == 0 {
		t.Errorf("%d workloads and no live usage: want the metrics API's", len(r.Workloads))
	}
}

// A store stopped under a running collector: the past read before is kept
// and the store marked stale since it stopped; started again, it is live.
func TestPrometheusStoppedMidRunIsStaleThenBack(t *testing.T) {
	needSandbox(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	k := kube(t)
	c := collect.New(collect.Clients{Kube: k, Metrics: metricsclient.NewForConfigOrDie(cfg).MetricsV1beta1(), Discovery: k.Discovery()},
		collect.Options{Namespace: ns, Past: collect.PastOptions{URL: promURL(t), Timeout: 5 * time.Second, Retry: time.Second}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Start(ctx)
	go c.RunHistory(ctx)
	eventually(t, "the past to be read", 2*time.Minute, func() bool { return c.Sources().Past.State == model.PastLoaded })

	// The store may stop answering before the stop returns (Prometheus
	// closes its listener first, then writes its head to disk).
	stopping := time.Now()
	sandbox(t, "stop", "prometheus")
	t.Cleanup(func() { sandbox(t, "up") })
	eventually(t, "the store to be marked stale", time.Minute, func() bool { return !c.Sources().Past.Live })
	p := c.Sources().Past
	if p.State != model.PastLoaded || p.StaleSince.Before(stopping) || !strings.Contains(p.Error, "cannot be reached") {
		t.Errorf("during the outage: %+v", p)
	}
	for _, w := range c.Snapshot().Workloads {
		for _, ct := range w.Containers {
			if w.Ref.Name == "catalog" && (ct.Usage == nil || ct.Usage.Past == nil) {
				t.Errorf("the outage lost catalog's past")
			}
		}
	}
	sandbox(t, "up")
	eventually(t, "the store to answer again", 2*time.Minute, func() bool { return c.Sources().Past.Live })
}

// A store that does not answer yet: the dashboard's rows come first, with
// a line saying what loads; the advice upgrades when the past arrives.
func TestSlowPrometheusDoesNotHoldUpTheFirstRows(t *testing.T) {
	needSandbox(t)
	target, err := url.Parse(promURL(t))
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	proxy := httputil.NewSingleHostReverseProxy(target)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer slow.Close()
	// 200 columns: the header names the source whole.
	s := startTmux(t, 200, 30, "--kubeconfig", kubeconfig(), "-n", ns, "--no-history", "--prometheus", slow.URL)
	// While every query waits at the gate, the rows and the loading line show.
	s.waitFor(time.Minute, "catalog", "pricing", "history loading", "Loading history: reading 8d of history from Prometheus at "+slow.URL)
	// catalog's advice (the only row left) rests on live samples until then.
	s.keys("/", "c", "a", "t", "a", "l", "o", "g", "Enter")
	if screen := s.waitFor(10*time.Second, "▌catalog", "history loading"); strings.Contains(screen, "8d from Prometheus at") {
		t.Errorf("advice from Prometheus before it answered:\n%s", screen)
	}
	close(gate)
	// The header names the store, and catalog's advice says its history came from there.
	s.waitFor(2*time.Minute, "history 8d Prometheus at "+slow.URL, "critical catalog  CPU request 1 → ", "confidence high: 8d from Prometheus at "+slow.URL)
	s.keys("q")
}
