package advisor

import (
	"fmt"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Pool sizing bounds, from the usual starting ranges for database/sql:
// SetMaxOpenConns 5-50, SetMaxIdleConns 2-10.
const (
	minOpen, maxOpen = 5, 50
	minIdle, maxIdle = 2, 10
	// idleChurn is the count of connections closed for want of idle room
	// above which the idle pool is too small.
	idleChurn = 10
	// slowWait is the mean wait for a connection that makes waits a problem.
	slowWait = 5 * time.Millisecond
)

// adviseDBPools checks each database/sql pool the container's metrics show
// (go_sql_*): callers waiting, no MaxOpen, idle connections churned, no
// lifetime, and the total across all replicas (up to the HPA's maximum)
// against the database's limit. Pools are set in code, so the advice is the
// Go to change; where the pod takes the setting from an env var
// (DB_MAX_OPEN_CONNS, ...) it is also a patch of that env var.
// Series the page lacked are -1 and make no advice.
func adviseDBPools(x wctx) []Advice {
	rt := x.runtime()
	if rt == nil || !x.isGo() {
		return nil
	}
	replicas := int64(max(x.w.Desired, 1))
	if x.w.HPA != nil {
		replicas = max(replicas, int64(x.w.HPA.MaxReplicas))
	}
	var budget int64 // per replica, keeping 10% of the database for admin and migrations
	if x.opts.DBMaxConnections > 0 {
		budget = max(1, x.opts.DBMaxConnections*9/10/replicas)
	}
	var out []Advice
	for _, db := range rt.DB {
		for _, a := range []*Advice{poolTotal(x, db, replicas, budget), poolUnlimited(x, db, budget), poolWaits(x, db, replicas, budget),
			poolIdle(x, db), poolLifetime(x, db)} {
			if a != nil {
				a.ID += "/" + db.Name
				a.CodeLang = "go"
				a.Evidence = append(a.Evidence, ev("pool", db.Name),
					num("open", fmt.Sprint(db.Open), float64(db.Open), Count), num("in use", fmt.Sprint(db.InUse), float64(db.InUse), Count))
				if n := a.Suggested.Amount; budget == 0 && n > 0 && (a.Kind == KindDBPoolWait || a.Kind == KindDBPoolUnlimited) {
					a.Notes = append(a.Notes, fmt.Sprintf("%s x %d = up to %d connections to the database: "+
						"run kgotop with --db-max-connections to check that against its limit", count(replicas, "replica"), n, replicas*n))
				}
				if envPatch(x, db, a); !a.Patchable() {
					a.Notes = append(a.Notes, "pool settings live in code: change them where the *sql.DB is opened")
				}
				out = append(out, *a)
			}
		}
	}
	return out
}

func maxOpenValue(n int64) Value {
	if n <= 0 {
		return Value{Display: "unlimited", Set: false, Unit: Count}
	}
	return countValue(n, fmt.Sprint(n))
}

func clamp(v, lo, hi int64) int64 { return min(max(v, lo), hi) }

// poolTotal flags a pool whose MaxOpen over all replicas passes the database's limit.
func poolTotal(x wctx, db model.DBStats, replicas, budget int64) *Advice {
	if budget == 0 || db.MaxOpen <= 0 || db.MaxOpen*replicas <= x.opts.DBMaxConnections {
		return nil
	}
	sev := Warning
	if db.MaxOpen*int64(max(x.w.Desired, 1)) > x.opts.DBMaxConnections {
		sev = Critical
	}
	a := x.advice(KindDBPoolTotal, sev, fmt.Sprintf(
		"pool %s: %d connections x %d replicas = %d, over the database's %d: set MaxOpen to %d",
		db.Name, db.MaxOpen, replicas, db.MaxOpen*replicas, x.opts.DBMaxConnections, budget))
	a.Current, a.Suggested = maxOpenValue(db.MaxOpen), countValue(budget, fmt.Sprint(budget))
	a.Evidence = []Evidence{num("replicas (incl. HPA max)", fmt.Sprint(replicas), float64(replicas), Count),
		num("database limit", fmt.Sprint(x.opts.DBMaxConnections), float64(x.opts.DBMaxConnections), Count)}
	a.Code = fmt.Sprintf("db.SetMaxOpenConns(%d) // %d replicas x %d stays under the database's %d", budget, replicas, budget, x.opts.DBMaxConnections)
	return &a
}

// poolUnlimited flags a pool with no MaxOpen (database/sql's default).
func poolUnlimited(x wctx, db model.DBStats, budget int64) *Advice {
	if db.MaxOpen != 0 {
		return nil
	}
	want := clamp(2*db.InUse, minOpen, maxOpen)
	if budget > 0 {
		want = min(want, budget)
	}
	sev := Warning
	if budget > 0 && db.Open > budget {
		sev = Critical
	}
	a := x.advice(KindDBPoolUnlimited, sev, fmt.Sprintf(
		"pool %s has no MaxOpen: under load it opens connections until the database refuses them; cap it at %d", db.Name, want))
	a.Current, a.Suggested = maxOpenValue(0), countValue(want, fmt.Sprint(want))
	a.Code = fmt.Sprintf("db.SetMaxOpenConns(%d)", want)
	return &a
}

// poolWaits raises MaxOpen when callers wait for a connection.
func poolWaits(x wctx, db model.DBStats, replicas, budget int64) *Advice {
	if db.MaxOpen <= 0 || db.WaitCount <= 0 {
		return nil
	}
	if budget > 0 && db.MaxOpen*replicas > x.opts.DBMaxConnections {
		return nil // poolTotal lowers MaxOpen: the database is the bottleneck, not the pool
	}
	mean := max(db.WaitDuration, 0) / time.Duration(db.WaitCount)
	saturated := db.InUse >= db.MaxOpen*8/10
	sev := Info
	if saturated || mean >= slowWait {
		sev = Warning
	}
	want := min(max(2*db.MaxOpen, db.MaxOpen+5), maxOpen)
	if budget > 0 {
		want = min(want, budget)
	}
	reason := fmt.Sprintf("pool %s: callers waited %s for a connection (mean %s) with MaxOpen %d: raise it to %d",
		db.Name, times(db.WaitCount), mean.Round(time.Microsecond), db.MaxOpen, want)
	if want <= db.MaxOpen {
		reason = fmt.Sprintf("pool %s: callers waited %s (mean %s) but the database has no room for more connections: make queries shorter, or put a pooler in front",
			db.Name, times(db.WaitCount), mean.Round(time.Microsecond))
	}
	a := x.advice(KindDBPoolWait, sev, reason)
	a.Evidence = []Evidence{num("waits", fmt.Sprint(db.WaitCount), float64(db.WaitCount), Count),
		num("waited", db.WaitDuration.Round(time.Millisecond).String(), db.WaitDuration.Seconds(), Seconds)}
	a.Current = maxOpenValue(db.MaxOpen)
	if want <= db.MaxOpen {
		a.Suggested = textValue("shorter queries, or a pooler")
		return &a
	}
	a.Suggested = countValue(want, fmt.Sprint(want))
	a.Code = fmt.Sprintf("db.SetMaxOpenConns(%d)", want)
	return &a
}

// poolIdle raises MaxIdle when connections are closed for want of idle room
// only to be opened again.
func poolIdle(x wctx, db model.DBStats) *Advice {
	if db.MaxIdleClosed < idleChurn {
		return nil
	}
	want := clamp(db.InUse, minIdle, maxIdle)
	if db.MaxOpen > 0 {
		want = min(want, db.MaxOpen)
	}
	a := x.advice(KindDBPoolIdle, Info, fmt.Sprintf(
		"pool %s closed %d connections because the idle pool was full (default MaxIdle is 2), then opened new ones: keep about %d idle",
		db.Name, db.MaxIdleClosed, want))
	a.Current, a.Suggested = textValue("MaxIdle (2 unless set)"), countValue(want, fmt.Sprint(want))
	a.Evidence = []Evidence{num("closed for MaxIdle", fmt.Sprint(db.MaxIdleClosed), float64(db.MaxIdleClosed), Count)}
	a.Code = fmt.Sprintf("db.SetMaxIdleConns(%d)", want)
	return &a
}

// poolLifetime suggests a finite ConnMaxLifetime when no connection was ever
// closed for its age or idle time (and the env sets no lifetime), so that
// connections follow database failovers and load balancer changes.
func poolLifetime(x wctx, db model.DBStats) *Advice {
	if db.Open <= 0 || db.MaxLifetimeClosed != 0 || db.MaxIdleTimeClosed != 0 || envLifetime(x.c, db) > 0 {
		return nil
	}
	a := x.advice(KindDBPoolLifetime, Info, fmt.Sprintf(
		"pool %s has never closed a connection for its age: ConnMaxLifetime looks unlimited, so connections outlive database failovers and DNS changes; use minutes to hours", db.Name))
	a.Current, a.Suggested = textValue("unlimited (no closes seen)"), Value{Display: "30m", Set: true, Amount: 1800, Unit: Seconds}
	a.Confidence = Confidence{Level: Low, Score: 0.3, Note: "inferred from zero lifetime closes, which a young process also shows"}
	a.Code = "db.SetConnMaxLifetime(30 * time.Minute) // longer than your longest query"
	return &a
}
