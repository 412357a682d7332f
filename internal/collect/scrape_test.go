package collect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"regexp"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kgotop/kgotop/internal/model"
)

// fakePages serves /metrics pages from a function of the target and the
// number of times that pod was read, and records what was asked.
type fakePages struct {
	mu       sync.Mutex
	serve    func(t ScrapeTarget, n int) (MetricsPage, error)
	asked    []string
	perPod   map[string]int
	inFlight int
	maxAtNow int
}

func (f *fakePages) Page(ctx context.Context, t ScrapeTarget) (MetricsPage, error) {
	f.mu.Lock()
	if f.perPod == nil {
		f.perPod = map[string]int{}
	}
	f.perPod[t.Pod]++
	n := f.perPod[t.Pod]
	f.asked = append(f.asked, t.Pod)
	f.inFlight++
	f.maxAtNow = max(f.maxAtNow, f.inFlight)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	time.Sleep(time.Millisecond) // let rounds overlap their requests
	return f.serve(t, n)
}

// take returns and forgets the pods asked for since the last call, sorted.
func (f *fakePages) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Sorted(slices.Values(f.asked))
	f.asked = nil
	return out
}

// goappPage is the recorded examples/goapp page with its CPU counters set
// as if the process had run n windows: 1 CPU-second of work each, a fifth
// of it in the GC.
func goappPage(t *testing.T) func(ScrapeTarget, int) (MetricsPage, error) {
	body, err := os.ReadFile("../gometrics/testdata/goapp-text.txt")
	if err != nil {
		t.Fatal(err)
	}
	set := func(b []byte, name string, v float64) []byte {
		return regexp.MustCompile(`(?m)^`+name+` .*$`).ReplaceAll(b, fmt.Appendf(nil, "%s %g", name, v))
	}
	return func(_ ScrapeTarget, n int) (MetricsPage, error) {
		b := set(body, "go_cpu_classes_gc_total_cpu_seconds_total", 0.2*float64(n))
		b = set(b, "go_cpu_classes_idle_cpu_seconds_total", 29*float64(n))
		b = set(b, "go_cpu_classes_total_cpu_seconds_total", 30*float64(n))
		return MetricsPage{Body: b, ContentType: "text/plain; version=0.0.4"}, nil
	}
}

// goRig is a namespace with a Deployment of three replicas exposing a port
// named metrics, and one of a Go-looking container with no metrics port.
func goRig(t *testing.T, pages *fakePages, extra ...runtime.Object) (*rig, *Collector) {
	t.Helper()
	return goRigWith(t, pages, Options{}, extra...)
}

// goRigWith is goRig with collector options (its namespace and clock aside).
func goRigWith(t *testing.T, pages *fakePages, opts Options, extra ...runtime.Object) (*rig, *Collector) {
	t.Helper()
	app := withPorts(container("app", "250m", "256Mi"), port("metrics", 9090))
	app.Env = []corev1.EnvVar{{Name: "GOGC", Value: "50"}}
	web := container("web", "", "")
	web.Env = []corev1.EnvVar{{Name: "GOMEMLIMIT", Value: "200MiB"}}
	objs := []runtime.Object{deployment("api", 3, app), replicaSet("api-7d9f", ctrl("Deployment", "api")),
		deployment("web", 1, web), replicaSet("web-5c5c", ctrl("Deployment", "web")),
		withIP(pod("web-5c5c-a", ctrl("ReplicaSet", "web-5c5c"), nil, web))}
	for _, name := range []string{"api-7d9f-a", "api-7d9f-b", "api-7d9f-c"} {
		objs = append(objs, withIP(pod(name, ctrl("ReplicaSet", "api-7d9f"), nil, app)))
	}
	r := newRig(t, append(objs, extra...)...).withMetricsAPI()
	opts.Namespace, opts.Now = ns, func() time.Time { return r.now }
	c := New(Clients{Kube: r.kube, Metrics: r.metrics.MetricsV1beta1(), Discovery: r.disc, Pages: pages}, opts)
	r.c = c
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c.Start(ctx)
	if err := c.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	return r, c
}

func withIP(p *corev1.Pod) *corev1.Pod {
	p.Status.PodIP = "10.244.1.7"
	return p
}

func TestScrapeConfirmsGoAndRotates(t *testing.T) {
	pages := &fakePages{}
	pages.serve = goappPage(t)
	r, c := goRig(t, pages)
	ctx := context.Background()

	c.Poll(ctx)
	if got := pages.take(); !slices.Equal(got, []string{"api-7d9f-a", "api-7d9f-b"}) {
		t.Fatalf("round 1 read %v, want two of api's three pods", got)
	}
	s := c.Snapshot()
	api := find(t, s, model.KindDeployment, "api").Containers[0].Go
	if api.Detection != model.GoConfirmed || api.Version != "1.26.8" || api.Evidence != "go_info from pod api-7d9f-a" || api.ScrapeProblem != nil {
		t.Fatalf("api Go = %+v", api)
	}
	rt := api.Runtime
	if rt.Version != "go1.26.8" || rt.GOGC != 100 || rt.GOMEMLIMIT != math.MaxInt64 || rt.GCCPUFraction != -1 || !rt.Scraped.Equal(t0) ||
		len(rt.DB) != 1 || rt.DB[0].MaxOpen != 2 || rt.DB[0].WaitCount != 2393 {
		t.Errorf("api runtime = %+v", rt)
	}
	web := find(t, s, model.KindDeployment, "web").Containers[0].Go
	if web.Detection != model.GoLikely || web.Runtime != nil || web.ScrapeProblem.Reason != model.ScrapeNoTarget {
		t.Errorf("web Go = %+v", web)
	}

	r.now = t0.Add(5 * time.Second) // too soon: the metrics list only
	c.Poll(ctx)
	if got := pages.take(); len(got) != 0 {
		t.Errorf("a poll 5s after a round read %v", got)
	}

	r.now = t0.Add(15 * time.Second)
	c.Poll(ctx)
	if got := pages.take(); !slices.Equal(got, []string{"api-7d9f-b", "api-7d9f-c"}) {
		t.Fatalf("round 2 read %v, want the rotation to move on by one", got)
	}
	// api-7d9f-b was read twice: 0.2 of each CPU-second in GC.
	rt = find(t, c.Snapshot(), model.KindDeployment, "api").Containers[0].Go.Runtime
	if rt.Pod != "api-7d9f-b" || math.Abs(rt.GCCPUFraction-0.2) > 1e-9 {
		t.Errorf("round 2 runtime from %s, GC CPU %v", rt.Pod, rt.GCCPUFraction)
	}
	if pages.maxAtNow > scrapeConcurrency {
		t.Errorf("%d requests at once", pages.maxAtNow)
	}
}

func TestScrapeForbiddenDegrades(t *testing.T) {
	forbidden := true
	var mu sync.Mutex
	pages := &fakePages{}
	ok := goappPage(t)
	pages.serve = func(tg ScrapeTarget, n int) (MetricsPage, error) {
		mu.Lock()
		defer mu.Unlock()
		if forbidden {
			return MetricsPage{}, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, tg.Pod+":9090",
				errors.New(`User "ro" cannot get resource "pods/proxy" in API group "" in the namespace "shop"`))
		}
		return ok(tg, n)
	}
	r, c := goRig(t, pages)
	ctx := context.Background()
	c.Poll(ctx)
	s := c.Snapshot()
	if g := find(t, s, model.KindDeployment, "api").Containers[0].Go; g.ScrapeProblem.String() != "Go runtime unknown: pods/proxy is forbidden (grant get on pods/proxy)" || g.Runtime != nil || g.Detection != model.GoLikely {
		t.Errorf("api Go = %+v", g)
	}
	var named []string
	for _, u := range s.Sources.Unavailable {
		named = append(named, u.String())
	}
	if !slices.Equal(named, []string{"get pods/proxy"}) {
		t.Errorf("unavailable = %v, want get pods/proxy once", named)
	}
	pages.take()
	for _, at := range []time.Duration{15 * time.Second, time.Minute, 4 * time.Minute} {
		r.now = t0.Add(at)
		c.Poll(ctx)
		if got := pages.take(); len(got) != 0 {
			t.Errorf("%s after a refusal read %v", at, got)
		}
	}
	mu.Lock()
	forbidden = false // RBAC granted
	mu.Unlock()
	r.now = t0.Add(forbiddenRetry + time.Second)
	c.Poll(ctx)
	if got := pages.take(); len(got) != 1 {
		t.Errorf("the retry read %v, want one pod", got)
	}
	s = c.Snapshot()
	if len(s.Sources.Unavailable) != 0 || find(t, s, model.KindDeployment, "api").Containers[0].Go.Detection != model.GoConfirmed {
		t.Errorf("after RBAC changed: unavailable %v, api %+v", s.Sources.Unavailable, find(t, s, model.KindDeployment, "api").Containers[0].Go)
	}
}

func TestScrapeFailuresBackOffAndSayWhy(t *testing.T) {
	pages := &fakePages{}
	notGo, err := os.ReadFile("../gometrics/testdata/not-go.txt")
	if err != nil {
		t.Fatal(err)
	}
	pages.serve = func(tg ScrapeTarget, n int) (MetricsPage, error) {
		switch tg.Pod {
		case "api-7d9f-a":
			time.Sleep(100 * time.Millisecond) // never in time
			return MetricsPage{}, context.DeadlineExceeded
		case "api-7d9f-b":
			return MetricsPage{Body: notGo, ContentType: "text/plain"}, nil
		case "api-7d9f-c":
			if n == 1 { // the API server itself is down: not the pod's failure
				return MetricsPage{}, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
			}
		}
		return MetricsPage{}, errors.New("unreachable")
	}
	r, c := goRigWith(t, pages, Options{ScrapeTimeout: 50 * time.Millisecond})
	ctx := context.Background()
	c.Poll(ctx)
	pages.take()
	api := model.WorkloadRef{Kind: model.KindDeployment, Namespace: ns, Name: "api"}
	if a, _ := c.scraper.filed(api, "api-7d9f-a", "app"); a.String() != "Go runtime unknown: api-7d9f-a:9090/metrics: no answer within 50ms" {
		t.Errorf("timeout result = %+v", a)
	}
	if b, _ := c.scraper.filed(api, "api-7d9f-b", "app"); b.String() != "Go runtime unknown: api-7d9f-b:9090/metrics has no Go runtime metrics" {
		t.Errorf("not-Go result = %+v", b)
	}
	if g := find(t, c.Snapshot(), model.KindDeployment, "api").Containers[0].Go; g.Detection != model.GoLikely || g.ScrapeProblem == nil {
		t.Errorf("api Go = %+v", g)
	}
	// Each failure doubles a pod's wait (15s, 30s, ...) while the rotation
	// moves on: b failed at 0 and 15s, so round 4 (45s) reads it again;
	// a failed at 0 and 30s, so it sits round 4 out.
	var asked []string
	for _, at := range []time.Duration{15, 30, 45} {
		r.now = t0.Add(at * time.Second)
		c.Poll(ctx)
		asked = append(asked, fmt.Sprint(pages.take()))
		if at == 15 {
			if _, recorded := c.scraper.filed(api, "api-7d9f-c", "app"); recorded {
				t.Error("a failure to reach the API server was filed against the pod")
			}
		}
	}
	want := []string{"[api-7d9f-b api-7d9f-c]", "[api-7d9f-a api-7d9f-c]", "[api-7d9f-b]"}
	if !slices.Equal(asked, want) {
		t.Errorf("asked %v, want %v", asked, want)
	}
}

// Over scrapeBudget targets, a round reads the budget and the next one
// carries on where it stopped.
func TestScrapeBudget(t *testing.T) {
	var objs []runtime.Object
	app := withPorts(container("app", "", ""), port("metrics", 9090))
	for i := range 40 {
		name := fmt.Sprintf("svc-%02d", i)
		objs = append(objs, deployment(name, 2, app), replicaSet(name+"-x", ctrl("Deployment", name)),
			withIP(pod(name+"-x-a", ctrl("ReplicaSet", name+"-x"), nil, app)), withIP(pod(name+"-x-b", ctrl("ReplicaSet", name+"-x"), nil, app)))
	}
	pages := &fakePages{}
	pages.serve = goappPage(t)
	r, c := goRig(t, pages, objs...)
	c.Poll(context.Background())
	first := pages.take()
	r.now = t0.Add(15 * time.Second)
	c.Poll(context.Background())
	second := pages.take()
	if len(first) != scrapeBudget || len(second) != scrapeBudget {
		t.Errorf("rounds read %d and %d pages, budget %d", len(first), len(second), scrapeBudget)
	}
	seen := map[string]bool{}
	for _, p := range append(first, second...) {
		seen[p] = true
	}
	if len(seen) != 83 { // 80 svc pods and api's three
		t.Errorf("two rounds read %d distinct pods, want 83", len(seen))
	}
	if pages.maxAtNow > scrapeConcurrency {
		t.Errorf("%d requests at once", pages.maxAtNow)
	}
}
