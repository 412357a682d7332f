package advisor

import (
	"fmt"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// poolWindow is what a pool's counters did over the time kgotop can judge
// them: from its first read of the process to the last, or, with a single
// read, since the process started (the counters count from there). Counts
// the page lacked are -1.
type poolWindow struct {
	span             time.Duration
	waits            int64
	waited           time.Duration
	idleClosed       int64
	watched, known   bool
	processStartedAt time.Time
	// store names the store of metrics whose rates the window holds, ""
	// when kgotop read the pages itself.
	store string
}

// windowOf returns the pool's window, known false when neither a first read
// nor the process's start time is known.
func windowOf(x wctx, rt *model.GoRuntime, db model.DBStats) poolWindow {
	delta := func(now, first int64) int64 {
		if now < 0 || first < 0 {
			return -1
		}
		return now - first
	}
	if f := db.First; f != nil && rt.Scraped.After(f.At) {
		return poolWindow{span: rt.Scraped.Sub(f.At), watched: true, known: true, store: rt.Store,
			waits: delta(db.WaitCount, f.WaitCount), waited: time.Duration(delta(int64(db.WaitDuration), int64(f.WaitDuration))),
			idleClosed: delta(db.MaxIdleClosed, f.MaxIdleClosed)}
	}
	for _, in := range x.c.Instances {
		if in.Pod == rt.Pod && !in.StartedAt.IsZero() && rt.Scraped.After(in.StartedAt) {
			return poolWindow{span: rt.Scraped.Sub(in.StartedAt), known: true, processStartedAt: in.StartedAt,
				waits: db.WaitCount, waited: db.WaitDuration, idleClosed: db.MaxIdleClosed}
		}
	}
	return poolWindow{}
}

// perMinute returns n over the window, per minute.
func (w poolWindow) perMinute(n int64) float64 { return float64(n) / w.span.Minutes() }

// blocked returns how many callers waited for a connection at any moment,
// on average (Little's law: time waited over time watched).
func (w poolWindow) blocked() float64 { return w.waited.Seconds() / w.span.Seconds() }

// String says which window the rates are over: "over the 45s kgotop
// watched", "over the last 10m Prometheus (monitoring/prometheus-operated)
// scraped" or "since the process started 7h ago".
func (w poolWindow) String() string {
	if w.store != "" {
		return "over the last " + formatDuration(w.span) + " " + w.store + " scraped"
	}
	if w.watched {
		return "over the " + formatDuration(w.span) + " kgotop watched"
	}
	return "since the process started " + formatDuration(w.span) + " ago"
}

// waitsMatter reports whether callers waited enough in the window to size
// the pool for: on average at least one caller in a thousand moments (3.6 s
// of waiting an hour). A few short waits, or a burst long ago that the
// counters still hold, do not.
func (w poolWindow) waitsMatter() bool {
	return w.known && w.waits > 0 && w.waited >= 0 && w.blocked() >= 0.001
}

// churns reports whether the pool closed connections for want of idle room
// at least once a minute (ten at the least) in the window.
func (w poolWindow) churns() bool {
	return w.known && w.idleClosed >= idleChurn && w.perMinute(w.idleClosed) >= 1
}

// waitEvidence are the window's waits in numbers.
func (w poolWindow) waitEvidence() []Evidence {
	return []Evidence{
		num("waits", fmt.Sprintf("%d in %s (%.0f/min)", w.waits, formatDuration(w.span), w.perMinute(w.waits)), float64(w.waits), Count),
		num("waited", fmt.Sprintf("%s in %s", w.waited.Round(time.Millisecond), formatDuration(w.span)), w.waited.Seconds(), Seconds),
		num("callers waiting on average", fmt.Sprintf("%.2f", w.blocked()), w.blocked(), Count),
	}
}

// confidence says how sure rates from this window are.
func (w poolWindow) confidence() Confidence {
	switch {
	case w.watched && w.span >= 5*time.Minute:
		return Confidence{Level: High, Score: 1}
	case w.watched:
		return Confidence{Level: Medium, Score: 0.5, Note: "rates over " + formatDuration(w.span) + " of watching"}
	}
	return Confidence{Level: Medium, Score: 0.5, Note: "one read: rates since the process started; two reads give the rate while kgotop watched"}
}
