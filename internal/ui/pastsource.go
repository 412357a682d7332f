package ui

import (
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// pastSegments say in the header where the history comes from: how far
// back and from which store (on a narrow terminal only its kind, then only
// how far back), loading, or stale since the store stopped answering, as
// the API server's segment does. Loading and unavailable go first: the
// status line says them too.
func pastSegments(p model.PastStatus, now time.Time) []segment {
	switch {
	case p.State == model.PastLoading:
		return []segment{{text: "history loading", lvl: model.Idle, prio: prioPastNote}}
	case p.State == model.PastLoaded && !p.Live:
		return []segment{{text: "history stale " + model.FormatAge(now.Sub(p.StaleSince)), lvl: model.Over, prio: prioMetrics}}
	case p.State == model.PastLoaded:
		source := segment{text: p.Source, lvl: model.Idle, prio: prioPastSource, glue: true}
		if kind, _, ok := strings.Cut(p.Source, " "); ok {
			source.short, source.shortPrio = kind, prioPastAddress // "Prometheus"
		}
		return []segment{{text: "history " + model.FormatAge(p.Range), prio: prioPast}, source}
	case p.State == model.PastUnavailable:
		return []segment{{text: "history unavailable", lvl: model.Near, prio: prioPastNote}}
	}
	return nil
}

// pastStatus is the status line's word on the history: what is loading
// (the progress line), or why there is none, or since when the store is
// not answering; nothing while all is well.
func pastStatus(p model.PastStatus) (segment, bool) {
	switch {
	case p.State == model.PastLoading:
		return segment{text: "Loading history: " + p.Reason + "…", lvl: model.Idle}, true
	case p.State == model.PastUnavailable, p.State == model.PastOff && p.Reason != "" && !p.NoStore:
		return segment{text: "history: " + p.Reason, lvl: model.Near}, true
	case p.State == model.PastLoaded && !p.Live:
		msg := p.Source + " unreachable since " + p.StaleSince.Format("15:04:05") + ": keeping the history read before"
		if p.Error != "" { // it names the store too: once is enough
			msg += " (" + strings.TrimPrefix(strings.TrimPrefix(p.Error, p.Source), " ") + ")"
		}
		return segment{text: msg, lvl: model.Over}, true
	case len(p.Warnings) > 0:
		return segment{text: "history partial: " + p.Warnings[0], lvl: model.Near}, true
	}
	return segment{}, false
}

// pastNote is the status line's word, after the table's, when kgotop
// looked for a store of metrics and there was none: a fact of the cluster,
// not a problem of the moment, so it does not take the line from the
// workload count. The report gives the names looked for.
func pastNote(p model.PastStatus) string {
	if p.State != model.PastOff || !p.NoStore {
		return ""
	}
	return "live history only: no Prometheus found (--prometheus URL gives one)"
}
