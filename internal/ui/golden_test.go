package ui

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/kgotop/kgotop/internal/model"
)

// The golden files hold the screen as text, colour stripped so they read
// as what a person sees; TestGoldenColour keeps the escape codes of one
// screen so that a change of meaning in the colours shows too. Regenerate
// with: go test ./internal/ui -update
func TestGolden(t *testing.T) {
	problems := fixture()
	problems.Sources.API = model.APIStatus{Live: false, StaleSince: t0.Add(-2 * time.Minute)}
	problems.Sources.Metrics = model.MetricsStatus{State: model.MetricsUnavailable, Reason: "the metrics API (metrics.k8s.io) is not served: install metrics-server"}
	problems.Sources.Unavailable = []model.Unavailable{{Resource: "events", Verb: "list"}}
	type goldenCase struct {
		name string
		snap model.Snapshot
		w, h int
		keys []string
	}
	// Every view at the four sizes a newcomer's terminal has: the smallest
	// drawn, the classic, a laptop's and a wide monitor's.
	var cases []goldenCase
	for _, size := range [][2]int{{60, 15}, {80, 24}, {120, 32}, {200, 50}} {
		for _, v := range []struct {
			name string
			keys []string
		}{{"main", nil}, {"detail", []string{"down", "enter"}}, {"patch", []string{"down", "p"}}, {"help", []string{"?"}}} {
			cases = append(cases, goldenCase{fmt.Sprintf("%s_%dx%d", v.name, size[0], size[1]), fixture(), size[0], size[1], v.keys})
		}
	}
	cases = append(cases, []goldenCase{
		{"expanded_160x48", fixture(), 160, 48, []string{"down", "down", "right", "down"}},
		{"patch_left_out_80x24", fixture(), 80, 24, []string{"down", "p", "space"}},
		{"detail_bottom_80x24", fixture(), 80, 24, []string{"down", "enter", "G"}},
		{"detail_snippets_80x24", fixture(), 80, 24, []string{"enter", "pgdown", "pgdown"}},
		{"nothing_to_patch_80x24", fixture(), 80, 24, []string{":", "e", "d", "g", "e", "enter", "p"}},
		{"help_patch_80x24", fixture(), 80, 24, []string{"down", "p", "?"}},
		{"help_detail_80x24", fixture(), 80, 24, []string{"down", "enter", "?"}},
		{"problems_80x24", problems, 80, 24, nil},
		{"too_small_50x12", fixture(), 50, 12, nil},
	}...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := press(t, start(t, deps(c.snap, &fakeApply{}), c.w, c.h), c.keys...)
			golden.RequireEqual(t, ansi.Strip(m.View().Content))
		})
	}
}

func TestGoldenColour(t *testing.T) {
	m := start(t, deps(fixture(), nil), 80, 24)
	golden.RequireEqual(t, m.View().Content)
}

// sgrColour matches an SGR sequence that sets a foreground or background colour.
var sgrColour = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])[;m]`)

func TestColoursMeanSomething(t *testing.T) {
	m := press(t, start(t, deps(fixture(), nil), 160, 48), ":", "m", "a", "i", "l", "e", "r", "enter") // the selected line is drawn in reverse, uncoloured
	st := m.styles
	v := m.View().Content
	bars := m.table.layout(160).bar
	// opening returns the text as a style starts it (padding may follow).
	opening := func(s lipgloss.Style, text string) string { return strings.TrimSuffix(s.Render(text), "\x1b[m") }
	for what, want := range map[string]string{
		"a memory past 90% of its limit is yellow": opening(st.Warn, "379Mi/300Mi/384Mi"),
		"a CPU past 90% of its limit":              opening(st.Warn, "372m/200m/400m"),
		"OOMKilled restarts are red":               opening(st.Bad, "4 OOMKilled 3m"),
		"an idle CPU is dim":                       opening(st.Dim, "25m/1/2"),
		"critical advice counts are red":           opening(st.Bad, "●1 ▲4 ·2"),
		"crash looping is red":                     opening(st.Bad, "3 CrashLoop (exit 2)"),
		"a workload with no ready pod is red":      opening(st.Bad, "0/1"),
		"liveness kills are red":                   opening(st.Bad, "L✗9 k3"),
		"an unknown share has a dim bar":           st.Dim.Render(padRight("?", bars+pctWidth)),
		"warnings-only advice is yellow":           opening(st.Warn, "▲2 ·3"),
		"the critical count in the header":         opening(st.Bad, "● 4 critical"),
	} {
		if !strings.Contains(v, want) {
			t.Errorf("%s: %q not in the view", what, want)
		}
	}
}

// With NO_COLOR, Bubble Tea draws through the ASCII colour profile: no colour
// is left, but the symbols and the selection (reverse video) still are.
func TestNoColour(t *testing.T) {
	m := start(t, deps(fixture(), nil), 120, 30)
	if colorprofile.Detect(&bytes.Buffer{}, []string{"TERM=xterm-256color", "NO_COLOR=1"}) > colorprofile.ASCII {
		t.Fatal("NO_COLOR should select a profile without colour")
	}
	var out bytes.Buffer
	w := &colorprofile.Writer{Forward: &out, Profile: colorprofile.ASCII}
	if _, err := w.Write([]byte(m.View().Content)); err != nil {
		t.Fatal(err)
	}
	if loc := sgrColour.FindStringIndex(out.String()); loc != nil {
		t.Fatalf("colour left under NO_COLOR: %q", out.String()[loc[0]:min(loc[1]+20, out.Len())])
	}
	for _, want := range []string{"●1 ▲4 ·2", "▉  99%", "\x1b[1;7m▌\x1b[m\x1b[1;7mthumbs"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("%q lost under NO_COLOR", want)
		}
	}
}
