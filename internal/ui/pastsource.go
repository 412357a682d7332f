package ui

import (
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// pastSegments say in the header where the history comes from: how far
// back and from which store, loading, or stale since the store stopped
// answering, as the API server's segment does.
func pastSegments(p model.PastStatus, now time.Time) []segment {
	switch {
	case p.State == model.PastLoading:
		return []segment{{text: "history loading", lvl: model.Idle, prio: 4}}
	case p.State == model.PastLoaded && !p.Live:
		return []segment{{text: "history stale " + model.FormatAge(now.Sub(p.StaleSince)), lvl: model.Over, prio: 8}}
	case p.State == model.PastLoaded:
		return []segment{{text: "history " + model.FormatAge(p.Range), prio: 6}, {text: p.Source, lvl: model.Idle, prio: 3, glue: true}}
	case p.State == model.PastUnavailable:
		return []segment{{text: "history unavailable", lvl: model.Near, prio: 4}}
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
	case p.State == model.PastUnavailable, p.State == model.PastOff && p.Reason != "":
		return segment{text: "history: " + p.Reason, lvl: model.Near}, true
	case p.State == model.PastLoaded && !p.Live:
		msg := p.Source + " unreachable since " + p.StaleSince.Format("15:04:05") + ": keeping the history read before"
		if p.Error != "" {
			msg += " (" + p.Error + ")"
		}
		return segment{text: msg, lvl: model.Over}, true
	case len(p.Warnings) > 0:
		return segment{text: "history partial: " + p.Warnings[0], lvl: model.Near}, true
	}
	return segment{}, false
}
