package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

func TestDBPoolRules(t *testing.T) {
	pool := func(f func(*model.DBStats)) []model.DBStats {
		db := model.DBStats{Name: "main", MaxOpen: 10, Open: 4, InUse: 2, Idle: 2, MaxLifetimeClosed: 5}
		f(&db)
		return []model.DBStats{db}
	}
	cases := []struct {
		name   string
		db     []model.DBStats
		dbMax  int64
		hpaMax int32
		kind   Kind
		sev    Severity
		code   string // "" = no advice of kind
		reason string // with no code: the advice says this instead
	}{
		{name: "starved pool", db: pool(func(d *model.DBStats) {
			d.InUse, d.Open, d.WaitCount, d.WaitDuration = 10, 10, 500, 40*time.Second
		}), kind: KindDBPoolWait, sev: Warning, code: "db.SetMaxOpenConns(20)"},
		{name: "starved pool under a full database", db: pool(func(d *model.DBStats) {
			d.InUse, d.Open, d.WaitCount, d.WaitDuration = 10, 10, 500, 40*time.Second
		}), dbMax: 20, kind: KindDBPoolWait, sev: Warning, reason: "no room for more connections"},
		{name: "starved pool over the database's limit: lower it, not raise it", db: pool(func(d *model.DBStats) {
			d.InUse, d.Open, d.WaitCount, d.WaitDuration = 10, 10, 500, 40*time.Second
		}), dbMax: 15, kind: KindDBPoolWait},
		{name: "a few short waits", db: pool(func(d *model.DBStats) { d.WaitCount, d.WaitDuration = 3, time.Millisecond }),
			kind: KindDBPoolWait, sev: Info, code: "db.SetMaxOpenConns(20)"},
		{name: "unlimited", db: pool(func(d *model.DBStats) { d.MaxOpen = 0 }), kind: KindDBPoolUnlimited, sev: Warning, code: "db.SetMaxOpenConns(5)"},
		{name: "unlimited over the database's budget", db: pool(func(d *model.DBStats) { d.MaxOpen, d.Open, d.InUse = 0, 80, 40 }), dbMax: 100,
			kind: KindDBPoolUnlimited, sev: Critical, code: "db.SetMaxOpenConns(45)"},
		{name: "total over the limit with the HPA max", db: pool(func(*model.DBStats) {}), dbMax: 50, hpaMax: 8,
			kind: KindDBPoolTotal, sev: Warning, code: "db.SetMaxOpenConns(5)"},
		{name: "total within the limit", db: pool(func(*model.DBStats) {}), dbMax: 500, hpaMax: 8, kind: KindDBPoolTotal},
		{name: "idle churn", db: pool(func(d *model.DBStats) { d.MaxIdleClosed, d.InUse = 5000, 6 }), kind: KindDBPoolIdle, sev: Info, code: "db.SetMaxIdleConns(6)"},
		{name: "no lifetime", db: pool(func(d *model.DBStats) { d.MaxLifetimeClosed = 0 }), kind: KindDBPoolLifetime, sev: Info, code: "SetConnMaxLifetime"},
		{name: "healthy pool", db: pool(func(*model.DBStats) {}), kind: KindDBPoolWait},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(withProbes(model.Container{Go: model.GoInfo{Detection: model.GoConfirmed, Version: "1.25",
				Runtime: &model.GoRuntime{GOGC: 100, GCCPUFraction: -1, DB: tc.db}}}))
			if tc.hpaMax > 0 {
				w.HPA = &model.HPA{Name: "api", MinReplicas: 2, MaxReplicas: tc.hpaMax}
			}
			got := AdviseWorkload(w, Options{DBMaxConnections: tc.dbMax})
			a := find(got, tc.kind)
			if tc.code == "" && tc.reason == "" {
				if a != nil {
					t.Fatalf("unexpected: %s", a.Reason)
				}
				return
			}
			if a == nil {
				t.Fatalf("no %s; got %v", tc.kind, kinds(got))
			}
			if tc.reason != "" && (a.Code != "" || !strings.Contains(a.Reason, tc.reason)) {
				t.Errorf("%q code %q, want no code and %q", a.Reason, a.Code, tc.reason)
			}
			if a.Severity != tc.sev || !strings.Contains(a.Code, tc.code) || a.Patchable() {
				t.Errorf("%s %q code %q, want %s with %q", a.Severity, a.Reason, a.Code, tc.sev, tc.code)
			}
			if !strings.HasSuffix(a.ID, "/main") {
				t.Errorf("ID %q does not name the pool", a.ID)
			}
		})
	}
}
