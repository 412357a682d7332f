package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Go's support window comes from the clock: a release every February and
// August, each supported until two newer ones exist.
func TestGoSupportFromTheClock(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		now       time.Time
		newest    int
		minor     int
		supported bool
		ended     string
	}{
		{now: day(2026, 11, 30), newest: 27, minor: 26, supported: true},
		{now: day(2026, 11, 30), newest: 27, minor: 25, ended: "August 2026"},
		// Go 1.18 came out on 15 March 2022, off the cadence.
		{now: day(2026, 11, 30), newest: 27, minor: 16, ended: "March 2022"},
		{now: day(2026, 11, 30), newest: 27, minor: 11, ended: "September 2019"},
		// A release counts from the month after it, so a late one is never assumed out.
		{now: day(2027, 2, 27), newest: 27, minor: 26, supported: true},
		{now: day(2027, 3, 1), newest: 28, minor: 26, ended: "February 2027"},
		{now: day(2024, 2, 15), newest: 21, minor: 20, supported: true},
		{now: day(2031, 9, 2), newest: 37, minor: 36, supported: true},
	} {
		s := supportOf(tc.minor, tc.now)
		ended := ""
		if !s.ended.IsZero() {
			ended = s.ended.Format("January 2006")
		}
		if s.newest != tc.newest || s.supported() != tc.supported || ended != tc.ended {
			t.Errorf("on %s, Go 1.%d: newest 1.%d, supported %v, ended %q; want 1.%d, %v, %q",
				tc.now.Format("2006-01-02"), tc.minor, s.newest, s.supported(), ended, tc.newest, tc.supported, tc.ended)
		}
	}
}

func TestGoSupportAdvice(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	confirmed := func(v string) model.GoInfo {
		return model.GoInfo{Detection: model.GoConfirmed, Version: v, Runtime: &model.GoRuntime{Version: "go" + v, Pod: "api-0", GOGC: 100, GCCPUFraction: -1}}
	}
	for _, tc := range []struct {
		name  string
		image string
		goi   model.GoInfo
		now   time.Time
		sev   Severity // "" = no advice
		words []string
	}{
		{name: "the release before the supported two informs", goi: confirmed("1.25.3"), now: now, sev: Info,
			words: []string{"Go 1.25 is out of support since August 2026, when Go 1.27 came out", "build with Go 1.27", "go_info from pod api-0"}},
		{name: "older warns", goi: confirmed("1.23.4"), now: now, sev: Warning, words: []string{"since August 2025"}},
		{name: "supported", goi: confirmed("1.26.1"), now: now},
		{name: "newer than the clock knows", goi: confirmed("1.28.0"), now: now},
		{name: "from a golang image's tag", image: "golang:1.16", goi: model.DetectGo(model.Container{Image: "golang:1.16"}), now: now, sev: Warning,
			words: []string{"Go 1.16 is out of support since March 2022", "image golang:1.16"}},
		{name: "version unknown", goi: model.GoInfo{Detection: model.GoConfirmed}, now: now},
		{name: "no clock, no judgement", goi: confirmed("1.16.15")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(withProbes(model.Container{Image: tc.image, Go: tc.goi}))
			var a *Advice
			for _, got := range adviseImage(wctx{w: w, c: w.Containers[0], opts: Options{Now: tc.now}}, false) {
				if got.Kind == KindGoSupport {
					a = &got
				}
			}
			if tc.sev == "" {
				if a != nil {
					t.Fatalf("unexpected: %s", a.Reason)
				}
				return
			}
			if a == nil || a.Severity != tc.sev {
				t.Fatalf("got %+v, want %s", a, tc.sev)
			}
			text := a.Reason + " " + a.Suggested.Display + " " + a.Code
			for _, e := range a.Evidence {
				text += " " + e.Value
			}
			for _, w := range tc.words {
				if !strings.Contains(text, w) {
					t.Errorf("%q lacks %q", text, w)
				}
			}
			// A Dockerfile comment is one only at the start of a line.
			for _, line := range strings.Split(a.Code, "\n") {
				if strings.Contains(line, "#") && !strings.HasPrefix(line, "#") {
					t.Errorf("the Dockerfile line %q has a comment after its instruction", line)
				}
			}
			if !strings.Contains(a.Code, "\nFROM golang:1.27 AS build") {
				t.Errorf("code %q", a.Code)
			}
		})
	}
}

// The fixes name a Go that is supported on the day the advice is made, and
// the runtime image is distroless on Debian 13.
func TestFixesNameASupportedGo(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	old := model.Container{Image: "golang:1.16", Go: model.DetectGo(model.Container{Image: "golang:1.16"}),
		Resources: res(100, 128*mi, 500, 256*mi), Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "230MiB"}}}
	as := AdviseWorkload(deployment(withProbes(old)), Options{Now: now})
	if a := find(as, KindGOMEMLIMIT); a == nil || a.Suggested.Display != "build with Go 1.27" {
		t.Errorf("GOMEMLIMIT on Go 1.16: %+v, want \"build with Go 1.27\"", a)
	}
	if a := find(as, KindImageToolchain); a == nil || !strings.Contains(a.Code, "FROM golang:1.27 AS build") ||
		!strings.Contains(a.Code, "FROM gcr.io/distroless/static-debian13:nonroot") {
		t.Errorf("toolchain image: %+v", a)
	}
	current := model.Container{Image: "golang:1.26.1", Go: model.DetectGo(model.Container{Image: "golang:1.26.1"})}
	if a := find(AdviseWorkload(deployment(withProbes(current)), Options{Now: now}), KindImageToolchain); a == nil || !strings.Contains(a.Code, "FROM golang:1.26.1 AS build") {
		t.Errorf("a supported Go keeps its build image: %+v", a)
	}
}
