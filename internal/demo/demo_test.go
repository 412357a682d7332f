package demo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/scenario"
)

// deploymentPatch is a patch of a simulated Deployment.
func deploymentPatch(name, data string) advisor.Patch {
	return advisor.Patch{Kind: model.KindDeployment, Group: "apps", Resource: "deployments", Namespace: scenario.Namespace, Name: name, Data: []byte(data)}
}

// warm runs a demo collector over hours of simulated time.
func warm(t *testing.T, seed uint64, d time.Duration) (*Sim, model.Snapshot) {
	t.Helper()
	s, c, ctx := watched(t, seed)
	return s, advance(t, ctx, s, c, d)
}

// watched returns a new simulation and a collector watching it, synced.
func watched(t *testing.T, seed uint64) (*Sim, *collect.Collector, context.Context) {
	t.Helper()
	s := New(seed)
	c := collect.New(s.Clients(), s.Options())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c.Start(ctx)
	if err := c.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	return s, c, ctx
}

// advance runs the simulation and its collector over d of simulated time
// and returns the snapshot once the collector shows all that happened.
func advance(t *testing.T, ctx context.Context, s *Sim, c *collect.Collector, d time.Duration) model.Snapshot {
	t.Helper()
	if err := s.WarmUp(ctx, c, d); err != nil {
		t.Fatal(err)
	}
	settleCtx, settleCancel := context.WithTimeout(ctx, 10*time.Second)
	defer settleCancel()
	if err := s.Settle(settleCtx, c); err != nil {
		t.Fatal(err)
	}
	return c.Snapshot()
}

var (
	eightOnce sync.Once
	eightSnap model.Snapshot
)

// eightHours returns the snapshot of seed 1 after eight simulated hours,
// simulated once for the tests that read it.
func eightHours(t *testing.T) model.Snapshot {
	eightOnce.Do(func() { _, eightSnap = warm(t, 1, 8*time.Hour) })
	if len(eightSnap.Workloads) == 0 {
		t.Fatal("the eight-hour simulation failed")
	}
	return eightSnap
}

// Every scenario's story shows in the advice, through the real collector
// and advisor: the library's expectations are the advisor's end-to-end test.
func TestScenariosGetTheirAdvice(t *testing.T) {
	snap := eightHours(t)
	all := advisor.Advise(snap, advisor.Options{})
	for _, sc := range scenario.All() {
		t.Run(sc.Name, func(t *testing.T) {
			var kinds []string
			for _, w := range snap.Workloads {
				if w.Ref.Name == sc.Name {
					for _, a := range advisor.ForWorkload(all, w.Ref) {
						kinds = append(kinds, string(a.Kind))
					}
				}
			}
			// The demo serves every Go runtime's /metrics page, so even the
			// advice that needs one must show.
			for _, want := range sc.Expect {
				if !slices.Contains(kinds, want) {
					t.Errorf("%s (%s): no %s advice; got %v", sc.Name, sc.Story, want, kinds)
				}
			}
			if len(sc.Expect) == 0 {
				for _, a := range advisor.ForWorkload(all, model.WorkloadRef{Kind: sc.Kind, Namespace: scenario.Namespace, Name: sc.Name}) {
					if a.Severity != advisor.Info {
						t.Errorf("healthy %s drew %s advice %s: %s", sc.Name, a.Severity, a.Kind, a.Reason)
					}
				}
			}
		})
	}
}

func TestStoriesHappen(t *testing.T) {
	snap := eightHours(t)
	byName := map[string]model.Container{}
	for _, w := range snap.Workloads {
		byName[w.Ref.Name] = w.Containers[0]
	}
	if c := byName["ingest"]; c.Terminations("OOMKilled") == 0 || c.RestartCount() < 2 {
		t.Errorf("ingest never OOMKilled: restarts %d, last %+v", c.RestartCount(), c.LastTermination())
	}
	if c := byName["reports"]; len(c.ProbeFailures) == 0 || c.ProbeFailures[0].Kills == 0 {
		t.Errorf("the slow starter was never killed by its liveness probe: %+v", c.ProbeFailures)
	}
	if c := byName["catalog"]; c.Usage == nil || c.Usage.Span() < 7*time.Hour {
		t.Errorf("catalog history = %+v", c.Usage)
	}
	if w := snap.Workloads[slices.IndexFunc(snap.Workloads, func(w model.Workload) bool { return w.Ref.Name == "web" })]; w.HPA == nil || w.HPA.Metrics[0].CurrentUtilization == 0 {
		t.Errorf("web HPA = %+v", w.HPA)
	}
	// Go runtimes are read through the collector's scrape path.
	if c := byName["pricing"]; c.Go.Detection != model.GoConfirmed || c.Go.Version != "1.23.4" || c.Go.Runtime == nil || c.Go.Runtime.GOMAXPROCS != 8 {
		t.Errorf("pricing Go = %+v", c.Go)
	}
	if c := byName["orders"]; c.Go.Runtime == nil || len(c.Go.Runtime.DB) != 1 || c.Go.Runtime.DB[0].WaitCount == 0 {
		t.Errorf("orders pool = %+v", c.Go.Runtime)
	}
	if c := byName["billing"]; c.Go.Runtime == nil || c.Go.Runtime.GOMEMLIMIT != 460<<20 {
		t.Errorf("billing's GOMEMLIMIT env is not what its runtime runs: %+v", c.Go.Runtime)
	}
}

// checkout's pod runs a sidecar: the containers view has two rows, each
// with advice of its own, and the Go runtime is the app's alone.
func TestASidecarHasAdviceOfItsOwn(t *testing.T) {
	snap := eightHours(t)
	i := slices.IndexFunc(snap.Workloads, func(w model.Workload) bool { return w.Ref.Name == "checkout" })
	if i < 0 || len(snap.Workloads[i].Containers) != 2 {
		t.Fatalf("checkout with an app and a sidecar: %v", i)
	}
	w := snap.Workloads[i]
	if app, side := w.Containers[0], w.Containers[1]; app.Go.Runtime == nil || side.Go.Runtime != nil || side.Go.Detection == model.GoConfirmed ||
		side.Usage == nil || side.Usage.Span() < 7*time.Hour {
		t.Errorf("app Go %+v, sidecar Go %+v, sidecar history %v", app.Go, side.Go, side.Usage != nil)
	}
	by := map[string][]advisor.Kind{}
	for _, a := range advisor.ForWorkload(advisor.Advise(snap, advisor.Options{}), w.Ref) {
		by[a.Target.Container] = append(by[a.Target.Container], a.Kind)
	}
	if !slices.Contains(by["checkout"], advisor.KindCPURequest) || !slices.Contains(by["log-shipper"], advisor.KindMemoryLimit) {
		t.Errorf("advice by container: %v", by)
	}
	// Every pod is counted once when the simulation settles, whatever its
	// containers (Settle would time out otherwise: eightHours got here).
}

func TestDeterministic(t *testing.T) {
	_, a := warm(t, 7, 2*time.Hour)
	_, b := warm(t, 7, 2*time.Hour)
	if len(a.Workloads) != len(b.Workloads) {
		t.Fatal("different workloads")
	}
	for i := range a.Workloads {
		ca, cb := a.Workloads[i].Containers[0], b.Workloads[i].Containers[0]
		if ca.RestartCount() != cb.RestartCount() || ca.Usage.CPUPeak != cb.Usage.CPUPeak || ca.Usage.MemoryPeak != cb.Usage.MemoryPeak {
			t.Errorf("%s differs between two runs with one seed", a.Workloads[i].Ref.Name)
		}
	}
}

// A patch applied to the simulated cluster rolls the pods, and the story
// changes: a startup probe ends the liveness kills of the slow starter.
func TestAPatchRollsThePods(t *testing.T) {
	s, _ := warm(t, 3, time.Hour)
	c := collect.New(s.Clients(), s.Options())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Start(ctx)
	if err := c.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	patch := deploymentPatch("reports", `{"spec":{"template":{"spec":{"containers":[{"name":"reports","startupProbe":{"httpGet":{"path":"/healthz","port":8080},"periodSeconds":10,"failureThreshold":12}}]}}}}`)
	if _, err := c.Apply(ctx, patch, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(ctx, 4*time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, st := range s.PodStates() {
		if st.Scenario == "reports" {
			cs := st.Status.ContainerStatuses[0]
			if cs.RestartCount != 0 || !cs.Ready {
				t.Errorf("with a startup probe the slow starter still restarts: %+v", cs)
			}
		}
	}
}

// The simulated API server treats patches as the real one does: a dry run
// changes nothing, a request above its limit is refused, and a changed
// template moves the generation.
func TestPatchesAreTreatedAsTheAPIServerDoes(t *testing.T) {
	s := New(1)
	c := collect.New(s.Clients(), s.Options())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	limit := func() string {
		d, err := s.Kube.AppsV1().Deployments(scenario.Namespace).Get(ctx, "ingest", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d.Spec.Template.Spec.Containers[0].Resources.Limits.Memory().String()
	}
	raise := deploymentPatch("ingest", `{"spec":{"template":{"spec":{"containers":[{"name":"ingest","resources":{"limits":{"memory":"356Mi"}}}]}}}}`)
	res, err := c.Apply(ctx, raise, true)
	if err != nil || limit() != "256Mi" || res.Generation != 2 || res.Containers[0].Resources.Limits.Memory != 356<<20 {
		t.Fatalf("dry run: %+v, %v; stored limit %s, want 256Mi kept and generation 2 shown", res, err, limit())
	}
	over := deploymentPatch("ingest", `{"spec":{"template":{"spec":{"containers":[{"name":"ingest","resources":{"requests":{"memory":"300Mi"}}}]}}}}`)
	if _, err := c.Apply(ctx, over, true); !errors.Is(err, advisor.ErrInvalid) || !strings.Contains(err.Error(), "less than or equal to memory limit") {
		t.Fatalf("a request over the limit: %v", err)
	}
	if res, err = c.Apply(ctx, raise, false); err != nil || limit() != "356Mi" || res.Generation != 2 {
		t.Fatalf("apply: %+v, %v; stored limit %s", res, err, limit())
	}
	if res, err = c.Apply(ctx, raise, false); err != nil || res.Generation != 2 {
		t.Fatalf("the same patch again moved the generation: %+v, %v", res, err)
	}
}

func TestAPatchForAContainerTheTemplateLacksIsRefused(t *testing.T) {
	s := New(1)
	c := collect.New(s.Clients(), s.Options())
	stray := deploymentPatch("ingest", `{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","resources":{"limits":{"memory":"64Mi"}}}]}}}}`)
	if _, err := c.Apply(context.Background(), stray, true); !errors.Is(err, advisor.ErrInvalid) || !strings.Contains(err.Error(), "image: Required") {
		t.Fatalf("a patch adding a container with no image: %v", err)
	}
}

// The pods a patch rolls run the new env: GOMAXPROCS set by the patch is
// what their Go runtime reports.
func TestRolledPodsRunTheNewEnv(t *testing.T) {
	s := New(1)
	ctx := context.Background()
	c := collect.New(s.Clients(), s.Options())
	patch := deploymentPatch("pricing", `{"spec":{"template":{"spec":{"containers":[{"name":"pricing","env":[{"name":"GOMAXPROCS","value":"2"}]}]}}}}`)
	if _, err := c.Apply(ctx, patch, false); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := s.Step(ctx, Window); err != nil {
			t.Fatal(err)
		}
	}
	pods := 0
	for _, st := range s.PodStates() {
		if st.Scenario != "pricing" {
			continue
		}
		pods++
		page, ok := s.MetricsPage(scenario.Namespace, st.Name)
		if !ok || !strings.Contains(page, "go_sched_gomaxprocs_threads 2\n") {
			t.Errorf("%s after the patch: %q", st.Name, page)
		}
	}
	if pods != 2 {
		t.Errorf("after the rollout pricing has %d pods, want its 2 replicas", pods)
	}
}

// A patch rolls a Deployment as its controller would: new pods of a new
// ReplicaSet, one more than the replicas at most, the old ones gone only
// once new ones are ready, so a person watching sees new names and ages.
// A StatefulSet's pods keep their names and start anew, the highest first.
func TestARolloutReplacesPodsOneAtATime(t *testing.T) {
	s := New(1)
	ctx := context.Background()
	c := collect.New(s.Clients(), s.Options())
	names := func(sc string) (all []string, ready int) {
		for _, st := range s.PodStates() {
			if st.Scenario == sc {
				all = append(all, st.Name)
				if st.Status.ContainerStatuses[0].Ready {
					ready++
				}
			}
		}
		return all, ready
	}
	before, _ := names("pricing")
	patch := deploymentPatch("pricing", `{"spec":{"template":{"spec":{"containers":[{"name":"pricing","env":[{"name":"GOMAXPROCS","value":"2"}]}]}}}}`)
	if _, err := c.Apply(ctx, patch, false); err != nil {
		t.Fatal(err)
	}
	applied := s.Now()
	var steps []int
	for range 6 {
		if err := s.Step(ctx, Window); err != nil {
			t.Fatal(err)
		}
		now, ready := names("pricing")
		steps = append(steps, len(now))
		if len(now) > 3 || ready < 2 {
			t.Fatalf("mid-rollout pricing has pods %v, %d ready: at most 3, at least 2 ready", now, ready)
		}
	}
	after, _ := names("pricing")
	if len(after) != 2 || slices.Contains(before, after[0]) || slices.Contains(before, after[1]) || !slices.Contains(steps, 3) {
		t.Fatalf("pods %v became %v (counts %v): want two new names, one surge pod on the way", before, after, steps)
	}
	pods, err := s.Kube.CoreV1().Pods(scenario.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if slices.Contains(after, p.Name) && p.CreationTimestamp.Time.Before(applied) {
			t.Errorf("%s was created %s, before the patch at %s", p.Name, p.CreationTimestamp, applied)
		}
	}

	// orders is a StatefulSet: the same names, made again.
	sts := []byte(`{"spec":{"template":{"spec":{"containers":[{"name":"orders","resources":{"limits":{"memory":"700Mi"}}}]}}}}`)
	stsPatch := advisor.Patch{Kind: model.KindStatefulSet, Group: "apps", Resource: "statefulsets", Namespace: scenario.Namespace, Name: "orders", Data: sts}
	if _, err := c.Apply(ctx, stsPatch, false); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := s.Step(ctx, Window); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"orders-0", "orders-1"} {
		p, err := s.Kube.CoreV1().Pods(scenario.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil || !p.CreationTimestamp.Time.After(applied) || p.Spec.Containers[0].Resources.Limits.Memory().String() != "700Mi" {
			t.Errorf("%s after the patch: %v, %v", name, p, err)
		}
	}
}

// Issue 15 item 8: after the demo's own patch raises ingest's limit, the
// rolled pods have no OOMKill behind them and a peak far below the new
// limit, yet memory climbs as before: the leak stays a warning (a higher
// limit buys time, not a fix).
func TestALeakStaysAWarningAfterTheLimitBump(t *testing.T) {
	s, c, ctx := watched(t, 1)
	leakOf := func(d time.Duration) (advisor.Advice, []advisor.Advice, model.Workload) {
		t.Helper()
		snap := advance(t, ctx, s, c, d)
		i := slices.IndexFunc(snap.Workloads, func(w model.Workload) bool { return w.Ref.Name == "ingest" })
		as := advisor.AdviseWorkload(snap.Workloads[i], advisor.Options{})
		for _, a := range as {
			if a.Kind == advisor.KindMemoryLeak {
				return a, as, snap.Workloads[i]
			}
		}
		t.Fatalf("no leak advice for ingest after %s", d)
		return advisor.Advice{}, nil, model.Workload{}
	}
	before, as, w := leakOf(4 * time.Hour)
	if before.Severity != advisor.Warning {
		t.Fatalf("before the bump: %s %s", before.Severity, before.Reason)
	}
	p, err := advisor.BuildPatch(w, advisor.Patchable(as))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(ctx, p, false); err != nil {
		t.Fatal(err)
	}
	// The new pod starts low, without the fall of an OOMKill; its run is
	// judged once long enough, the one before it until then: 15m, 45m and
	// 1h30m after the bump.
	for _, d := range []time.Duration{15 * time.Minute, 30 * time.Minute, 45 * time.Minute} {
		after, _, w := leakOf(d)
		if c := w.Containers[0]; c.Terminations("OOMKilled") > 0 || c.Resources.Limits.Memory <= 256<<20 {
			t.Fatalf("the bump did not roll out: limit %d, last %+v", c.Resources.Limits.Memory, c.LastTermination())
		}
		if after.Severity != advisor.Warning {
			t.Errorf("after the bump the leak is %s: %s", after.Severity, after.Reason)
		}
	}
}
