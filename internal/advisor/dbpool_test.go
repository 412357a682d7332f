package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// watchedFor gives a pool counters kgotop first read span before t0: what
// they grew since is the window's.
func watchedFor(db model.DBStats, span time.Duration, first model.DBCounters) model.DBStats {
	first.At = t0.Add(-span)
	db.First = &first
	return db
}

// poolContainer is a Go container whose page, read at t0 from pod-a, holds pools.
func poolContainer(pools ...model.DBStats) model.Container {
	return withProbes(model.Container{Go: model.GoInfo{Detection: model.GoConfirmed, Version: "1.26.2",
		Runtime: &model.GoRuntime{Pod: "pod-a", Scraped: t0, GOGC: 100, GCCPUFraction: -1, DB: pools}}})
}

func TestDBPoolRules(t *testing.T) {
	pool := func(f func(*model.DBStats)) model.DBStats {
		db := model.DBStats{Name: "main", MaxOpen: 10, Open: 4, InUse: 2, Idle: 2, MaxLifetimeClosed: 5}
		f(&db)
		return db
	}
	starved := func(d *model.DBStats) { d.InUse, d.Open, d.WaitCount, d.WaitDuration = 10, 10, 500, 40*time.Second }
	tenMinutes := func(db model.DBStats) model.DBStats {
		return watchedFor(db, 10*time.Minute, model.DBCounters{MaxLifetimeClosed: 5})
	}
	cases := []struct {
		name     string
		db       model.DBStats
		started  time.Duration // the process's age at t0, for a single read (0 = unknown)
		desired  int32
		dbMax    int64
		hpaMax   int32
		kind     Kind
		sev      Severity
		code     string // "" = no advice of kind, unless reason is set
		reason   string // with no code: the advice says this instead
		noCodeOK bool
	}{
		{name: "starved pool", db: tenMinutes(pool(starved)), kind: KindDBPoolWait, sev: Warning, code: "db.SetMaxOpenConns(20)",
			reason: "50 times a minute over the 10m kgotop watched"},
		{name: "starved pool under a full database", db: tenMinutes(pool(starved)), dbMax: 20, kind: KindDBPoolWait, sev: Warning, reason: "no room for more connections"},
		{name: "starved pool over the database's limit: the total rule speaks", db: tenMinutes(pool(starved)), dbMax: 15, kind: KindDBPoolWait},
		// 3 waits totalling 1ms in ten minutes: nobody is waiting.
		{name: "a few short waits", db: tenMinutes(pool(func(d *model.DBStats) { d.WaitCount, d.WaitDuration = 3, time.Millisecond })), kind: KindDBPoolWait},
		{name: "a burst long ago that the counters still hold", kind: KindDBPoolWait,
			db: watchedFor(pool(starved), 10*time.Minute, model.DBCounters{WaitCount: 500, WaitDuration: 40 * time.Second, MaxLifetimeClosed: 5})},
		{name: "one read of a process up three weeks", db: pool(starved), started: 21 * 24 * time.Hour, kind: KindDBPoolWait},
		{name: "one read of a young process", db: pool(starved), started: 10 * time.Minute, kind: KindDBPoolWait, sev: Warning,
			code: "db.SetMaxOpenConns(20)", reason: "since the process started 10m ago"},
		{name: "one read, process start unknown", db: pool(starved), kind: KindDBPoolWait},
		{name: "unlimited", db: pool(func(d *model.DBStats) { d.MaxOpen = 0 }), kind: KindDBPoolUnlimited, sev: Warning, code: "db.SetMaxOpenConns(5)"},
		{name: "unlimited over the database's budget", db: pool(func(d *model.DBStats) { d.MaxOpen, d.Open, d.InUse = 0, 80, 40 }), dbMax: 100,
			kind: KindDBPoolUnlimited, sev: Critical, code: "db.SetMaxOpenConns(45)"},
		{name: "unlimited over a budget below its use is capped at its use", db: pool(func(d *model.DBStats) { d.MaxOpen, d.Open, d.InUse = 0, 40, 30 }),
			dbMax: 100, hpaMax: 8, kind: KindDBPoolUnlimited, sev: Critical, code: "db.SetMaxOpenConns(30)"},
		{name: "total over the limit with the HPA max", db: pool(func(*model.DBStats) {}), dbMax: 50, hpaMax: 8,
			kind: KindDBPoolTotal, sev: Warning, code: "db.SetMaxOpenConns(5)"},
		// 4 replicas x 20 in use, HPA max 20, database limit 100: MaxOpen 4 would queue every caller.
		{name: "a live pool is never cut below its use", db: pool(func(d *model.DBStats) { d.MaxOpen, d.Open, d.InUse = 20, 20, 20 }),
			desired: 4, dbMax: 100, hpaMax: 20, kind: KindDBPoolTotal, sev: Warning, reason: "a connection pooler", noCodeOK: true},
		{name: "total within the limit", db: pool(func(*model.DBStats) {}), dbMax: 500, hpaMax: 8, kind: KindDBPoolTotal},
		{name: "idle churn", db: watchedFor(pool(func(d *model.DBStats) { d.MaxIdleClosed, d.InUse = 5000, 6 }), 10*time.Minute, model.DBCounters{MaxLifetimeClosed: 5}),
			kind: KindDBPoolIdle, sev: Info, code: "db.SetMaxIdleConns(6)"},
		{name: "idle churn long ago", db: watchedFor(pool(func(d *model.DBStats) { d.MaxIdleClosed, d.InUse = 5000, 6 }), 10*time.Minute,
			model.DBCounters{MaxIdleClosed: 4995, MaxLifetimeClosed: 5}), kind: KindDBPoolIdle},
		// MaxOpen 5 -> 10: MaxIdle follows it to 10, not 5, or the churn goes on.
		{name: "MaxIdle follows the raised MaxOpen", kind: KindDBPoolIdle, sev: Info, code: "db.SetMaxIdleConns(10)",
			db: watchedFor(pool(func(d *model.DBStats) {
				d.MaxOpen, d.Open, d.InUse, d.WaitCount, d.WaitDuration, d.MaxIdleClosed = 5, 5, 5, 2400, 6*time.Minute, 200
			}), 10*time.Minute, model.DBCounters{MaxLifetimeClosed: 5})},
		{name: "no lifetime", db: pool(func(d *model.DBStats) { d.MaxLifetimeClosed = 0 }), kind: KindDBPoolLifetime, sev: Info, code: "never cut"},
		{name: "healthy pool", db: tenMinutes(pool(func(*model.DBStats) {})), kind: KindDBPoolWait},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := poolContainer(tc.db)
			if tc.started > 0 {
				c.Instances = []model.ContainerInstance{{Pod: "pod-a", StartedAt: t0.Add(-tc.started)}}
			}
			w := deployment(c)
			if tc.desired > 0 {
				w.Desired = tc.desired
			}
			if tc.hpaMax > 0 {
				w.HPA = &model.HPA{Name: "api", MinReplicas: 2, MaxReplicas: tc.hpaMax}
			}
			got := AdviseWorkload(w, Options{Now: t0, DBMaxConnections: tc.dbMax})
			checkInvariants(t, w, got)
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
			if tc.code == "" && a.Code != "" {
				t.Errorf("%q code %q, want none", a.Reason, a.Code)
			}
			if a.Severity != tc.sev || !strings.Contains(a.Code, tc.code) || !strings.Contains(a.Reason, tc.reason) || a.Patchable() {
				t.Errorf("%s %q code %q, want %s with %q and %q", a.Severity, a.Reason, a.Code, tc.sev, tc.reason, tc.code)
			}
			if !strings.HasSuffix(a.ID, "/main") {
				t.Errorf("ID %q does not name the pool", a.ID)
			}
		})
	}
}

// No pool advice suggests a MaxOpen below the connections in use now.
func TestDBPoolNeverCutBelowUse(t *testing.T) {
	for _, dbMax := range []int64{10, 50, 100, 1000} {
		for _, inUse := range []int64{1, 5, 20, 45} {
			db := watchedFor(model.DBStats{Name: "main", MaxOpen: 50, Open: inUse, InUse: inUse, WaitCount: 900, WaitDuration: time.Minute},
				10*time.Minute, model.DBCounters{})
			w := deployment(poolContainer(db))
			w.HPA = &model.HPA{Name: "api", MinReplicas: 2, MaxReplicas: 10}
			for _, a := range AdviseWorkload(w, Options{Now: t0, DBMaxConnections: dbMax}) {
				if strings.HasPrefix(string(a.Kind), "db-pool") && a.Kind != KindDBPoolIdle && a.Suggested.Amount > 0 && a.Suggested.Amount < inUse {
					t.Errorf("limit %d, %d in use: %s suggests %d: %s", dbMax, inUse, a.Kind, a.Suggested.Amount, a.Reason)
				}
			}
		}
	}
}
