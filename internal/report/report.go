// Package report renders what kgotop observed, and the advice on it, for
// scripts, CI and tickets: plain text (coloured only when the writer says
// so), JSON with a stable documented shape, and Markdown. It never talks to
// the API server.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// Format is an output format of the report.
type Format string

// The report formats.
const (
	Text     Format = "text"
	JSON     Format = "json"
	Markdown Format = "markdown"
)

// ParseFormat accepts text, json, markdown (and md).
func ParseFormat(s string) (Format, error) {
	switch s {
	case "", "text":
		return Text, nil
	case "json":
		return JSON, nil
	case "markdown", "md":
		return Markdown, nil
	}
	return "", fmt.Errorf("unknown output format %q (want text, json or markdown)", s)
}

// Options shape a report.
type Options struct {
	Format Format
	// Width is the width text output must fit; 0 means 120.
	Width int
	// UnknownGo are the containers whose Go version is unknown under a CPU
	// limit with no sign of throttling (advisor.UnknownGoVersions): the
	// report says it once for all of them.
	UnknownGo []advisor.Target
}

// Write renders the snapshot in the chosen format. Text output carries ANSI
// styles; pass a colorprofile writer to strip or downsample them for the
// terminal (or the file) at hand.
func Write(w io.Writer, s model.Snapshot, advice []advisor.Advice, opts Options) error {
	if opts.Width <= 0 {
		opts.Width = 120
	}
	switch opts.Format {
	case JSON:
		return writeJSON(w, s, advice, opts.UnknownGo)
	case Markdown:
		return writeMarkdown(w, s, advice, opts.UnknownGo)
	}
	return writeText(w, s, advice, opts)
}

// unknownGoLine says once that the Go version of these containers is
// unknown, which matters under a CPU limit, and how kgotop would learn it;
// "" when there are none.
func unknownGoLine(ts []advisor.Target, namespaced bool) string {
	if len(ts) == 0 {
		return ""
	}
	names := make([]string, 0, len(ts))
	for _, t := range ts {
		n := t.Kind.Short() + "/" + t.Name
		if namespaced {
			n = t.Namespace + "/" + n
		}
		if t.Container != t.Name {
			n += " " + t.Container
		}
		names = append(names, n)
	}
	return fmt.Sprintf("GOMAXPROCS: the Go version of %s under a CPU limit is unknown (%s): before Go 1.25 the runtime ignores the limit and can be throttled in bursts, "+
		"though their usage stays below the limit and kgotop read no CFS throttling for them. kgotop learns the version from go_info (the pods' own /metrics through pods/proxy, or a store of metrics that scrapes them) or a versioned image tag; "+
		"on Go 1.24 or older set GOMAXPROCS to the limit's cores rounded up, at least 2",
		plural(len(ts), "container"), strings.Join(names, ", "))
}

// summary is the closing line: what was seen and how much advice it drew,
// by severity (pieces of advice, not workloads: the table's SEVERITY is
// each workload's worst).
func summary(s model.Snapshot, advice []advisor.Advice) string {
	nw, nc := s.Counts()
	crit, warn, info := severityCounts(advice)
	return fmt.Sprintf("%s, %s; advice: %d critical, %d warning, %d info.", plural(nw, "workload"), plural(nc, "container"), crit, warn, info)
}

// metricsSpan describes how much metrics history the snapshot rests on.
func metricsSpan(s model.Snapshot) string {
	m := s.Sources.Metrics
	if m.State != model.MetricsAvailable {
		return "no metrics"
	}
	var span, live time.Duration
	for _, w := range s.Workloads {
		for _, c := range w.Containers {
			if c.Usage != nil {
				span, live = max(span, c.Usage.Span()), max(live, c.Usage.Live())
			}
		}
	}
	// After a past, the live part the advice names ("then 2m15s live")
	// may hold windows saved by earlier runs: say how many are this run's.
	then := plural(m.Windows, "metrics window")
	if live > 0 {
		then = fmt.Sprintf("%s live (%s this run)", model.FormatAge(live), plural(m.Windows, "metrics window"))
	}
	if p := s.Sources.Past; p.State == model.PastLoaded {
		return fmt.Sprintf("%s of history from %s, then %s", model.FormatAge(p.Range), p.Source, then)
	}
	if source, saved := savedPast(s); saved > 0 {
		// Read from a store by an earlier run and saved since: not this
		// run's metrics.
		return fmt.Sprintf("%s saved from %s, then %s", model.FormatAge(saved), source, then)
	}
	if span == 0 {
		return plural(m.Windows, "metrics window")
	}
	return fmt.Sprintf("%s of metrics (%s)", model.FormatAge(span), plural(m.Windows, "window"))
}

// savedPast returns the longest past a container's saved history holds
// from a store of metrics, and the store, when this run read none itself.
func savedPast(s model.Snapshot) (string, time.Duration) {
	var source string
	var span time.Duration
	for _, w := range s.Workloads {
		for _, c := range w.Containers {
			if h := c.Usage; h != nil && h.Past != nil && h.Past.Watched > span {
				source, span = h.Past.Source, h.Past.Watched
			}
		}
	}
	return source, span
}

// pastLines says what went wrong with the history store, one line each.
func pastLines(p model.PastStatus, taken time.Time) []string {
	var out []string
	switch {
	case p.State == model.PastUnavailable:
		out = append(out, "History unavailable: "+p.Reason+". Advice rests on live samples.")
	case p.State == model.PastOff && p.Reason != "":
		out = append(out, "No history from Prometheus: "+p.Reason+".")
	case p.State == model.PastLoading:
		out = append(out, "History still loading: "+p.Reason+".")
	case p.State == model.PastLoaded && !p.Live:
		out = append(out, fmt.Sprintf("%s unreachable since %s (%s ago): the history read before is kept. %s",
			p.Source, p.StaleSince.UTC().Format(time.TimeOnly), model.FormatAge(taken.Sub(p.StaleSince)), p.Error))
	}
	if len(p.Warnings) > 0 {
		out = append(out, fmt.Sprintf("History is partial: %s said %s.", p.Source, strings.Join(p.Warnings, "; ")))
	}
	return out
}

// statusLines says what is missing or stale, one line each.
func statusLines(s model.Snapshot) []string {
	var out []string
	if api := s.Sources.API; !api.Live {
		out = append(out, fmt.Sprintf("API server unreachable since %s (%s ago): showing the last state. %s",
			api.StaleSince.UTC().Format(time.TimeOnly), model.FormatAge(s.Taken.Sub(api.StaleSince)), api.Error))
	}
	if m := s.Sources.Metrics; m.State == model.MetricsUnavailable {
		out = append(out, "Metrics unavailable: "+m.Reason)
	}
	for _, u := range s.Sources.Unavailable {
		out = append(out, fmt.Sprintf("Not shown: %s is forbidden (%s). Grant %s on %s to see it.", u.Resource, u.Message, u.Verb, u.String()[len(u.Verb)+1:]))
	}
	if !s.Sources.Synced {
		out = append(out, "Some resources were not listed yet: the picture may be incomplete.")
	}
	return append(out, pastLines(s.Sources.Past, s.Taken)...)
}

// scope names the namespace (or all) and selector.
func scope(s model.Snapshot) string {
	ns := "namespace " + s.Namespace
	if s.Namespace == "" {
		ns = "all namespaces"
	}
	if s.Selector != "" {
		ns += " · selector " + s.Selector
	}
	if s.Context != "" {
		ns = "context " + s.Context + " · " + ns
	}
	return ns
}
