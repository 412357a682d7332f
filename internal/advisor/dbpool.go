package advisor

import (
	"fmt"
	"slices"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Pool sizing bounds, from the usual starting ranges for database/sql:
// SetMaxOpenConns 5-50, SetMaxIdleConns 2-10.
const (
	minOpen, maxOpen = 5, 50
	minIdle, maxIdle = 2, 10
	// idleChurn is the least count of connections closed for want of idle
	// room in a window that makes the idle pool too small.
	idleChurn = 10
	// slowWait is the mean wait for a connection that makes waits a problem.
	slowWait = 5 * time.Millisecond
)

// poolFacts are what the pool rules share: the pool, its window, the
// replicas it runs in (up to the HPA's maximum) and each replica's share of
// the database's connections (0 when the limit is unknown).
type poolFacts struct {
	db       model.DBStats
	win      poolWindow
	replicas int64
	budget   int64
}

// adviseDBPools checks each database/sql pool the container's metrics show
// (go_sql_*): callers waiting, no MaxOpen, idle connections churned, no
// lifetime, and the total across all replicas (up to the HPA's maximum)
// against the database's limit. Counters are judged over the window kgotop
// watched. Pools are set in code, so the advice is the Go to change; where
// the pod takes the setting from an env var (DB_MAX_OPEN_CONNS, ...) it is
// also a patch of that env var. Series the page lacked are -1 and make no
// advice.
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
		p := poolFacts{db: db, win: windowOf(x, rt, db), replicas: replicas, budget: budget}
		open := []*Advice{poolTotal(x, p), poolUnlimited(x, p), poolWaits(x, p)}
		newOpen := int64(0) // the MaxOpen the advice sets, if it sets one
		for _, a := range open {
			if a != nil && a.Suggested.Amount > 0 {
				newOpen = a.Suggested.Amount
			}
		}
		idle := poolIdle(x, p, newOpen)
		var done []Advice
		for _, a := range append(open, idle, poolLifetime(x, p)) {
			if a != nil {
				done = append(done, finishPool(x, p, *a))
			}
		}
		if db.MaxOpen > 0 && newOpen > db.MaxOpen {
			withIdle(done, newOpen)
		}
		out = append(out, done...)
	}
	return fromStore(x, out)
}

// withIdle tells the advice that raises MaxOpen to newOpen to raise MaxIdle
// with it, unless its patch does: database/sql keeps 2 idle connections
// unless told and closes the rest when they are returned, so applying the
// larger pool alone churns more connections, not fewer.
func withIdle(pool []Advice, newOpen int64) {
	idle := slices.IndexFunc(pool, func(a Advice) bool { return a.Kind == KindDBPoolIdle })
	if idle >= 0 && pool[idle].Patchable() {
		return
	}
	for i, a := range pool {
		if a.Kind == KindDBPoolIdle || a.Suggested.Amount != newOpen {
			continue
		}
		note := fmt.Sprintf("raise MaxIdle with it: database/sql keeps 2 idle connections unless told and closes the rest when they are returned, "+
			"so a busier pool churns (db.SetMaxIdleConns(%d))", min(newOpen, maxIdle))
		if idle >= 0 && a.Patchable() {
			note = "raise MaxIdle in code with it (see the idle advice): the patch changes MaxOpen only, and a larger pool with MaxIdle at 2 closes and reopens more connections"
		}
		pool[i].Notes = append(pool[i].Notes, note)
	}
}

// finishPool adds what every piece of pool advice carries: the pool's name
// in its ID, its numbers, the database's total, and the env var or code
// that sets it.
func finishPool(x wctx, p poolFacts, a Advice) Advice {
	db := p.db
	a.ID += "/" + db.Name
	if a.Code != "" {
		a.CodeLang = "go"
	}
	a.Evidence = append(a.Evidence, ev("pool", db.Name),
		num("open", fmt.Sprint(db.Open), float64(db.Open), Count), num("in use", fmt.Sprint(db.InUse), float64(db.InUse), Count))
	if n := a.Suggested.Amount; p.budget == 0 && n > 0 && (a.Kind == KindDBPoolWait || a.Kind == KindDBPoolUnlimited) {
		a.Notes = append(a.Notes, fmt.Sprintf("%s x %d = up to %d connections to the database: "+
			"run kgotop with --db-max-connections to check that against its limit", count(p.replicas, "replica"), n, p.replicas*n))
	}
	if envPatch(x, db, &a); !a.Patchable() && a.Code != "" {
		a.Notes = append(a.Notes, "pool settings live in code: change them where the *sql.DB is opened")
	}
	return a
}

func maxOpenValue(n int64) Value {
	if n <= 0 {
		return Value{Display: "unlimited", Set: false, Unit: Count}
	}
	return countValue(n, fmt.Sprint(n))
}

func clamp(v, lo, hi int64) int64 { return min(max(v, lo), hi) }

// sharedNote says what a per-replica share of the database leaves out.
const sharedNote = "other clients share the database: kgotop counts only this workload's replicas (keeping 10% aside for admin and migrations); subtract what other services hold"

// poolTotal flags a pool whose MaxOpen over all replicas passes the
// database's limit. It lowers MaxOpen to the replica's share only when that
// still covers the connections in use now; a live pool is never cut below
// its use: a pooler, or fewer replicas, is the fix then.
func poolTotal(x wctx, p poolFacts) *Advice {
	db, limit := p.db, x.opts.DBMaxConnections
	if p.budget == 0 || db.MaxOpen <= 0 || db.MaxOpen*p.replicas <= limit {
		return nil
	}
	sev := Warning
	if db.MaxOpen*int64(max(x.w.Desired, 1)) > limit {
		sev = Critical
	}
	over := fmt.Sprintf("pool %s: %d connections x %d replicas = %d, over the database's %d",
		db.Name, db.MaxOpen, p.replicas, db.MaxOpen*p.replicas, limit)
	var a Advice
	if p.budget >= db.InUse {
		a = x.advice(KindDBPoolTotal, sev, fmt.Sprintf("%s: set MaxOpen to %d", over, p.budget))
		a.Suggested = countValue(p.budget, fmt.Sprint(p.budget))
		a.Code = fmt.Sprintf("db.SetMaxOpenConns(%d) // %d replicas x %d stays under the database's %d", p.budget, p.replicas, p.budget, limit)
	} else {
		fits := limit * 9 / 10 / max(db.MaxOpen, 1)
		lever := "fewer replicas"
		if x.w.HPA != nil {
			lever = fmt.Sprintf("an HPA maxReplicas of %d (now %d)", fits, x.w.HPA.MaxReplicas)
		}
		a = x.advice(KindDBPoolTotal, sev, fmt.Sprintf(
			"%s; each replica uses %d now, more than its share of %d, so a smaller pool would only queue callers: put a connection pooler (PgBouncer, RDS Proxy, ...) in front, or run %s",
			over, db.InUse, p.budget, lever))
		a.Suggested = textValue("a pooler, or " + lever)
	}
	a.Current = maxOpenValue(db.MaxOpen)
	a.Evidence = []Evidence{num("replicas (incl. HPA max)", fmt.Sprint(p.replicas), float64(p.replicas), Count),
		num("database limit", fmt.Sprint(limit), float64(limit), Count)}
	a.Notes = append(a.Notes, sharedNote)
	return &a
}

// poolUnlimited flags a pool with no MaxOpen (database/sql's default),
// capping it at twice its use within the usual range and the replica's
// share of the database, but never below its use.
func poolUnlimited(x wctx, p poolFacts) *Advice {
	db := p.db
	if db.MaxOpen != 0 {
		return nil
	}
	want := max(clamp(2*db.InUse, minOpen, maxOpen), db.InUse)
	if p.budget > 0 {
		want = min(want, max(p.budget, db.InUse))
	}
	sev := Warning
	if p.budget > 0 && db.Open > p.budget {
		sev = Critical
	}
	a := x.advice(KindDBPoolUnlimited, sev, fmt.Sprintf(
		"pool %s has no MaxOpen: under load it opens connections until the database refuses them; cap it at %d", db.Name, want))
	a.Current, a.Suggested = maxOpenValue(0), countValue(want, fmt.Sprint(want))
	a.Code = fmt.Sprintf("db.SetMaxOpenConns(%d)", want)
	if p.budget > 0 {
		a.Notes = append(a.Notes, sharedNote)
		if p.budget < db.InUse {
			a.Notes = append(a.Notes, fmt.Sprintf("the %d in use now pass this replica's share of the database (%d): a connection pooler, or fewer replicas, is needed too", db.InUse, p.budget))
		}
	}
	return &a
}

// poolWaits raises MaxOpen when callers wait for a connection now: the
// waits counted over the window, not since the process started.
func poolWaits(x wctx, p poolFacts) *Advice {
	db, w := p.db, p.win
	if db.MaxOpen <= 0 || !w.waitsMatter() {
		return nil
	}
	if p.budget > 0 && db.MaxOpen*p.replicas > x.opts.DBMaxConnections {
		return nil // poolTotal speaks: the database is the bottleneck, not the pool
	}
	mean := w.waited / time.Duration(w.waits)
	saturated := db.InUse >= db.MaxOpen*8/10
	sev := Info
	if saturated || mean >= slowWait {
		sev = Warning
	}
	want := min(max(2*db.MaxOpen, db.MaxOpen+5), maxOpen)
	if p.budget > 0 {
		want = min(want, p.budget)
	}
	waited := fmt.Sprintf("callers waited for a connection %.0f times a minute %s (mean %s, %.2f waiting on average)",
		w.perMinute(w.waits), w, mean.Round(time.Microsecond), w.blocked())
	reason := fmt.Sprintf("pool %s: %s with MaxOpen %d: raise it to %d", db.Name, waited, db.MaxOpen, want)
	if want <= db.MaxOpen {
		reason = fmt.Sprintf("pool %s: %s but the database has no room for more connections: make queries shorter, or put a pooler in front", db.Name, waited)
	}
	a := x.advice(KindDBPoolWait, sev, reason)
	a.Evidence = w.waitEvidence()
	a.Confidence = w.confidence()
	a.Current = maxOpenValue(db.MaxOpen)
	if want <= db.MaxOpen {
		a.Suggested = textValue("shorter queries, or a pooler")
		a.Notes = append(a.Notes, sharedNote)
		return &a
	}
	a.Suggested = countValue(want, fmt.Sprint(want))
	a.Code = fmt.Sprintf("db.SetMaxOpenConns(%d)", want)
	return &a
}

// poolIdle raises MaxIdle when connections are closed for want of idle room
// only to be opened again, in the window. A pool busy up to its MaxOpen (or
// raised by the other advice) keeps as many idle as it may open.
func poolIdle(x wctx, p poolFacts, newOpen int64) *Advice {
	db, w := p.db, p.win
	if !w.churns() {
		return nil
	}
	open := db.MaxOpen
	if newOpen > 0 {
		open = newOpen
	}
	want := clamp(db.InUse, minIdle, maxIdle)
	if open > 0 && (newOpen > db.MaxOpen || db.InUse >= db.MaxOpen*8/10) {
		want = open // busy to the top: every connection returned above MaxIdle is closed, then opened again
	}
	if open > 0 {
		want = min(want, open)
	}
	reason := fmt.Sprintf("pool %s closed %.0f connections a minute %s because the idle pool was full (default MaxIdle is 2), then opened new ones: keep about %d idle",
		db.Name, w.perMinute(w.idleClosed), w, want)
	if newOpen > db.MaxOpen && want == newOpen {
		reason += fmt.Sprintf(", as many as the raised MaxOpen of %d", newOpen)
	}
	a := x.advice(KindDBPoolIdle, Info, reason)
	a.Current, a.Suggested = textValue("MaxIdle (2 unless set)"), countValue(want, fmt.Sprint(want))
	a.Evidence = []Evidence{num("closed for MaxIdle", fmt.Sprintf("%d in %s", w.idleClosed, formatDuration(w.span)), float64(w.idleClosed), Count)}
	a.Confidence = w.confidence()
	a.Code = fmt.Sprintf("db.SetMaxIdleConns(%d)\ndb.SetConnMaxIdleTime(5 * time.Minute) // quiet hours still release them", want)
	return &a
}

// poolLifetime suggests a finite ConnMaxLifetime when no connection was
// ever closed for its age or idle time (and the env sets no lifetime), so
// that connections follow database failovers and load balancer changes.
// The lifetime applies when a connection is returned to the pool: one in
// use is never closed for its age, so no query is cut short.
func poolLifetime(x wctx, p poolFacts) *Advice {
	db := p.db
	if db.Open <= 0 || db.MaxLifetimeClosed != 0 || db.MaxIdleTimeClosed != 0 || envLifetime(x.c, db) > 0 {
		return nil
	}
	if p.win.churns() {
		// Connections closed for want of idle room live seconds: no lifetime
		// would have closed one, so zero closes say nothing of it.
		return nil
	}
	a := x.advice(KindDBPoolLifetime, Info, fmt.Sprintf(
		"pool %s has never closed a connection for its age: ConnMaxLifetime looks unlimited, so connections outlive database failovers and DNS changes; use minutes to hours", db.Name))
	a.Current, a.Suggested = textValue("unlimited (no closes seen)"), Value{Display: "30m", Set: true, Amount: 1800, Unit: Seconds}
	a.Confidence = Confidence{Level: Low, Score: 0.3, Note: "inferred from zero lifetime closes, which a young process also shows"}
	a.Code = "db.SetConnMaxLifetime(30 * time.Minute) // closed when returned past this age: a query in flight is never cut"
	return &a
}
