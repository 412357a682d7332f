package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/model"
)

// refreshWith answers the refresh in flight with a new snapshot.
func refreshWith(t *testing.T, m Model, s model.Snapshot) Model {
	t.Helper()
	d := m.deps
	d.Snapshot = func() model.Snapshot { return s }
	return send(t, m, fetchCmd(d.Snapshot, d.Advisor, d.Now, m.seq, m.rowCache)())
}

func TestLoadingBeforeTheFirstSnapshot(t *testing.T) {
	m := New(deps(fixture(), nil))
	m = send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if v := m.View().Content; !strings.Contains(v, "Loading") || !strings.Contains(v, "ctx prod-eu") {
		t.Fatalf("no loading state:\n%s", v)
	}
	// No column titles laid out for rows to come ("PROB…" that jump once
	// they come), and no key offered that has nothing to act on.
	if v, f := screen(m), footer(m); strings.Contains(v, "WORKLOAD") || f != " ? help • q quit" {
		t.Fatalf("while loading the screen shows titles or keys that do nothing:\n%s", v)
	}
	unsynced := fixture()
	unsynced.Sources.Synced = false
	unsynced.Workloads = nil
	m = send(t, m, m.Init()())
	m = refreshWith(t, m, unsynced)
	if v := m.View().Content; !strings.Contains(v, "Listing pods and workloads") {
		t.Fatalf("unsynced snapshot should say it is still listing:\n%s", v)
	}
}

func TestRefreshLoop(t *testing.T) {
	m := New(deps(fixture(), nil))
	next, cmd := m.Update(m.Init()())
	m = next.(Model)
	if cmd == nil || !m.loaded {
		t.Fatal("a snapshot reply should be taken and schedule the next tick")
	}
	// A tick for the current refresh starts the next one.
	next, cmd = m.Update(tickMsg{seq: m.seq})
	m = next.(Model)
	if m.seq != 2 || cmd == nil {
		t.Fatalf("tick: seq %d", m.seq)
	}
	if _, ok := cmd().(snapshotMsg); !ok {
		t.Fatal("a tick should fetch a snapshot")
	}
	// A stale tick (its refresh was superseded) does nothing.
	if _, cmd := m.Update(tickMsg{seq: 1}); cmd != nil {
		t.Fatal("a stale tick started a refresh")
	}
}

func TestStaleSnapshotDropped(t *testing.T) {
	m := start(t, deps(fixture(), nil), 120, 30)
	old := m.seq
	m = press(t, m, "r") // refresh now: the reply to old is stale from here on
	if m.seq != old+1 {
		t.Fatalf("r: seq %d, want %d", m.seq, old+1)
	}
	empty := fixture()
	empty.Workloads = nil
	next, cmd := m.Update(snapshotMsg{seq: old, snap: empty})
	m = next.(Model)
	if len(m.table.rows) != 7 || cmd != nil {
		t.Fatal("a stale snapshot reply replaced the table or scheduled a tick")
	}
	m = refreshWith(t, m, empty)
	if len(m.table.rows) != 0 {
		t.Fatal("the current reply was not taken")
	}
}

func TestDetailView(t *testing.T) {
	m := start(t, deps(fixture(), nil), 120, 40)
	m = press(t, m, "down", "enter") // orders
	if m.view != viewDetail {
		t.Fatal("enter should open the details")
	}
	v := ansi.Strip(m.View().Content)
	for _, want := range []string{"StatefulSet shop/orders", "container orders", "Go 1.24.3 (go_info)", "GOGC 100", "goroutines 530",
		"OOMKilled (exit 137", "readiness http GET :8080/healthz", "ADVICE", "memory limit 384Mi →", "evidence:"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail view lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(v)
	}
	m = press(t, m, "pgdown")
	if m.detail.offset == 0 {
		t.Fatal("pgdown did not scroll")
	}
	m = press(t, m, "esc")
	if m.view != viewTable || selected(m) != "orders" {
		t.Fatal("esc should go back to the table, on the same workload")
	}
	// Enter on a container line opens the details scrolled to that container.
	m = press(t, m, "down", "right", "down", "down", "enter") // web/nginx
	shown := strings.Join(m.detail.view(m.bodyHeight(), m.styles), "\n")
	if m.view != viewDetail || m.detail.offset == 0 || !strings.Contains(shown, "container nginx") {
		t.Fatalf("details of web/nginx open at line %d:\n%s", m.detail.offset, shown)
	}
}

func TestDetailOfAWorkloadThatWentAway(t *testing.T) {
	m := start(t, deps(fixture(), nil), 120, 30)
	m = press(t, m, "enter")
	gone := fixture()
	gone.Workloads = gone.Workloads[:4] // thumbs and later are gone
	m = refreshWith(t, m, gone)
	if v := m.View().Content; !strings.Contains(v, "is gone") {
		t.Fatalf("detail of a deleted workload:\n%s", v)
	}
}

func TestResizeFillsTheScreen(t *testing.T) {
	m := start(t, deps(fixture(), nil), 80, 24)
	for _, size := range [][2]int{{80, 24}, {120, 30}, {160, 48}, {200, 50}} {
		m = send(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, keys := range [][]string{nil, {"enter"}, {"esc", "p"}, {"esc", "?"}} {
			m = press(t, m, keys...)
			lines := strings.Split(m.View().Content, "\n")
			if len(lines) != size[1] {
				t.Fatalf("%dx%d after %v: %d lines", size[0], size[1], keys, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Fatalf("%dx%d after %v: line %d is %d wide: %q", size[0], size[1], keys, i, w, ansi.Strip(l))
				}
			}
		}
		m = press(t, m, "esc")
	}
}

func TestSourceProblemsShown(t *testing.T) {
	s := fixture()
	s.Sources.API = model.APIStatus{Live: false, StaleSince: t0.Add(-2 * time.Minute), Error: "connection refused"}
	s.Sources.Metrics = model.MetricsStatus{State: model.MetricsUnavailable, Reason: "metrics.k8s.io is not served: install metrics-server"}
	s.Sources.Unavailable = []model.Unavailable{{Resource: "events", Verb: "list", Message: "forbidden"}}
	m := start(t, deps(s, nil), 200, 30)
	v := ansi.Strip(m.View().Content)
	for _, want := range []string{"api stale 2m", "metrics unavailable", "API server unreachable since 06:08:12", "install metrics-server", "forbidden: list events"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(v)
	}
}

func TestPace(t *testing.T) {
	if pace(2*time.Second, 100*time.Millisecond) != 2*time.Second || pace(2*time.Second, time.Second) != 4*time.Second {
		t.Fatal("the next refresh waits the interval, or four times a slow refresh")
	}
}

func TestRefreshFasterWhileLoading(t *testing.T) {
	m := New(deps(fixture(), nil))
	full := fixture()
	unsynced := fixture()
	unsynced.Sources.Synced = false
	noMetrics := fixture()
	noMetrics.Sources.Metrics = model.MetricsStatus{State: model.MetricsUnknown}
	missing := fixture()
	missing.Sources.Metrics = model.MetricsStatus{State: model.MetricsUnavailable, Reason: "not served"}
	for _, c := range []struct {
		name        string
		snap        model.Snapshot
		after, took time.Duration
		want        time.Duration
	}{
		{"complete", full, 0, 0, 2 * time.Second},
		{"complete, slow", full, 0, time.Second, 4 * time.Second},
		{"not listed yet", unsynced, 0, 0, loadingRefresh},
		{"no metrics yet", noMetrics, time.Second, 0, loadingRefresh},
		{"no metrics yet, slow", noMetrics, time.Second, time.Second, time.Second},
		{"metrics missing for good", missing, 0, 0, 2 * time.Second},
		{"still not listed after a while", unsynced, loadingFor, 0, 2 * time.Second},
	} {
		if got := m.nextRefresh(snapshotMsg{snap: c.snap, now: t0.Add(c.after), took: c.took}); got != c.want {
			t.Errorf("%s: next refresh in %s, want %s", c.name, got, c.want)
		}
	}
}

// TestProgram runs the real Bubble Tea program on a pipe: it draws the
// table, takes keys and quits cleanly.
func TestProgram(t *testing.T) {
	in, feed := io.Pipe()
	var out safeBuffer
	p := tea.NewProgram(New(deps(fixture(), nil)), tea.WithInput(in), tea.WithOutput(&out), tea.WithWindowSize(100, 30),
		tea.WithColorProfile(colorprofile.ASCII), tea.WithoutSignals())
	done := make(chan error, 1)
	go func() {
		_, err := p.Run()
		done <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "thumbs") {
		if time.Now().After(deadline) {
			t.Fatalf("the table never appeared:\n%q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := feed.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("q did not quit")
	}
}

// safeBuffer is a bytes.Buffer the program writes while the test reads.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLoadShowsWhatLoads: with Deps.Load, the dashboard says what it loads
// from the first frame, q quits while it runs, and its end starts the refreshes.
func TestLoadShowsWhatLoads(t *testing.T) {
	d := deps(fixture(), nil)
	snapshots := 0
	snap := d.Snapshot
	d.Snapshot = func() model.Snapshot { snapshots++; return snap() }
	d.Load = func(ctx context.Context) error { return nil }
	d.Loading = "simulating 8h of history"
	m := New(d)
	if v := m.View().Content; !strings.Contains(v, "loading: simulating 8h of history") {
		t.Fatalf("before the size is known: %q", v)
	}
	m = send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if v := screen(m); !strings.Contains(v, "Loading: simulating 8h of history… (q quits)") || !strings.Contains(v, "Loading…") {
		t.Fatalf("while loading:\n%s", v)
	}
	if _, ok := m.Init()().(loadedMsg); !ok {
		t.Fatal("Init should run Load first")
	}
	if _, cmd := pressCmd(t, m, "r"); cmd != nil || snapshots != 0 {
		t.Fatal("r must not take a snapshot before Load is done")
	}
	if _, cmd := pressCmd(t, m, "q"); cmd == nil || !reflect.DeepEqual(cmd(), tea.QuitMsg{}) {
		t.Fatal("q should quit while loading")
	}
	next, cmd := m.Update(loadedMsg{})
	m = send(t, next.(Model), cmd())
	if !m.loaded || snapshots != 1 || !strings.Contains(screen(m), "thumbs") {
		t.Fatalf("after Load, the first snapshot: loaded %v, %d snapshots", m.loaded, snapshots)
	}
	failed, cmd := m.Update(loadedMsg{err: errors.New("no cluster")})
	if cmd == nil || !reflect.DeepEqual(cmd(), tea.QuitMsg{}) || failed.(Model).err == nil {
		t.Fatal("a failed Load ends the dashboard with its error")
	}
}
