package advisor

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/strategicpatch"

	"github.com/kgotop/kgotop/internal/model"
)

// patchWorkload is a Deployment with an app container and a sidecar, as
// the model sees it and as the API holds it.
func patchWorkload() (model.Workload, appsv1.Deployment) {
	w := model.Workload{
		Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "api"},
		Containers: []model.Container{
			{Name: "app", Image: "registry.example/api:latest",
				Resources: res(1000, 256*mi, 0, 512*mi),
				Env: []model.EnvVar{{Name: "PORT", Value: "8080"}, {Name: "GOGC", Value: "off"},
					{Name: "GOMEMLIMIT", From: &model.EnvSource{Kind: model.EnvResourceField, Resource: "limits.memory"}}, {Name: "GREETING", Value: "it's"}},
				Probes: model.Probes{Liveness: &model.Probe{Handler: model.HTTPGet(8080, "/healthz"), PeriodSeconds: 10, TimeoutSeconds: 1, FailureThreshold: 3}}},
			{Name: "sidecar", Image: "envoy:1.30", Env: []model.EnvVar{{Name: "GOGC", Value: "50"}}},
		},
	}
	q := resource.MustParse
	d := appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: "app", Image: "registry.example/api:latest",
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: q("1"), corev1.ResourceMemory: q("256Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: q("512Mi")}},
			Env: []corev1.EnvVar{{Name: "PORT", Value: "8080"}, {Name: "GOGC", Value: "off"},
				{Name: "GOMEMLIMIT", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory"}}},
				{Name: "GREETING", Value: "it's"}},
			LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz"}}, PeriodSeconds: 10, TimeoutSeconds: 1, FailureThreshold: 3}},
		{Name: "sidecar", Image: "envoy:1.30", Env: []corev1.EnvVar{{Name: "GOGC", Value: "50"}}},
	}}}}}
	return w, d
}

func accepted(w model.Workload, kind Kind, changes ...Change) Advice {
	t := Target{Kind: w.Ref.Kind, Namespace: w.Ref.Namespace, Name: w.Ref.Name, Container: "app"}
	return Advice{ID: t.String() + "/" + string(kind), Target: t, Kind: kind, Changes: changes}
}

func TestBuildPatchMergesIntoTheRightContainer(t *testing.T) {
	w, d := patchWorkload()
	as := []Advice{
		accepted(w, KindCPURequest, setResource("app", Requests, CPU, 120)),
		accepted(w, KindMemoryLimit, setResource("app", Limits, Memory, 356*mi)),
		accepted(w, KindGOMEMLIMIT, setEnv("app", "GOMEMLIMIT", "320MiB")),
		accepted(w, KindGOMAXPROCS, setEnv("app", "GOMAXPROCS", "2")),
		accepted(w, KindGOGC, removeEnv("app", "GOGC")),
		accepted(w, KindImageLatest, Change{Container: "app", Image: &ImageChange{Image: "registry.example/api@sha256:ab"}}),
		accepted(w, KindStartupProbe, Change{Container: "app", Probe: &ProbeChange{Probe: model.Startup,
			Set: map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}, "periodSeconds": 10, "failureThreshold": 30}}}),
		accepted(w, KindProbeTimeout, Change{Container: "app", Probe: &ProbeChange{Probe: model.Liveness, Set: map[string]any{"timeoutSeconds": 3}}}),
		{ID: "code-only", Target: Target{Kind: w.Ref.Kind, Namespace: "shop", Name: "api"}, Kind: KindDBPoolWait, Code: "db.SetMaxOpenConns(20)"},
	}
	p, err := BuildPatch(w, as)
	if err != nil {
		t.Fatal(err)
	}
	if p.Resource != "deployments" || p.Group != "apps" || !p.RestartsPods || len(p.Fields) != 8 || len(p.Advice) != 8 || len(p.Warnings) != 1 {
		t.Fatalf("patch %+v", p)
	}
	orig, _ := json.Marshal(d)
	merged, err := strategicpatch.StrategicMergePatch(orig, p.Data, appsv1.Deployment{})
	if err != nil {
		t.Fatalf("patch does not apply: %v\n%s", err, p.Data)
	}
	var got appsv1.Deployment
	if err := json.Unmarshal(merged, &got); err != nil {
		t.Fatal(err)
	}
	cs := got.Spec.Template.Spec.Containers
	if len(cs) != 2 || cs[0].Name != "app" || cs[1].Name != "sidecar" {
		t.Fatalf("containers %+v", cs)
	}
	app := cs[0]
	if c := app.Resources.Requests.Cpu(); c.MilliValue() != 120 {
		t.Errorf("cpu request %v", c)
	}
	if m := app.Resources.Requests.Memory(); m.Value() != 256*mi {
		t.Errorf("memory request changed: %v", m)
	}
	if m := app.Resources.Limits.Memory(); m.Value() != 356*mi {
		t.Errorf("memory limit %v", m)
	}
	env := map[string]corev1.EnvVar{}
	var order []string
	for _, e := range app.Env {
		env[e.Name] = e
		order = append(order, e.Name)
	}
	if _, ok := env["GOGC"]; ok {
		t.Errorf("GOGC not removed: %v", order)
	}
	if e := env["GOMEMLIMIT"]; e.Value != "320MiB" || e.ValueFrom != nil {
		t.Errorf("GOMEMLIMIT = %+v, want a literal 320MiB without valueFrom", e)
	}
	if env["PORT"].Value != "8080" || env["GREETING"].Value != "it's" || env["GOMAXPROCS"].Value != "2" {
		t.Errorf("env %v", app.Env)
	}
	if app.Image != "registry.example/api@sha256:ab" {
		t.Errorf("image %s", app.Image)
	}
	if sp := app.StartupProbe; sp == nil || sp.HTTPGet == nil || sp.HTTPGet.Path != "/healthz" || sp.HTTPGet.Port.IntValue() != 8080 || sp.FailureThreshold != 30 {
		t.Errorf("startup probe %+v", app.StartupProbe)
	}
	if lp := app.LivenessProbe; lp.TimeoutSeconds != 3 || lp.HTTPGet == nil || lp.PeriodSeconds != 10 {
		t.Errorf("liveness probe %+v", lp)
	}
	side := cs[1]
	if side.Image != "envoy:1.30" || len(side.Env) != 1 || side.Env[0].Value != "50" || len(side.Resources.Requests) != 0 {
		t.Errorf("sidecar touched: %+v", side)
	}
	fields := map[string]FieldChange{}
	for _, f := range p.Fields {
		fields[f.Field] = f
	}
	if f := fields["env[GOMEMLIMIT]"]; f.Before != "from resourceFieldRef limits.memory" || f.After != "320MiB" {
		t.Errorf("GOMEMLIMIT field %+v", f)
	}
	if f := fields["resources.requests.cpu"]; f.Before != "1" || f.After != "120m" {
		t.Errorf("cpu field %+v", f)
	}
}

// TestPatchCommandIsShellSafe runs the command's arguments through a real
// shell and checks that the patch arrives intact, quotes and all.
func TestPatchCommandIsShellSafe(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	w, _ := patchWorkload()
	for _, v := range []string{"it's", `'; rm -rf / #`, `$(id) "x" \n`, "a'b'c", ""} {
		p, err := BuildPatch(w, []Advice{accepted(w, KindGOGC, setEnv("app", "NOTE", v))})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.Command, "kubectl patch deployment api -n shop --type=strategic -p '") {
			t.Fatalf("command %s", p.Command)
		}
		out, err := exec.Command(sh, "-c", strings.Replace(p.Command, "kubectl", `printf '%s\n'`, 1)).Output()
		if err != nil {
			t.Fatal(err)
		}
		args := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if got := args[len(args)-1]; got != string(p.Data) {
			t.Errorf("the shell passed %q, want %q", got, p.Data)
		}
	}
}

func TestBuildPatchRefuses(t *testing.T) {
	w, _ := patchWorkload()
	ok := accepted(w, KindCPURequest, setResource("app", Requests, CPU, 120))
	other := ok
	other.Target.Name = "web"
	ghost := accepted(w, KindCPURequest, setResource("ghost", Requests, CPU, 120))
	clash := accepted(w, KindCPURequest, setResource("app", Requests, CPU, 200))
	code := Advice{ID: "x", Target: ok.Target, Code: "db.SetMaxOpenConns(5)"}
	pod, job := w, w
	pod.Ref.Kind, job.Ref.Kind = model.KindPod, model.KindJob
	cases := []struct {
		name string
		w    model.Workload
		as   []Advice
		is   error
		has  string
	}{
		{"bare pod", pod, []Advice{ok}, ErrNotPatchable, "in-place resize"},
		{"job", job, []Advice{ok}, ErrNotPatchable, "immutable"},
		{"another workload", w, []Advice{other}, nil, "not deploy/shop/api"},
		{"unknown container", w, []Advice{ghost}, nil, "ghost"},
		{"two values for one field", w, []Advice{ok, clash}, nil, "two accepted changes"},
		{"nothing to change", w, []Advice{code}, ErrNoChanges, ""},
		{"nothing at all", w, nil, ErrNoChanges, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BuildPatch(tc.w, tc.as)
			if err == nil || tc.is != nil && !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.has) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.is, tc.has)
			}
		})
	}
}

func TestBuildPatchKinds(t *testing.T) {
	w, _ := patchWorkload()
	for kind, want := range map[model.Kind]string{
		model.KindStatefulSet: `{"spec":{"template":{"spec":{"containers":[`,
		model.KindDaemonSet:   `{"spec":{"template":{"spec":{"containers":[`,
		model.KindReplicaSet:  `{"spec":{"template":{"spec":{"containers":[`,
		model.KindCronJob:     `{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[`,
	} {
		w.Ref.Kind = kind
		a := accepted(w, KindCPURequest, setResource("app", Requests, CPU, 120))
		p, err := BuildPatch(w, []Advice{a, a})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if !strings.HasPrefix(string(p.Data), want) || len(p.Fields) != 1 || len(p.Warnings) != 0 {
			t.Errorf("%s: %s %+v", kind, p.Data, p)
		}
		if p.RestartsPods != (kind == model.KindStatefulSet || kind == model.KindDaemonSet) {
			t.Errorf("%s restarts pods: %v", kind, p.RestartsPods)
		}
		if !strings.Contains(p.Command, "kubectl patch "+strings.ToLower(string(kind))+" api ") {
			t.Errorf("%s: %s", kind, p.Command)
		}
	}
}

// TestAdvicePatchesApply builds a patch from real advice and applies it.
func TestAdvicePatchesApply(t *testing.T) {
	w, d := patchWorkload()
	w.Containers[0].Go = model.GoInfo{Detection: model.GoConfirmed, Version: "1.24"}
	w.Containers[0].Resources.Limits.CPU = 2000
	w.Containers[0].Instances = []model.ContainerInstance{oomInstance("a")}
	w.Containers[0].Usage = usage(week, 5*60e9, 2, 1000, steady(80, 300*mi))
	as := AdviseWorkload(w, Options{})
	var patchable []Advice
	for _, a := range as {
		if a.Patchable() {
			patchable = append(patchable, a)
		}
	}
	if len(patchable) < 4 {
		t.Fatalf("expected several patchable advice, got %v", kinds(as))
	}
	p, err := BuildPatch(w, patchable)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := json.Marshal(d)
	if _, err := strategicpatch.StrategicMergePatch(orig, p.Data, appsv1.Deployment{}); err != nil {
		t.Fatalf("%v\n%s", err, p.Data)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %v", p.Warnings)
	}
}
