package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Pool advice becomes a patch of the env var the pod reads the setting
// from, and only when the running pool shows the program reads it.
func TestDBPoolEnvPatches(t *testing.T) {
	starved := watchedFor(model.DBStats{Name: "main", MaxOpen: 2, Open: 2, InUse: 2, WaitCount: 500, WaitDuration: 40 * time.Second,
		MaxIdleClosed: 40, MaxIdleTimeClosed: 0, MaxLifetimeClosed: 0}, 10*time.Minute, model.DBCounters{})
	// Connections that are not churned for want of idle room live long
	// enough for zero lifetime closes to say something.
	calm := starved
	calm.MaxIdleClosed = 0
	cases := []struct {
		name   string
		env    []model.EnvVar
		pools  []model.DBStats
		kind   Kind
		change string // "" = not patchable
		note   string
	}{
		{"MaxOpen from env", []model.EnvVar{{Name: "DB_MAX_OPEN_CONNS", Value: "2"}}, []model.DBStats{starved},
			KindDBPoolWait, "app: env[DB_MAX_OPEN_CONNS]=7", "the patch sets DB_MAX_OPEN_CONNS=7"},
		{"env the program ignores", []model.EnvVar{{Name: "DB_MAX_OPEN_CONNS", Value: "25"}}, []model.DBStats{starved},
			KindDBPoolWait, "", `env DB_MAX_OPEN_CONNS="25" but the pool runs MaxOpen 2`},
		{"env from a secret is not ours to set", []model.EnvVar{{Name: "DB_MAX_OPEN_CONNS", From: &model.EnvSource{Kind: model.EnvSecretKey, Name: "db", Key: "pool"}}}, []model.DBStats{starved},
			KindDBPoolWait, "", "pool settings live in code"},
		{"unlimited from env 0", []model.EnvVar{{Name: "PG_MAX_OPEN_CONNECTIONS", Value: "0"}},
			[]model.DBStats{{Name: "main", MaxOpen: 0, Open: 3, InUse: 3, MaxLifetimeClosed: 1}},
			KindDBPoolUnlimited, "app: env[PG_MAX_OPEN_CONNECTIONS]=6", ""},
		// MaxOpen 2 -> 7, and MaxIdle with it.
		{"idle churn", []model.EnvVar{{Name: "DB_MAX_IDLE_CONNS", Value: "1"}}, []model.DBStats{starved},
			KindDBPoolIdle, "app: env[DB_MAX_IDLE_CONNS]=7", ""},
		{"lifetime as a Go duration", []model.EnvVar{{Name: "DB_CONN_MAX_LIFETIME", Value: "0"}}, []model.DBStats{calm},
			KindDBPoolLifetime, "app: env[DB_CONN_MAX_LIFETIME]=30m", ""},
		{"lifetime in seconds", []model.EnvVar{{Name: "DB_CONN_MAX_LIFETIME", Value: "-1"}}, []model.DBStats{calm},
			KindDBPoolLifetime, "app: env[DB_CONN_MAX_LIFETIME]=1800", ""},
		{"two pools: the env var naming the pool", []model.EnvVar{{Name: "ORDERS_MAX_OPEN_CONNS", Value: "10"}, {Name: "USERS_MAX_OPEN_CONNS", Value: "2"}},
			[]model.DBStats{func() model.DBStats { d := starved; d.Name = "users"; return d }()},
			KindDBPoolWait, "app: env[USERS_MAX_OPEN_CONNS]=7", ""},
		{"two env vars, no pool name in them", []model.EnvVar{{Name: "A_MAX_OPEN_CONNS", Value: "2"}, {Name: "B_MAX_OPEN_CONNS", Value: "2"}},
			[]model.DBStats{starved}, KindDBPoolWait, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := poolContainer(tc.pools...)
			c.Env = tc.env
			a := find(AdviseWorkload(deployment(c), Options{Now: t0}), tc.kind)
			if a == nil {
				t.Fatalf("no %s advice", tc.kind)
			}
			var got string
			if a.Patchable() {
				got = a.Changes[0].String()
			}
			if got != tc.change {
				t.Errorf("change %q, want %q (%s)", got, tc.change, a.Reason)
			}
			if tc.note != "" && !strings.Contains(strings.Join(a.Notes, "\n"), tc.note) {
				t.Errorf("notes %q lack %q", a.Notes, tc.note)
			}
		})
	}
	// A finite lifetime in env: nothing to say about lifetimes.
	c := withProbes(model.Container{Env: []model.EnvVar{{Name: "DB_CONN_MAX_LIFETIME", Value: "15m"}},
		Go: model.GoInfo{Detection: model.GoConfirmed, Runtime: &model.GoRuntime{GOGC: 100, GCCPUFraction: -1, DB: []model.DBStats{starved}}}})
	if a := find(AdviseWorkload(deployment(c), Options{}), KindDBPoolLifetime); a != nil {
		t.Errorf("lifetime advice with DB_CONN_MAX_LIFETIME=15m: %s", a.Reason)
	}
}

// Series a page lacked are -1: no pool advice rests on them.
func TestDBPoolAbsentSeries(t *testing.T) {
	unknown := model.DBStats{Name: "main", MaxOpen: -1, Open: 3, InUse: -1, Idle: -1, WaitCount: -1, WaitDuration: -1,
		MaxIdleClosed: -1, MaxIdleTimeClosed: -1, MaxLifetimeClosed: -1}
	c := withProbes(model.Container{Go: model.GoInfo{Detection: model.GoConfirmed, Runtime: &model.GoRuntime{GOGC: 100, GCCPUFraction: -1,
		DB: []model.DBStats{unknown}}}})
	for _, a := range AdviseWorkload(deployment(c), Options{DBMaxConnections: 10}) {
		if strings.HasPrefix(string(a.Kind), "db-pool") {
			t.Errorf("advice on absent series: %s", a.Reason)
		}
	}
}
