package gometrics_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/gometrics"
	"github.com/kgotop/kgotop/internal/model"
)

// The advisor's Go and pool rules on pages recorded from examples/goapp,
// read by this package: what a person would see for that program.
func TestAdviceOnRecordedPages(t *testing.T) {
	body, err := os.ReadFile("testdata/goapp-text.txt")
	if err != nil {
		t.Fatal(err)
	}
	page, err := gometrics.Parse(body, "text/plain; version=0.0.4")
	if err != nil {
		t.Fatal(err)
	}
	rt := page.Runtime
	// As the collector files it: read from pod goapp-1, whose program had run ten minutes.
	rt.Pod, rt.Scraped = "goapp-1", time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	c := model.Container{
		Instances: []model.ContainerInstance{{Pod: "goapp-1", StartedAt: rt.Scraped.Add(-10 * time.Minute)}},
		Name:      "app", Image: "registry.example/goapp:1.0",
		Resources: model.Resources{Limits: model.ResourceList{CPU: 1000, Memory: 256 << 20}},
		// The team believes GOGC=50 (the program also calls os.Setenv("GOGC", "50")),
		// and the pool comes from env.
		Env: []model.EnvVar{{Name: "GOGC", Value: "50"}, {Name: "DB_MAX_OPEN_CONNS", Value: "2"}, {Name: "DB_CONN_MAX_LIFETIME", Value: "0"}},
		Go:  model.GoInfo{Detection: model.GoConfirmed, Version: "1.26.8", Evidence: "go_info from pod goapp", Runtime: &rt},
	}
	w := model.Workload{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "goapp"}, Desired: 1, Containers: []model.Container{c}}
	got := map[advisor.Kind]advisor.Advice{}
	for _, a := range advisor.AdviseWorkload(w, advisor.Options{Now: rt.Scraped}) {
		got[a.Kind] = a
	}
	gogc, ok := got[advisor.KindGOGC]
	if !ok || !strings.Contains(gogc.Reason, "env GOGC=50 but the runtime runs 100") || !strings.Contains(strings.Join(gogc.Notes, " "), "os.Setenv") || !gogc.Patchable() {
		t.Errorf("gogc = %+v", gogc)
	}
	wait, ok := got[advisor.KindDBPoolWait]
	if !ok || wait.Severity != advisor.Warning || !wait.Patchable() || wait.Changes[0].String() != "app: env[DB_MAX_OPEN_CONNS]=7" ||
		!strings.Contains(wait.Reason, "239 times a minute since the process started 10m ago") {
		t.Errorf("db-pool-wait = %+v", wait)
	}
	if life, ok := got[advisor.KindDBPoolLifetime]; !ok || !life.Patchable() || life.Changes[0].String() != "app: env[DB_CONN_MAX_LIFETIME]=30m" {
		t.Errorf("db-pool-lifetime = %+v", life)
	}
	if gml, ok := got[advisor.KindGOMEMLIMIT]; !ok || gml.Suggested.Display != "230MiB" {
		t.Errorf("gomemlimit = %+v", gml)
	}
	// Go 1.26 follows the CPU limit itself.
	if a, ok := got[advisor.KindGOMAXPROCS]; ok {
		t.Errorf("gomaxprocs on Go 1.26: %s", a.Reason)
	}
}
