package collect

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kgotop/kgotop/internal/gometrics"
	"github.com/kgotop/kgotop/internal/model"
)

// Each part's generation of a workload moves when what the part gives the
// workload changes, and only then: these are what Revs are made of.

func TestUsageGenerationFollowsWhatSnapshotsRead(t *testing.T) {
	u := newUsage(model.DefaultHistoryConfig)
	a := model.WorkloadRef{Kind: model.KindStatefulSet, Namespace: ns, Name: "a"}
	b := model.WorkloadRef{Kind: model.KindStatefulSet, Namespace: ns, Name: "b"}
	owner := map[string]model.WorkloadRef{"a-0": a, "b-0": b}
	lookup := func(_, name string) (podInfo, bool) {
		ref, ok := owner[name]
		return podInfo{ref: ref}, ok
	}
	live := map[model.WorkloadRef]bool{a: true, b: true}
	sample := func(pod string, at time.Time) podUsage {
		return podUsage{namespace: ns, name: pod, time: at, window: 15 * time.Second, containers: []containerUsage{{name: "app", cpu: 10, memory: 1 << 20}}}
	}
	u.ingest([]podUsage{sample("a-0", t0), sample("b-0", t0)}, lookup, live)
	ga, gb := u.generation(a), u.generation(b)
	if ga == 0 || gb == 0 {
		t.Fatalf("generations after the first samples: a %d b %d", ga, gb)
	}
	u.ingest([]podUsage{sample("a-0", t0), sample("b-0", t0)}, lookup, live)
	if u.generation(a) != ga || u.generation(b) != gb {
		t.Error("the same window again moved a generation")
	}
	u.ingest([]podUsage{sample("a-0", t0.Add(15*time.Second)), sample("b-0", t0)}, lookup, live)
	if u.generation(a) == ga || u.generation(b) != gb {
		t.Errorf("a new window of a's pod: a %d -> %d, b %d -> %d", ga, u.generation(a), gb, u.generation(b))
	}
	ga = u.generation(a)
	u.ingest([]podUsage{sample("a-0", t0.Add(15*time.Second))}, lookup, live) // b-0 is gone
	if u.generation(a) != ga || u.generation(b) == gb {
		t.Error("a pod gone from the list left its workload's generation")
	}
	if _, ok := u.latest(ns, "b-0", "app"); ok {
		t.Error("a forgotten pod still has a latest sample")
	}
}

func TestScrapeGenerationFollowsPagesRefusalsAndTime(t *testing.T) {
	s := newScraper(Clients{Pages: &fakePages{}}, Options{Now: func() time.Time { return t0 }})
	a := model.WorkloadRef{Kind: model.KindDeployment, Namespace: ns, Name: "a"}
	b := model.WorkloadRef{Kind: model.KindDeployment, Namespace: ns, Name: "b"}
	target := func(ref model.WorkloadRef) planned {
		return planned{ScrapeTarget{Namespace: ns, Pod: ref.Name + "-0", Container: "app", Port: 9090, Path: "/metrics"}, ref}
	}
	served, _ := goappPage(t)(ScrapeTarget{}, 1)
	page, err := gometrics.Parse(served.Body, served.ContentType)
	if err != nil {
		t.Fatal(err)
	}
	ga, gb := s.generation(a, t0), s.generation(b, t0)
	s.record([]outcome{{target: target(a), page: page, parsed: true}}, 15*time.Second)
	if s.generation(a, t0) == ga || s.generation(b, t0) != gb {
		t.Fatal("a page of a's pod: want a's generation alone to move")
	}
	ga = s.generation(a, t0)
	if s.generation(a, t0.Add(scrapeKeep)) != ga {
		t.Error("a page still kept moved the generation")
	}
	if s.generation(a, t0.Add(scrapeKeep+time.Second)) == ga {
		t.Error("a page past keeping left the generation")
	}
	ga, gb = s.generation(a, t0), s.generation(b, t0)
	refused := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "b-0:9090", errors.New(`cannot get resource "pods/proxy"`))
	s.record([]outcome{{target: target(b), err: refused}}, 15*time.Second)
	if s.generation(a, t0) == ga || s.generation(b, t0) == gb {
		t.Error("pods/proxy refused: want every workload's generation to move")
	}
}

func TestPatchGenerationMovesWithAppliedPatchesOnly(t *testing.T) {
	r := newRig(t, deployment("api", 1, container("app", "", "")))
	c := r.start(t, Options{})
	api := model.WorkloadRef{Kind: model.KindDeployment, Namespace: ns, Name: "api"}
	g := c.patcher.generation(api)
	if _, err := c.Apply(context.Background(), apiPatch(`{}`), true); err != nil {
		t.Fatal(err)
	}
	if c.patcher.generation(api) != g {
		t.Error("a dry run moved the generation")
	}
	if _, err := c.Apply(context.Background(), apiPatch(`{}`), false); err != nil {
		t.Fatal(err)
	}
	if c.patcher.generation(api) == g {
		t.Error("an applied patch left the generation")
	}
}

// Snapshots taken while polls and scrapes run: each part guards its own
// state (run with -race).
func TestSnapshotsWhilePolling(t *testing.T) {
	pages := &fakePages{serve: goappPage(t)}
	r, c := goRig(t, pages)
	r.podMetrics = []metricsapi.PodMetrics{podMetrics("api-7d9f-a", t0, "50m", "100Mi"), podMetrics("api-7d9f-b", t0, "60m", "110Mi")}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			c.Snapshot()
		}
	})
	for range 5 {
		c.Poll(context.Background())
	}
	cancel()
	wg.Wait()
	if api := find(t, c.Snapshot(), model.KindDeployment, "api"); api.Containers[0].Usage == nil || api.Containers[0].Go.Runtime == nil {
		t.Errorf("after the polls: usage %v, runtime %v", api.Containers[0].Usage, api.Containers[0].Go.Runtime)
	}
}

// A page stays with the workload its pod belonged to when it was read: a
// pod that now belongs to another workload (or is gone) takes its page with it.
func TestScrapePagesLeaveWithTheirPod(t *testing.T) {
	s := newScraper(Clients{Pages: &fakePages{}}, Options{Now: func() time.Time { return t0 }})
	a := model.WorkloadRef{Kind: model.KindReplicaSet, Namespace: ns, Name: "a"}
	p := pod("p-0", ctrl("Deployment", "b"), nil, container("app", "", "")) // now Deployment b's
	s.record([]outcome{{target: planned{ScrapeTarget{Namespace: ns, Pod: "p-0", Container: "app"}, a}}}, 15*time.Second)
	if _, ok := s.filed(a, "p-0", "app"); ok {
		t.Fatal("an outcome not attempted was filed")
	}
	s.record([]outcome{{target: planned{ScrapeTarget{Namespace: ns, Pod: "p-0", Container: "app"}, a}, err: errors.New("HTTP 500")}}, 15*time.Second)
	if _, ok := s.filed(a, "p-0", "app"); !ok {
		t.Fatal("a failure was not filed")
	}
	ga := s.generation(a, t0)
	s.due([]*corev1.Pod{p}, newOwners(nil, nil), t0, 15*time.Second) // the next round's plan
	if _, ok := s.filed(a, "p-0", "app"); ok || s.generation(a, t0) == ga {
		t.Error("the page stayed with the workload its pod left")
	}
}
