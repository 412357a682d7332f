package resize

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

const mi = 1 << 20

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// res is requests and limits: cpu and memory requests, then limits.
func res(cpuReq, memReq, cpuLim, memLim int64) model.Resources {
	return model.Resources{Requests: model.ResourceList{CPU: cpuReq, Memory: memReq}, Limits: model.ResourceList{CPU: cpuLim, Memory: memLim}}
}

// workload is a Deployment "api" of one container "app" with the given
// resources in its template and pods, each pod using mem[i] bytes.
func workload(r model.Resources, qos string, mem ...int64) model.Workload {
	w := model.Workload{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "api"}, Desired: int32(len(mem)), UpdateStrategy: "RollingUpdate"}
	c := model.Container{Name: "app", Image: "registry.example/api:1", Resources: r}
	for i, m := range mem {
		name := "api-" + string(rune('a'+i))
		w.Pods = append(w.Pods, model.Pod{Name: name, UID: "uid-" + name, Phase: "Running", Ready: true, QoS: qos, Created: t0.Add(-time.Hour),
			Resize: model.PodResize{Generation: 1, ObservedGeneration: 1}})
		c.Instances = append(c.Instances, model.ContainerInstance{Pod: name, Ready: true,
			Usage:     &model.Sample{Time: t0, CPU: 100, Memory: m},
			Resources: model.ContainerResources{Spec: r, Allocated: &r.Requests, Applied: &r}})
	}
	w.Containers = []model.Container{c}
	return w
}

// patchOf builds the template patch of changes to "app" from advice, as
// the dashboard does.
func patchOf(t *testing.T, w model.Workload, changes ...advisor.Change) advisor.Patch {
	t.Helper()
	a := advisor.Advice{ID: "deploy/shop/api/app/x", Kind: advisor.KindMemoryLimit,
		Target: advisor.Target{Kind: w.Ref.Kind, Namespace: w.Ref.Namespace, Name: w.Ref.Name, Container: "app"}, Changes: changes}
	p, err := advisor.BuildPatch(w, []advisor.Advice{a})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func set(section, name string, amount int64, q string) advisor.Change {
	return advisor.Change{Container: "app", Resource: &advisor.ResourceChange{Section: section, Name: name, Amount: amount, Quantity: q}}
}

// A raised memory limit goes to every running pod, the one nearest its
// limit first, each with the patch of its container's resources; the
// template patch follows and (a Deployment) rolls the pods.
func TestPlanRaisesNearestTheLimitFirst(t *testing.T) {
	w := workload(res(100, 200*mi, 0, 256*mi), model.QoSBurstable, 150*mi, 250*mi, 200*mi)
	p := New(w, patchOf(t, w, set(advisor.Limits, advisor.Memory, 384*mi, "384Mi")))
	if !p.InPlace() {
		t.Fatalf("refused: %v", p.Refused)
	}
	var order []string
	for _, s := range p.Steps {
		order = append(order, s.Pod)
	}
	if !reflect.DeepEqual(order, []string{"api-b", "api-c", "api-a"}) || !strings.Contains(p.Order, "nearest their memory limit") {
		t.Errorf("order %v (%q), want the pod using most of its limit first", order, p.Order)
	}
	var body map[string]any
	if err := json.Unmarshal(p.Steps[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	want := `{"spec":{"containers":[{"name":"app","resources":{"limits":{"memory":"384Mi"},"requests":{"cpu":"100m","memory":"200Mi"}}}]}}`
	if got, _ := json.Marshal(body); string(got) != want {
		t.Errorf("body %s\nwant %s", got, want)
	}
	if s := p.Steps[0]; s.UID != "uid-api-b" || s.Generation != 1 || s.Containers[0].After.Limits.Memory != 384*mi || len(s.Restarts) > 0 {
		t.Errorf("step %+v", s)
	}
	if !p.Rolls {
		t.Error("a Deployment's template patch rolls the pods: the plan must say so")
	}
	if cmd := p.Steps[0].Command("shop"); !strings.HasPrefix(cmd, "kubectl patch pod api-b -n shop --subresource resize --type=strategic -p '{") {
		t.Errorf("command %s", cmd)
	}
}

// A pod that was OOMKilled goes first when the limit rises, though it
// uses little since it started again; last when it falls.
func TestPlanOOMKilledPodFirst(t *testing.T) {
	w := workload(res(100, 200*mi, 0, 256*mi), model.QoSBurstable, 250*mi, 120*mi)
	w.Containers[0].Instances[1].LastTermination = &model.Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: t0.Add(-time.Minute)}
	if p := New(w, patchOf(t, w, set(advisor.Limits, advisor.Memory, 384*mi, "384Mi"))); p.Steps[0].Pod != "api-b" {
		t.Errorf("raise: %s first", p.Steps[0].Pod)
	}
	if p := New(w, patchOf(t, w, set(advisor.Requests, advisor.Memory, 150*mi, "150Mi"))); p.Steps[0].Pod != "api-a" {
		t.Errorf("cut: %s first", p.Steps[0].Pod)
	}
}

// A lowered request goes to the pod that uses least first (of the CPU it
// lowers).
func TestPlanLowersTheLeastUsedFirst(t *testing.T) {
	w := workload(res(1000, 512*mi, 0, 1024*mi), model.QoSBurstable, 300*mi, 100*mi)
	w.Containers[0].Instances[0].Usage.CPU, w.Containers[0].Instances[1].Usage.CPU = 300, 50
	p := New(w, patchOf(t, w, set(advisor.Requests, advisor.CPU, 200, "200m")))
	if !p.InPlace() || p.Steps[0].Pod != "api-b" || !strings.Contains(p.Order, "use least first") {
		t.Errorf("plan %+v", p)
	}
}

// What a running pod cannot take is refused up front, with the rollout as
// the way: a QoS class that would change, a limit removed, a memory limit
// below what a pod uses now.
func TestPlanRefuses(t *testing.T) {
	burstable := workload(res(100, 128*mi, 0, 256*mi), model.QoSBurstable, 100*mi)
	guaranteed := workload(res(500, 256*mi, 500, 256*mi), model.QoSGuaranteed, 100*mi)
	best := workload(model.Resources{}, model.QoSBestEffort, 100*mi)
	for _, tc := range []struct {
		name    string
		w       model.Workload
		changes []advisor.Change
		want    string
	}{
		{"Burstable to Guaranteed", burstable, []advisor.Change{set(advisor.Requests, advisor.Memory, 256*mi, "256Mi"),
			set(advisor.Requests, advisor.CPU, 200, "200m"), set(advisor.Limits, advisor.CPU, 200, "200m")},
			"QoS class of the pods would change from Burstable to Guaranteed"},
		{"Guaranteed to Burstable", guaranteed, []advisor.Change{set(advisor.Requests, advisor.CPU, 200, "200m")},
			"from Guaranteed to Burstable"},
		{"BestEffort to Burstable", best, []advisor.Change{set(advisor.Requests, advisor.Memory, 128*mi, "128Mi")},
			"from BestEffort to Burstable"},
		{"limit removed", burstable, []advisor.Change{{Container: "app", Resource: &advisor.ResourceChange{Section: advisor.Limits, Name: advisor.Memory, Remove: true}}},
			"removes the memory limit of app"},
		{"memory limit below usage", burstable, []advisor.Change{set(advisor.Limits, advisor.Memory, 96*mi, "96Mi"), set(advisor.Requests, advisor.Memory, 96*mi, "96Mi")},
			"would go to 96Mi, below what it uses in pod api-a now (100Mi)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New(tc.w, patchOf(t, tc.w, tc.changes...))
			if p.InPlace() || len(p.Steps) > 0 || !strings.Contains(strings.Join(p.Refused, "\n"), tc.want) {
				t.Errorf("refused %q, steps %d; want %q", p.Refused, len(p.Steps), tc.want)
			}
		})
	}
	// The same QoS class on both sides is no refusal: a Guaranteed pod
	// raised in both request and limit stays Guaranteed.
	p := New(guaranteed, patchOf(t, guaranteed, set(advisor.Requests, advisor.CPU, 1000, "1"), set(advisor.Limits, advisor.CPU, 1000, "1")))
	if !p.InPlace() {
		t.Errorf("Guaranteed to Guaranteed refused: %v", p.Refused)
	}
}

// Pods that cannot take a resize now are left out, each saying why; a
// workload with none left refuses.
func TestPlanSkipsPods(t *testing.T) {
	w := workload(res(100, 128*mi, 0, 256*mi), model.QoSBurstable, 100*mi, 100*mi, 100*mi)
	w.Pods[0].Phase = "Pending"
	w.Pods[1].Resize.Pending = &model.Condition{Reason: model.ResizeDeferred}
	p := New(w, patchOf(t, w, set(advisor.Limits, advisor.Memory, 384*mi, "384Mi")))
	if len(p.Steps) != 1 || p.Steps[0].Pod != "api-c" || len(p.Skipped) != 2 ||
		!strings.Contains(p.Skipped[0], "api-a: not running (Pending)") || !strings.Contains(p.Skipped[1], "still pending") {
		t.Errorf("steps %+v skipped %q", p.Steps, p.Skipped)
	}
	w.Pods[2].Phase = "Succeeded"
	if p := New(w, patchOf(t, w, set(advisor.Limits, advisor.Memory, 384*mi, "384Mi"))); p.InPlace() || !strings.Contains(p.Refused[0], "no running pod") {
		t.Errorf("no pod left: %+v", p)
	}
}

// A resizePolicy of RestartContainer for a resource that changes restarts
// the container, and the plan says so; one for a resource that stays
// restarts nothing.
func TestPlanRestartContainer(t *testing.T) {
	w := workload(res(100, 128*mi, 0, 256*mi), model.QoSBurstable, 100*mi)
	w.Containers[0].RestartOnResize.Memory = true
	p := New(w, patchOf(t, w, set(advisor.Limits, advisor.Memory, 384*mi, "384Mi")))
	if len(p.Steps) != 1 || !reflect.DeepEqual(p.Steps[0].Restarts, []string{"app"}) || !strings.Contains(strings.Join(p.Notes, "\n"), "resizePolicy RestartContainer") {
		t.Errorf("memory change: steps %+v notes %q", p.Steps, p.Notes)
	}
	p = New(w, patchOf(t, w, set(advisor.Requests, advisor.CPU, 200, "200m")))
	if len(p.Steps[0].Restarts) > 0 || strings.Contains(strings.Join(p.Notes, "\n"), "RestartContainer") {
		t.Errorf("a CPU change restarts nothing: %+v %q", p.Steps[0], p.Notes)
	}
}

// Env vars are read at start: a GOMEMLIMIT stays as it was in a program
// whose memory limit changes in place, and the plan says so; the env change
// goes only in the template patch. Go before 1.25 keeps GOMAXPROCS too.
func TestPlanSaysWhatStaysUntilRestart(t *testing.T) {
	w := workload(res(100, 128*mi, 1000, 256*mi), model.QoSBurstable, 100*mi)
	w.Containers[0].Env = []model.EnvVar{{Name: "GOMEMLIMIT", Value: "230MiB"}}
	w.Containers[0].Go = model.GoInfo{Detection: model.GoConfirmed, Version: "1.24.6"}
	gomemlimit := advisor.Change{Container: "app", Env: &advisor.EnvChange{Name: "GOMEMLIMIT", Value: "345MiB"}}
	p := New(w, patchOf(t, w, set(advisor.Limits, advisor.Memory, 384*mi, "384Mi"), gomemlimit, set(advisor.Limits, advisor.CPU, 2000, "2")))
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{
		"GOMEMLIMIT in the env is read at start: the running program keeps 230MiB until it restarts; the template patch carries the new value",
		"Go 1.24.6 sets GOMAXPROCS once at start",
		"app env[GOMEMLIMIT] cannot change in a running pod: only the template patch carries it",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(string(p.Steps[0].Body), "GOMEMLIMIT") || strings.Contains(notes, "above the new") {
		t.Errorf("the resize carries env: %s; or a raise warns: %s", p.Steps[0].Body, notes)
	}
	// A cut under the GOMEMLIMIT the program runs with: its GC no longer
	// holds the heap under the limit until it restarts.
	w.Containers[0].Resources.Limits.Memory = 2048 * mi
	w.Containers[0].Env = []model.EnvVar{{Name: "GOMEMLIMIT", Value: "1800MiB"}}
	cut := advisor.Change{Container: "app", Env: &advisor.EnvChange{Name: "GOMEMLIMIT", Value: "246MiB"}}
	p = New(w, patchOf(t, w, set(advisor.Limits, advisor.Memory, 274*mi, "274Mi"), cut))
	if notes := strings.Join(p.Notes, "\n"); !strings.Contains(notes, "keeps 1800MiB until it restarts; the template patch carries the new value. 1800MiB is above the new 274Mi limit: until the program restarts, its GC does not keep the heap under the limit") {
		t.Errorf("a cut below the running GOMEMLIMIT:\n%s", notes)
	}
	w.Containers[0].Env = []model.EnvVar{{Name: "GOMEMLIMIT", From: &model.EnvSource{Kind: model.EnvResourceField, Resource: "limits.memory"}}}
	w.Containers[0].Go.Version = "1.25.3"
	p = New(w, patchOf(t, w, set(advisor.Limits, advisor.Memory, 384*mi, "384Mi"), set(advisor.Limits, advisor.CPU, 2000, "2")))
	notes = strings.Join(p.Notes, "\n")
	if !strings.Contains(notes, "GOMEMLIMIT comes from limits.memory through the downward API") || strings.Contains(notes, "GOMAXPROCS") {
		t.Errorf("downward API GOMEMLIMIT on Go 1.25:\n%s", notes)
	}
}

// An OnDelete StatefulSet's template patch replaces no running pod.
func TestPlanOnDeleteDoesNotRoll(t *testing.T) {
	w := workload(res(100, 128*mi, 0, 256*mi), model.QoSBurstable, 100*mi)
	w.Ref.Kind, w.UpdateStrategy = model.KindStatefulSet, "OnDelete"
	p := New(w, patchOf(t, w, set(advisor.Limits, advisor.Memory, 384*mi, "384Mi")))
	if !p.InPlace() || p.Rolls {
		t.Errorf("plan %+v", p)
	}
}

// A cut that comes with an env change is not made in place when the
// template patch rolls the pods anyway: no relief, and in between each pod
// would run the lower limit with the GOMEMLIMIT it started with (catalog:
// 2Gi -> 274Mi beside GOMEMLIMIT 1800MiB -> 246MiB). A raise with the same
// env change is still offered, as relief now; an OnDelete StatefulSet's
// pods are reached only in place, so its cut is offered too.
func TestPlanRefusesACutThatRollsOutAnyway(t *testing.T) {
	w := workload(res(100, 1<<30, 0, 2<<30), model.QoSBurstable, 120*mi, 110*mi)
	w.Containers[0].Env = []model.EnvVar{{Name: "GOMEMLIMIT", Value: "1800MiB"}}
	gomemlimit := func(v string) advisor.Change {
		return advisor.Change{Container: "app", Env: &advisor.EnvChange{Name: "GOMEMLIMIT", Value: v}}
	}
	cut := []advisor.Change{set(advisor.Limits, advisor.Memory, 274*mi, "274Mi"), set(advisor.Requests, advisor.Memory, 137*mi, "137Mi"), gomemlimit("246MiB")}
	p := New(w, patchOf(t, w, cut...))
	if p.InPlace() || !strings.Contains(strings.Join(p.Refused, "\n"), "a rollout replaces the pods anyway, so resizing them first only adds risk") {
		t.Errorf("cut with GOMEMLIMIT: refused %q, steps %d", p.Refused, len(p.Steps))
	}
	alone := w
	alone.Containers = []model.Container{w.Containers[0]}
	alone.Containers[0].Env = nil
	if p := New(alone, patchOf(t, alone, cut[:2]...)); !p.InPlace() || p.Raises {
		t.Errorf("cut alone: %+v", p)
	}
	raise := []advisor.Change{set(advisor.Limits, advisor.Memory, 3<<30, "3Gi"), gomemlimit("2764MiB")}
	if p := New(w, patchOf(t, w, raise...)); !p.InPlace() || !p.Raises || !p.Rolls {
		t.Errorf("raise with GOMEMLIMIT: %+v", p)
	}
	w.Ref.Kind, w.UpdateStrategy = model.KindStatefulSet, "OnDelete"
	if p := New(w, patchOf(t, w, cut...)); !p.InPlace() {
		t.Errorf("OnDelete cut with GOMEMLIMIT: refused %q", p.Refused)
	}
}

// A raised CPU limit alone goes first to the pod nearest its CPU limit, and
// says so: memory is no reason for its order.
func TestPlanRaisesCPUNearestItsCPULimitFirst(t *testing.T) {
	w := workload(res(500, 200*mi, 1000, 512*mi), model.QoSBurstable, 400*mi, 100*mi, 200*mi)
	for i, cpu := range []int64{300, 950, 600} {
		w.Containers[0].Instances[i].Usage.CPU = cpu
	}
	p := New(w, patchOf(t, w, set(advisor.Limits, advisor.CPU, 2000, "2")))
	var order []string
	for _, s := range p.Steps {
		order = append(order, s.Pod)
	}
	if !reflect.DeepEqual(order, []string{"api-b", "api-c", "api-a"}) || !strings.Contains(p.Order, "nearest their CPU limit") || strings.Contains(p.Order, "memory") {
		t.Errorf("order %v (%q), want the pod using most of its CPU limit first", order, p.Order)
	}
}
