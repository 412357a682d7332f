package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/model"
)

const promSource = "Prometheus (monitoring/prometheus-operated)"

// withPast is the fixture after eight days were read from Prometheus for
// every container, ending where its watched history begins.
func withPast(s model.Snapshot) model.Snapshot {
	s.Sources.Past = model.PastStatus{State: model.PastLoaded, Source: promSource, Range: 8 * 24 * time.Hour,
		Loaded: t0.Add(-time.Minute), Containers: 4, Live: true}
	for i := range s.Workloads {
		for j := range s.Workloads[i].Containers {
			c := &s.Workloads[i].Containers[j]
			if c.Usage == nil {
				continue
			}
			end := c.Usage.First.Add(-time.Minute)
			past := model.PastUsage{Past: model.Past{Source: promSource, First: end.Add(-8 * 24 * time.Hour), Last: end,
				Watched: 8 * 24 * time.Hour, Samples: 8 * 720}, Windows: 8,
				CPU: model.NewCPUHistogram(24 * time.Hour), Memory: model.NewMemoryHistogram(24 * time.Hour)}
			past.CPU.AddBucket(past.CPU.BucketOf(0.1), 8*720, end.Add(-4*24*time.Hour))
			past.Memory.AddBucket(past.Memory.BucketOf(200<<20), 8, end.Add(-4*24*time.Hour))
			c.Usage.Backfill(past)
		}
	}
	return s
}

func headerLine(t *testing.T, s model.Snapshot, w, h int) string {
	t.Helper()
	m := start(t, deps(s, nil), w, h)
	return ansi.Strip(strings.SplitN(m.View().Content, "\n", 2)[0])
}

func TestTheHeaderNamesTheHistorysSource(t *testing.T) {
	s := withPast(fixture())
	for _, c := range []struct {
		width int
		want  string
	}{
		{200, "history 8d " + promSource},
		{120, "history 8d Prometheus "}, // its kind before the window and the help hint go
		{80, "history 8d "},             // how far back before the API server's "live"
	} {
		if got := headerLine(t, s, c.width, 30); !strings.Contains(got, c.want) {
			t.Errorf("at %d columns: %q, want %q", c.width, got, c.want)
		}
	}
}

// A store that stops answering is marked as the API server is: on the
// narrowest header too.
func TestAStoreThatStopsAnsweringIsMarkedInTheHeader(t *testing.T) {
	s := withPast(fixture())
	s.Sources.Past.Live, s.Sources.Past.StaleSince = false, t0.Add(-2*time.Minute)
	s.Sources.Past.Error = promSource + " cannot be reached: connection refused"
	for _, width := range []int{200, 80} {
		if got := headerLine(t, s, width, 30); !strings.Contains(got, "history stale 2m") {
			t.Errorf("at %d columns: %q", width, got)
		}
	}
	m := start(t, deps(s, nil), 200, 30)
	status := strings.Split(ansi.Strip(m.View().Content), "\n")[1]
	if want := " " + promSource + " unreachable since 06:08:12: keeping the history read before (cannot be reached: connection refused)"; strings.TrimRight(status, " ") != want {
		t.Errorf("status line for the outage:\n%q, want\n%q", status, want)
	}
}

// On a tall terminal, the advice panel says where each piece of advice's
// history came from, on its line or, when that is full, under it.
func TestThePanelSaysWhereTheHistoryCameFrom(t *testing.T) {
	s := withPast(fixture())
	for _, w := range s.Workloads {
		if w.Ref.Name == "orders" { // OOMKilled, sized from its history
			s.Workloads = []model.Workload{w}
		}
	}
	for _, c := range []struct {
		width int
		want  string
	}{
		{200, "confidence high: 8d from " + promSource + ", then 7m live\n"},
		{120, "history 8d from " + promSource + ", then 7m live\n"}, // under the advice's line
		{80, "confidence high: 8d from Prometheus"},                 // the compact panel: a line each
	} {
		width := c.width
		m := start(t, deps(s, nil), width, 60)
		v := ansi.Strip(m.View().Content)
		panel := v[strings.LastIndex(v, "────"):]
		if !strings.Contains(panel, c.want) {
			t.Errorf("at %d columns the panel does not say %q:\n%s", width, c.want, panel)
		}
		for _, l := range strings.Split(v, "\n") {
			if ansi.StringWidth(l) > width {
				t.Errorf("at %d columns a line is %d wide: %q", width, ansi.StringWidth(l), l)
			}
		}
	}
}

// No store in the cluster is how many clusters are: the status line keeps
// the workload count and adds that the history is live only; a store kgotop
// may not reach is a problem, said in place of it.
func TestNoStoreLeavesTheStatusLineItsCount(t *testing.T) {
	status := func(p model.PastStatus) string {
		s := fixture()
		s.Sources.Past = p
		m := start(t, deps(s, nil), 200, 30)
		return strings.TrimSpace(strings.Split(ansi.Strip(m.View().Content), "\n")[1])
	}
	none := model.PastStatus{State: model.PastOff, NoStore: true,
		Reason: "no Prometheus found (Services prometheus-operated, prometheus-k8s in monitoring): give one with --prometheus URL"}
	if got := status(none); !strings.HasPrefix(got, "7 workloads · sorted by") || !strings.Contains(got, "live history only: no Prometheus found") {
		t.Errorf("no store: %q", got)
	}
	forbidden := model.PastStatus{State: model.PastOff,
		Reason: "Prometheus (monitoring/prometheus-operated) found, but services/proxy is forbidden (grant get on services/proxy in monitoring, or give --prometheus URL)"}
	if got := status(forbidden); !strings.HasPrefix(got, "history: Prometheus (monitoring/prometheus-operated) found, but services/proxy is forbidden") {
		t.Errorf("forbidden: %q", got)
	}
}
