package report

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

func TestGoColumnAndDetails(t *testing.T) {
	rt := &model.GoRuntime{Pod: "api-7d9f-a", Scraped: time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC), Version: "go1.26.8",
		Goroutines: 1216, Threads: 9, GOMAXPROCS: 2, GOGC: 100, GOMEMLIMIT: math.MaxInt64, HeapAlloc: 4961088, HeapInuse: 5980160,
		HeapLive: -1, HeapGoal: -1, NextGC: 6064618, Sys: 21600520, GCPauseMax: 1213277 * time.Nanosecond, GCCycles: 29, GCCPUFraction: 0.04,
		DB: []model.DBStats{{Name: "main", MaxOpen: 2, Open: 2, InUse: 2, Idle: 0, WaitCount: 2393, WaitDuration: 46 * time.Minute,
			MaxIdleClosed: 0, MaxIdleTimeClosed: -1, MaxLifetimeClosed: 0}}}
	api := model.Container{Name: "api", Go: model.GoInfo{Detection: model.GoConfirmed, Version: "1.26.8", Evidence: "go_info from pod api-7d9f-a", Runtime: rt}}
	web := model.Container{Name: "web", Go: model.GoInfo{Detection: model.GoLikely, Evidence: "env GOGC",
		ScrapeProblem: &model.ScrapeProblem{Reason: model.ScrapeForbidden}}}
	nginx := model.Container{Name: "nginx", Go: model.GoInfo{Detection: model.GoUnknown}}
	s := model.Snapshot{Taken: rt.Scraped, Namespace: "shop", Workloads: []model.Workload{
		{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "api"}, Desired: 1, Containers: []model.Container{api, web, nginx}}}}

	var cells []string
	for _, r := range rows(s, nil) {
		cells = append(cells, r.golang.Text)
	}
	if strings.Join(cells, " ") != "1.26.8 go? ?" {
		t.Errorf("GO cells = %v", cells)
	}
	d := strings.Join(details(s), "\n")
	for _, want := range []string{
		"deploy/api api: Go 1.26.8 (go_info from pod api-7d9f-a): heap in use 5.7MiB, next GC 5.8MiB, GOGC 100, GOMEMLIMIT none, GOMAXPROCS 2, GC CPU 4%, GC pause max 1.213ms, GC cycles 29, goroutines 1216, threads 9",
		"deploy/api api: pool main: open 2 of 2, in use 2, idle 0, waited 2393 times for 46m0s",
		"deploy/api web: Go runtime unknown: pods/proxy is forbidden (grant get on pods/proxy)",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack\n%s\nin\n%s", want, d)
		}
	}
	if strings.Contains(d, "nginx") {
		t.Errorf("details name a container with nothing to say:\n%s", d)
	}

	var buf bytes.Buffer
	if err := writeJSON(&buf, s, nil); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Workloads []struct {
			Containers []struct {
				Go map[string]any `json:"go"`
			} `json:"containers"`
		} `json:"workloads"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	g := got.Workloads[0].Containers[0].Go
	r := g["runtime"].(map[string]any)
	if g["detection"] != "confirmed" || r["go_version"] != "go1.26.8" || r["gogc_percent"] != 100.0 || r["gc_cpu_fraction"] != 0.04 ||
		r["gc_pause_max_seconds"] != 0.001213277 || r["pod"] != "api-7d9f-a" {
		t.Errorf("go = %v", g)
	}
	if _, ok := r["heap_live_bytes"]; ok {
		t.Errorf("an absent number is in the JSON: %v", r)
	}
	pool := r["db_pools"].([]any)[0].(map[string]any)
	if pool["max_open"] != 2.0 || pool["wait_count"] != 2393.0 || pool["wait_seconds"] != 2760.0 || pool["max_idle_time_closed"] != nil {
		t.Errorf("pool = %v", pool)
	}
	if w := got.Workloads[0].Containers[1].Go; w["scrape_error"] != "Go runtime unknown: pods/proxy is forbidden (grant get on pods/proxy)" || w["runtime"] != nil {
		t.Errorf("web go = %v", w)
	}
}
