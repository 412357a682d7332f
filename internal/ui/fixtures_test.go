package ui

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// t0 is the fixed time of every fixture.
var t0 = time.Date(2026, 11, 25, 6, 10, 12, 0, time.UTC)

const mi = 1 << 20

// history makes a usage history: one sample a minute for span, and the
// last points of the sparkline ring every 15s, wavy around cpu and mem.
func history(span time.Duration, pods []string, cpu, mem, cpuReq int64) *model.History {
	h := model.NewHistory(model.DefaultHistoryConfig)
	start := t0.Add(-span)
	for at, i := start, 0; !at.After(t0); at, i = at.Add(time.Minute), i+1 {
		wave := 1 + 0.2*math.Sin(float64(i)/5)
		for _, p := range pods {
			h.Add(p, model.Sample{Time: at, Window: 15 * time.Second, CPU: int64(float64(cpu) * wave), Memory: int64(float64(mem) * wave)}, cpuReq)
		}
	}
	n := min(int(span/(15*time.Second)), 200)
	for i := n; i >= 0; i-- {
		wave := 1 + 0.25*math.Sin(float64(i)/4)
		h.AddPoint(model.Point{Unix: t0.Add(-time.Duration(i) * 15 * time.Second).Unix(), CPU: int64(float64(cpu) * wave), Memory: int64(float64(mem) * (0.8 + 0.2*wave))})
	}
	return h
}

func instance(pod string, cpu, mem int64) model.ContainerInstance {
	return model.ContainerInstance{Pod: pod, Ready: true, StartedAt: t0.Add(-2 * time.Hour), Usage: &model.Sample{Time: t0.Add(-12 * time.Second), Window: 15 * time.Second, CPU: cpu, Memory: mem}}
}

func res(reqCPU, reqMem, limCPU, limMem int64) model.Resources {
	return model.Resources{Requests: model.ResourceList{CPU: reqCPU, Memory: reqMem}, Limits: model.ResourceList{CPU: limCPU, Memory: limMem}}
}

var httpProbe = &model.Probe{Handler: model.HTTPGet(8080, "/healthz"), PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}

func deploy(kind model.Kind, name string, ready, desired int32, cs ...model.Container) model.Workload {
	w := model.Workload{Ref: model.WorkloadRef{Kind: kind, Namespace: "shop", Name: name}, Ready: ready, Desired: desired, Containers: cs}
	for i := int32(0); i < desired; i++ {
		w.Pods = append(w.Pods, model.Pod{Name: fmt.Sprintf("%s-%d", name, i), Phase: "Running", Ready: i < ready})
	}
	return w
}

// fixture is a hand-built namespace with one workload of each kind of trouble.
func fixture() model.Snapshot {
	goConfirmed := func(v string) model.GoInfo {
		return model.GoInfo{Detection: model.GoConfirmed, Version: v, Evidence: "go_info"}
	}
	orders := model.Container{
		Name: "orders", Image: "registry.shop/orders:0.9.7",
		Resources: res(250, 300*mi, 1000, 384*mi),
		Probes:    model.Probes{Readiness: httpProbe, Liveness: httpProbe},
		Instances: []model.ContainerInstance{instance("orders-0", 190, 379*mi)},
		Usage:     history(7*time.Minute, []string{"orders-0"}, 190, 370*mi, 250),
		Go:        goConfirmed("1.24.3"),
	}
	orders.Instances[0].RestartCount = 4
	orders.Instances[0].LastTermination = &model.Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: t0.Add(-3 * time.Minute)}
	orders.Go.Runtime = &model.GoRuntime{Version: "go1.24.3", Goroutines: 530, Threads: 14, GOMAXPROCS: 4, GOGC: 100, GOMEMLIMIT: math.MaxInt64,
		HeapAlloc: 280 * mi, HeapInuse: 300 * mi, HeapLive: 290 * mi, HeapGoal: 345 * mi, NextGC: 345 * mi, Sys: 360 * mi, GCCPUFraction: 0.14,
		DB: []model.DBStats{{Name: "orders", MaxOpen: 0, Open: 42, InUse: 40, Idle: 2, WaitCount: 120, WaitDuration: 3200 * time.Millisecond}}}

	mailer := model.Container{
		Name: "mailer", Image: "registry.shop/mailer:2.1.0",
		Resources: res(100, 512*mi, 500, 640*mi),
		Probes:    model.Probes{Readiness: httpProbe, Liveness: httpProbe},
		Instances: []model.ContainerInstance{instance("mailer-0", 60, 410*mi)},
		Usage:     history(48*time.Hour, []string{"mailer-0"}, 60, 400*mi, 100),
		Go:        goConfirmed("1.25.1"),
	}
	thumbs := model.Container{
		Name: "thumbs", Image: "golang:1.22",
		Resources: res(300, 512*mi, 1000, 1024*mi),
		Probes:    model.Probes{Liveness: httpProbe},
		Instances: []model.ContainerInstance{instance("thumbs-0", 220, 280*mi)},
		Usage:     history(3*time.Hour, []string{"thumbs-0"}, 220, 280*mi, 300),
		ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 9, Kills: 3, LastSeen: t0.Add(-50 * time.Second),
			LastMessage: `Liveness probe failed: Get "http://10.244.0.7:8080/healthz": context deadline exceeded`}},
		Go: model.DetectGo(model.Container{Image: "golang:1.22"}),
	}
	thumbs.Instances[0].Ready = false
	thumbs.Instances[0].RestartCount = 3
	thumbs.Instances[0].Waiting = "CrashLoopBackOff"
	thumbs.Instances[0].WaitingMessage = "back-off 40s restarting failed container"
	thumbs.Instances[0].LastTermination = &model.Termination{Reason: "Error", ExitCode: 2, FinishedAt: t0.Add(-50 * time.Second)}

	payments := model.Container{
		Name: "payments", Image: "registry.shop/payments:5.0.2",
		Resources: res(200, 128*mi, 400, 192*mi),
		Probes:    model.Probes{Readiness: httpProbe, Liveness: httpProbe},
		Instances: []model.ContainerInstance{instance("payments-0", 372, 95*mi), instance("payments-1", 300, 90*mi), instance("payments-2", 310, 92*mi)},
		Usage:     history(26*time.Hour, []string{"payments-0", "payments-1", "payments-2"}, 350, 95*mi, 200),
		Go:        goConfirmed("1.22.5"),
	}
	app := model.Container{
		Name: "app", Image: "registry.shop/web:7.3.1",
		Resources: res(300, 256*mi, 0, 512*mi),
		Env:       []model.EnvVar{{Name: "GOMEMLIMIT", Value: "600MiB"}},
		Probes:    model.Probes{Readiness: httpProbe},
		Instances: []model.ContainerInstance{instance("web-0", 120, 200*mi), instance("web-1", 140, 210*mi)},
		Usage:     history(30*time.Hour, []string{"web-0", "web-1"}, 130, 205*mi, 300),
		Go:        model.GoInfo{Detection: model.GoLikely, Evidence: "env GOMEMLIMIT"},
	}
	nginx := model.Container{
		Name: "nginx", Image: "nginx:1.27",
		Resources: res(50, 64*mi, 100, 64*mi),
		Instances: []model.ContainerInstance{instance("web-0", 4, 60*mi), instance("web-1", 3, 59*mi)},
		Usage:     history(30*time.Hour, []string{"web-0", "web-1"}, 4, 60*mi, 50),
		Go:        model.GoInfo{Detection: model.GoUnknown},
	}
	edge := model.Container{
		Name: "edge", Image: "registry.shop/edge:latest",
		Instances: []model.ContainerInstance{instance("edge-0", 410, 160*mi), instance("edge-1", 380, 150*mi), instance("edge-2", 400, 155*mi)},
		Go:        model.GoInfo{Detection: model.GoUnknown},
	}
	accounts := model.Container{
		Name: "accounts", Image: "registry.shop/accounts:3.2.0",
		Resources: res(1000, 2048*mi, 2000, 4096*mi),
		Probes:    model.Probes{Readiness: httpProbe, Liveness: httpProbe},
		Instances: []model.ContainerInstance{instance("accounts-0", 25, 70*mi)},
		Usage:     history(20*time.Hour, []string{"accounts-0"}, 25, 70*mi, 1000),
		Go:        goConfirmed("1.25.4"),
	}
	ws := []model.Workload{
		deploy(model.KindDeployment, "accounts", 1, 1, accounts),
		deploy(model.KindDeployment, "edge", 3, 3, edge),
		deploy(model.KindDeployment, "mailer", 1, 1, mailer),
		deploy(model.KindDeployment, "payments", 3, 3, payments),
		deploy(model.KindDeployment, "thumbs", 0, 1, thumbs),
		deploy(model.KindDeployment, "web", 2, 2, app, nginx),
		deploy(model.KindStatefulSet, "orders", 1, 1, orders),
	}
	ws[0].HPA = &model.HPA{Name: "accounts", MinReplicas: 1, MaxReplicas: 20, CurrentReplicas: 1, DesiredReplicas: 1,
		Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, CurrentUtilization: 3}}}
	ws[4].Events = []model.Event{{Type: "Warning", Reason: "BackOff", Message: "Back-off restarting failed container thumbs", Count: 12, LastSeen: t0.Add(-40 * time.Second), Object: "Pod/thumbs-0"}}
	return model.Snapshot{
		Taken: t0, Context: "prod-eu", Namespace: "shop", Workloads: ws,
		Sources: model.Sources{Synced: true, API: model.APIStatus{Live: true},
			Metrics: model.MetricsStatus{State: model.MetricsAvailable, Newest: t0.Add(-12 * time.Second), Window: 15 * time.Second, Interval: 15 * time.Second, Polls: 30, Windows: 28}},
	}
}

// fakeApply records the calls Deps.Apply gets and answers from a script.
type fakeApply struct {
	calls []applyCall
	// errs answers call i with errs[i] (nil when short).
	errs []error
}

type applyCall struct {
	patch  advisor.Patch
	dryRun bool
}

func (f *fakeApply) apply(_ context.Context, p advisor.Patch, dryRun bool) (string, error) {
	f.calls = append(f.calls, applyCall{p, dryRun})
	i := len(f.calls) - 1
	if i < len(f.errs) && f.errs[i] != nil {
		return "", f.errs[i]
	}
	if dryRun {
		return "server would keep " + p.Name + " generation 4", nil
	}
	return p.Name + " generation 5", nil
}

// deps are Deps over a fixed snapshot and clock.
func deps(s model.Snapshot, f *fakeApply) Deps {
	d := Deps{Context: s.Context, Namespace: s.Namespace, Snapshot: func() model.Snapshot { return s }, Now: func() time.Time { return t0 }}
	if f != nil {
		d.Apply = f.apply
	}
	return d
}

// start returns a model sized w x h that has taken its first snapshot.
func start(t testing.TB, d Deps, w, h int) Model {
	t.Helper()
	m := New(d)
	m = send(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	msg := m.Init()()
	if _, ok := msg.(snapshotMsg); !ok {
		t.Fatalf("Init's command answered %T, want snapshotMsg", msg)
	}
	return send(t, m, msg)
}

// send hands one message to Update and returns the new model.
func send(t testing.TB, m Model, msg tea.Msg) Model {
	t.Helper()
	next, _ := m.Update(msg)
	return next.(Model)
}

// press sends keys one by one, dropping their commands.
func press(t testing.TB, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		m = send(t, m, keyPress(k))
	}
	return m
}

// pressCmd sends one key and returns the model and the command it made.
func pressCmd(t testing.TB, m Model, k string) (Model, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(keyPress(k))
	return next.(Model), cmd
}

// keyPress builds the key message a terminal sends for a key name.
func keyPress(k string) tea.KeyPressMsg {
	special := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft,
		"right": tea.KeyRight, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "backspace": tea.KeyBackspace, "home": tea.KeyHome, "end": tea.KeyEnd,
	}
	switch {
	case k == "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case k == "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case special[k] != 0:
		return tea.KeyPressMsg{Code: special[k]}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}
