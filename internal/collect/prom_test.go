package collect

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kgotop/kgotop/internal/model"
)

const week = 8 * 24 * time.Hour

// pastFixture is a Deployment "api" whose two pods run ReplicaSet
// api-7d4b9c now, with eight days of past in the fake store: an older
// ReplicaSet (days 7..4, OOMKilled twice) and the current one (days 3..0,
// throttled). Its CPU sits at 100m half the time, 200m 40% and 400m 10%;
// each pod's daily memory peak is 300Mi.
func pastFixture(t *testing.T) (*rig, *fakeStore) {
	t.Helper()
	ct := container("app", "250m", "512Mi")
	objs := []runtime.Object{deployment("api", 2, ct), replicaSet("api-7d4b9c", ctrl("Deployment", "api"))}
	for _, name := range []string{"api-7d4b9c-x2x4z", "api-7d4b9c-q9w8e"} {
		objs = append(objs, pod(name, ctrl("ReplicaSet", "api-7d4b9c"), map[string]string{appsv1.DefaultDeploymentUniqueLabelKey: "7d4b9c"}, ct))
	}
	cpu := map[float64]float64{0.1: 0.5, 0.2: 0.4, 0.4: 0.1}
	f := newFakeStore(t, week,
		fakeSet{name: "api-5f6a8b", deployment: "api", container: "app", pods: 2, days: []int{7, 6, 5, 4}, cpu: cpu,
			memPeak: 300 << 20, oom: 2, reason: "OOMKilled", throttled: 9000, periods: 10000, p95: 0.9},
		fakeSet{name: "api-7d4b9c", deployment: "api", container: "app", pods: 2, days: []int{3, 2, 1, 0}, cpu: cpu,
			memPeak: 300 << 20, throttled: 1000, periods: 10000, p95: 0.4})
	return newRig(t, objs...), f
}

func (r *rig) withStore(t *testing.T, f *fakeStore, o PastOptions) *Collector {
	t.Helper()
	o.URL, o.Range = f.srv.URL, week
	return r.start(t, Options{Past: o})
}

func apiHistory(t *testing.T, c *Collector) model.Container {
	t.Helper()
	for _, w := range c.Snapshot().Workloads {
		if w.Ref.Name == "api" {
			return w.Containers[0]
		}
	}
	t.Fatal("no workload api")
	return model.Container{}
}

func TestThePastFeedsTheHistogramsLiveSamplesFeed(t *testing.T) {
	r, f := pastFixture(t)
	c := r.withStore(t, f, PastOptions{})
	if err := c.LoadHistory(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := c.Sources().Past
	if st.State != model.PastLoaded || st.Containers != 1 || st.Queries != len(planPast(ns, week, t0).queries()) || st.Bytes == 0 {
		t.Fatalf("status %+v", st)
	}
	ct := apiHistory(t, c)
	h := ct.Usage
	if h == nil || h.Past == nil {
		t.Fatal("no past in the history")
	}
	// Eight days of two pods, one sample each per 2m step, counted as the
	// VPA's one a minute.
	if h.Samples != 8*1440*2 || h.Windows != 8 || h.Span() != week {
		t.Errorf("samples %d, windows %d, span %s; want %d, 8, 8d", h.Samples, h.Windows, h.Span(), 8*1440*2)
	}
	cpu, mem := model.NewCPUHistogram(time.Hour), model.NewMemoryHistogram(time.Hour)
	for _, c := range []struct {
		got, want float64
		empty     *model.Histogram
	}{
		{h.CPU.Percentile(0.5), 0.1, cpu}, {h.CPU.Percentile(0.9), 0.2, cpu}, {h.CPU.Percentile(0.99), 0.4, cpu},
		{h.Memory.Percentile(0.9), 300 << 20, mem},
	} {
		if c.got != bucketEnd(c.empty, c.want) {
			t.Errorf("percentile %g, want the end of the bucket of %g (%g)", c.got, c.want, bucketEnd(c.empty, c.want))
		}
	}
	if h.CPUPeak.Value != 400 || h.MemoryPeak.Value != 300<<20 {
		t.Errorf("peaks %d m, %d B", h.CPUPeak.Value, h.MemoryPeak.Value)
	}
	if p := h.Provenance(); !strings.HasPrefix(p, "8d from Prometheus at "+f.srv.URL) {
		t.Errorf("provenance %q", p)
	}
	ev := ct.Past
	if ev == nil || ev.OOMKills != 2 || ev.MemoryPeak != 300<<20 || ev.LastReasons["OOMKilled"] != 1 {
		t.Fatalf("past events %+v", ev)
	}
	// Only the set that runs the template in force says how its limit throttles.
	if th := ev.Throttling; th == nil || th.P95 != 0.4 || th.Share != 0.1 {
		t.Errorf("throttling %+v, want the current ReplicaSet's 40%% P95 and 10%% share", th)
	}
	if f.methods["POST"] != 0 || f.methods["GET"] == 0 {
		t.Errorf("methods %v: the service proxy lets a GET through with get on services/proxy, a POST needs create", f.methods)
	}
}

func bucketEnd(empty *model.Histogram, v float64) float64 {
	h := empty.Clone()
	h.Add(v, 1, t0)
	return h.Percentile(1)
}

func TestThePastLeavesOutWhatASavedHistoryHolds(t *testing.T) {
	r, f := pastFixture(t)
	saved := model.NewHistory(model.HistoryConfig{})
	// An earlier run watched most of the last day and a half.
	for ts := t0.Add(-36 * time.Hour); ts.Before(t0.Add(-time.Hour)); ts = ts.Add(time.Minute) {
		saved.Add("api-7d4b9c-x2x4z", model.Sample{Time: ts, Window: time.Minute, CPU: 100, Memory: 100 << 20}, 250)
	}
	c := r.withStore(t, f, PastOptions{})
	savedSamples := saved.Samples
	c.Seed(model.WorkloadRef{Kind: model.KindDeployment, Namespace: ns, Name: "api"}, "app", saved)
	if err := c.LoadHistory(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := apiHistory(t, c).Usage
	// The two newest chunks overlap the saved span: six days come from the store.
	if h.Past.Samples != 6*1440*2 || h.Past.Watched != 6*24*time.Hour {
		t.Errorf("past %d samples over %s, want %d over 6d", h.Past.Samples, h.Past.Watched, 6*1440*2)
	}
	if h.Samples != savedSamples+h.Past.Samples {
		t.Errorf("samples %d, want the saved %d and the past's %d", h.Samples, savedSamples, h.Past.Samples)
	}
}

func TestAStoreThatFailsCostsOnlyThePast(t *testing.T) {
	forbidden := `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",` +
		`"message":"services \"prometheus-operated:web\" is forbidden: User \"ro\" cannot get resource \"services/proxy\"","reason":"Forbidden","code":403}`
	for _, c := range []struct {
		name string
		set  func(f *fakeStore)
		down bool
		want string
	}{
		{name: "timeout", set: func(f *fakeStore) { f.delay = 5 * time.Second }, want: "did not answer in time"},
		{name: "timeout mid-answer", set: func(f *fakeStore) { f.stall = 40 }, want: "did not answer in time"},
		{name: "401", set: func(f *fakeStore) { f.status, f.body = 401, "Unauthorized\n" }, want: "refused kgotop (401 Unauthorized): Unauthorized"},
		{name: "403", set: func(f *fakeStore) { f.status, f.body = 403, forbidden }, want: `refused kgotop (403 Forbidden): services "prometheus-operated:web" is forbidden`},
		{name: "503", set: func(f *fakeStore) { f.status, f.body = 503, "no endpoints available for service" }, want: "not answering (503): no endpoints"},
		{name: "query refused", set: func(f *fakeStore) {
			f.status, f.body = 422, `{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory"}`
		}, want: "answered with an error (execution): query processing would load too many samples"},
		{name: "down", down: true, want: "cannot be reached"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, f := pastFixture(t)
			if c.set != nil {
				f.set(c.set)
			}
			if c.down {
				f.srv.Close()
			}
			col := r.withStore(t, f, PastOptions{Timeout: 200 * time.Millisecond})
			if err := col.LoadHistory(context.Background()); err == nil {
				t.Fatal("no error")
			}
			st := col.Sources().Past
			if st.State != model.PastUnavailable || !strings.Contains(st.Reason, c.want) || strings.Contains(st.Reason, "\n") {
				t.Errorf("status %q %q, want unavailable and one line with %q", st.State, st.Reason, c.want)
			}
			if ct := apiHistory(t, col); ct.Usage != nil || ct.Past != nil {
				t.Errorf("a failed read left a past: %+v %+v", ct.Usage, ct.Past)
			}
		})
	}
}

func TestAPartialAnswerIsSaidAndUsed(t *testing.T) {
	r, f := pastFixture(t)
	f.set(func(f *fakeStore) {
		f.warnings = []string{"store-gateway 2 of 3 unavailable: the answer may be partial"}
	})
	c := r.withStore(t, f, PastOptions{})
	if err := c.LoadHistory(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := c.Sources().Past
	if st.State != model.PastLoaded || len(st.Warnings) == 0 || !strings.Contains(st.Warnings[0], "store-gateway 2 of 3") {
		t.Errorf("status %+v", st)
	}
	if apiHistory(t, c).Usage == nil {
		t.Error("a partial answer was not used")
	}
}

func TestSeriesTheStoreDoesNotHaveAreUnknown(t *testing.T) {
	r, f := pastFixture(t)
	f.set(func(f *fakeStore) {
		for _, q := range []string{qOwners, qOOM, qReasons, qRestarts, qThrottled, qPeriods, qThrottledP95} {
			f.missing[q] = true // no kube-state-metrics, no CFS counters
		}
	})
	c := r.withStore(t, f, PastOptions{})
	if err := c.LoadHistory(context.Background()); err != nil {
		t.Fatal(err)
	}
	ct := apiHistory(t, c)
	// Without kube_pod_owner, the ReplicaSets' names still lead to api.
	if ct.Usage == nil || ct.Usage.Samples != 8*1440*2 {
		t.Fatalf("history %+v", ct.Usage)
	}
	if ct.Past == nil || ct.Past.OOMKills != 0 || ct.Past.Throttling != nil {
		t.Errorf("absent series read as %+v, want unknown", ct.Past)
	}
}

func TestAStoreThatStopsAnsweringIsStaleUntilItAnswers(t *testing.T) {
	r, f := pastFixture(t)
	c := r.withStore(t, f, PastOptions{Timeout: 200 * time.Millisecond})
	ctx := context.Background()
	if err := c.LoadHistory(ctx); err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fakeStore) { f.status, f.body = 503, "connection refused" })
	r.now = t0.Add(time.Minute)
	c.past.check(ctx)
	st := c.Sources().Past
	if st.Live || !st.StaleSince.Equal(t0.Add(time.Minute)) || !strings.Contains(st.Error, "503") || st.State != model.PastLoaded {
		t.Fatalf("during the outage: %+v", st)
	}
	r.now = t0.Add(2 * time.Minute)
	c.past.check(ctx)
	if got := c.Sources().Past.StaleSince; !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("stale since moved to %s", got)
	}
	f.set(func(f *fakeStore) { f.status = 0 })
	c.past.check(ctx)
	if st := c.Sources().Past; !st.Live || st.Error != "" {
		t.Errorf("after the outage: %+v", st)
	}
	if apiHistory(t, c).Usage.Past == nil {
		t.Error("the outage lost the past")
	}
}

func TestTheREADMEShowsTheQueries(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, shown, _ := strings.Cut(string(b), "<!-- queries:")
	shown, _, _ = strings.Cut(shown, "<!-- end queries -->")
	var want strings.Builder
	for _, q := range planPast("shop", week, t0).queries() {
		fmt.Fprintf(&want, "# %s\n%s\n", q.name, q.promQL)
	}
	if !strings.Contains(shown, want.String()) {
		t.Errorf("README.md shows other queries than kgotop sends; these are sent:\n%s", want.String())
	}
}
