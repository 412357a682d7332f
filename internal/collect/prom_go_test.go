package collect

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kgotop/kgotop/internal/model"
)

// goPast is what the store holds of the pages of api's pods: Go 1.23 at
// GOMAXPROCS 8 with no GOMEMLIMIT, 20Mi outside the runtime, a pool whose
// callers wait 4 times a second for 0.6 s a second, and a working set
// climbing 40Mi an hour. The ReplicaSet replaced since ran Go 1.22.
func goPast(set fakeSet, version string) fakeSet {
	set.goVersion = version
	set.goGauges = map[string]float64{"go_sched_gomaxprocs_threads": 8, "go_gc_gogc_percent": 100,
		"go_gc_gomemlimit_bytes": math.MaxInt64, "go_memstats_next_gc_bytes": 180 << 20, "go_goroutines": 120}
	set.outside = 20 << 20
	set.pools = map[string]map[string]float64{"orders": {"go_sql_max_open_connections": 5, "go_sql_open_connections": 5,
		"go_sql_in_use_connections": 5, "go_sql_idle_connections": 0, "go_sql_wait_count_total": 1036800,
		"go_sql_wait_duration_seconds_total": 155520, "go_sql_max_idle_closed_total": 86400,
		"go_sql_max_idle_time_closed_total": 0, "go_sql_max_lifetime_closed_total": 0,
		"go_sql_wait_count_total" + rateSuffix: 4, "go_sql_wait_duration_seconds_total" + rateSuffix: 0.6,
		"go_sql_max_idle_closed_total" + rateSuffix: 1.0 / 3}}
	set.growth = map[string]float64{growthSlope: 40 << 20 / 3600.0, growthTailPart: 39 << 20 / 3600.0, growthClimbing: 0.67, growthSteps: 144}
	return set
}

func goFixture(t *testing.T) (*rig, *fakeStore) {
	t.Helper()
	r, f := pastFixture(t)
	f.sets[0] = goPast(f.sets[0], "go1.22.1")
	f.sets[1] = goPast(f.sets[1], "go1.23.4")
	f.sets[0].goGauges["go_sched_gomaxprocs_threads"] = 16 // an older template's runtime says nothing of this one
	return r, f
}

// Issue 13 / review 2 #8: with no page of its own, a container's Go
// runtime comes from the store, from the pods that run the template in
// force, in the numbers a page gives, saying where it came from.
func TestTheGoRuntimeComesFromTheStore(t *testing.T) {
	r, f := goFixture(t)
	c := r.withStore(t, f, PastOptions{})
	if err := c.LoadHistory(context.Background()); err != nil {
		t.Fatal(err)
	}
	g := apiHistory(t, c).Go
	store := "Prometheus at " + f.srv.URL
	if g.Detection != model.GoConfirmed || g.Version != "1.23.4" || g.Evidence != "go_info from "+store {
		t.Fatalf("Go %+v", g)
	}
	rt := g.Runtime
	if rt == nil || rt.Store != store || rt.Pod != "" || rt.GOMAXPROCS != 8 || rt.GOGC != 100 || rt.GOMEMLIMIT != math.MaxInt64 ||
		rt.NextGC != 180<<20 || rt.OutsideGo != 20<<20 || rt.HeapLive != -1 || rt.GCCPUFraction != -1 || !rt.Scraped.Equal(t0) {
		t.Fatalf("runtime %+v", rt)
	}
	if len(rt.DB) != 1 {
		t.Fatalf("pools %+v", rt.DB)
	}
	db := rt.DB[0]
	// The rates over the last 10 minutes become counters 10 minutes apart.
	if db.Name != "orders" || db.MaxOpen != 5 || db.InUse != 5 || db.First == nil || !db.First.At.Equal(t0.Add(-10*time.Minute)) ||
		db.WaitCount-db.First.WaitCount != 2400 || db.WaitDuration-db.First.WaitDuration != 360*time.Second ||
		db.MaxIdleClosed-db.First.MaxIdleClosed != 200 || db.MaxLifetimeClosed != 0 {
		t.Errorf("pool %+v first %+v", db, db.First)
	}
	gr := apiHistory(t, c).Past.Growth
	if gr == nil || math.Abs(gr.PerHour-40<<20) > 1 || gr.Climbing != 0.67 || gr.Over != 24*time.Hour {
		t.Errorf("growth %+v", gr)
	}
}

// A scrape job that does not label the container still gives the runtime
// of a workload with one container.
func TestAGoRuntimeWithoutAContainerLabelIsTheOnlyContainers(t *testing.T) {
	r, f := goFixture(t)
	f.sets[1].goNoContainer = true
	c := r.withStore(t, f, PastOptions{})
	if err := c.LoadHistory(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g := apiHistory(t, c).Go; g.Version != "1.23.4" || g.Runtime == nil || g.Runtime.GOMAXPROCS != 8 {
		t.Errorf("Go %+v", g)
	}
}

// The read is the same handful of queries for 2 pods as for 60.
func TestTheGoRuntimeQueriesDoNotGrowWithPods(t *testing.T) {
	queries := func(pods int) int {
		ct := container("app", "250m", "512Mi")
		objs := []runtime.Object{deployment("api", int32(pods), ct), replicaSet("api-7d4b9c", ctrl("Deployment", "api"))}
		for i := range pods {
			objs = append(objs, pod(fmt.Sprintf("api-7d4b9c-%05d", i), ctrl("ReplicaSet", "api-7d4b9c"),
				map[string]string{appsv1.DefaultDeploymentUniqueLabelKey: "7d4b9c"}, ct))
		}
		f := newFakeStore(t, week, goPast(fakeSet{name: "api-7d4b9c", deployment: "api", container: "app", pods: pods, days: []int{0},
			cpu: map[float64]float64{0.1: 1}, memPeak: 100 << 20}, "go1.23.4"))
		c := newRig(t, objs...).withStore(t, f, PastOptions{})
		if err := c.LoadHistory(context.Background()); err != nil {
			t.Fatal(err)
		}
		if g := apiHistory(t, c).Go; g.Version != "1.23.4" {
			t.Fatalf("%d pods: Go %+v", pods, g)
		}
		return c.Sources().Past.Queries
	}
	if a, b := queries(2), queries(60); a != b || a != len(planPast(ns, week, t0).queries()) {
		t.Errorf("%d queries for 2 pods, %d for 60", a, b)
	}
}

// A page kgotop reads itself wins over the store's numbers; a container
// with no page keeps the store's.
func TestAPageWinsOverTheStore(t *testing.T) {
	app, web := goPast(fakeSet{name: "api-7d9f", deployment: "api", container: "app", pods: 3, days: []int{0},
		cpu: map[float64]float64{0.1: 1}, memPeak: 100 << 20}, "go1.23.4"),
		goPast(fakeSet{name: "web-5c5c", deployment: "web", container: "web", pods: 1, days: []int{0},
			cpu: map[float64]float64{0.1: 1}, memPeak: 100 << 20}, "go1.24.6")
	f := newFakeStore(t, week, app, web)
	pages := &fakePages{serve: goappPage(t)}
	_, c := goRigWith(t, pages, Options{Past: PastOptions{URL: f.srv.URL, Range: week}})
	if err := c.LoadHistory(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Poll(context.Background())
	s := c.Snapshot()
	if g := find(t, s, model.KindDeployment, "api").Containers[0].Go; g.Version != "1.26.8" || g.Runtime.Store != "" || !strings.HasPrefix(g.Evidence, "go_info from pod ") {
		t.Errorf("api: %+v", g)
	}
	if g := find(t, s, model.KindDeployment, "web").Containers[0].Go; g.Version != "1.24.6" || g.Runtime == nil || g.Runtime.Store == "" {
		t.Errorf("web: %+v", g)
	}
}
