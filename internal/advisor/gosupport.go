package advisor

import (
	"fmt"
	"time"
)

// Go releases every February and August (1.22 in February 2024) and
// supports a release until two newer ones exist. The supported versions
// are computed from the advice's clock, never kept as constants.

// goReleaseMonth returns the month Go 1.minor came out (or comes out).
func goReleaseMonth(minor int) time.Time {
	if m, ok := offCadence[minor]; ok {
		return m
	}
	return time.Date(2024, time.February+time.Month(6*(minor-22)), 1, 0, 0, 0, 0, time.UTC)
}

// offCadence holds the releases that came out off the February and August
// cadence, which holds for every release since Go 1.19.
var offCadence = map[int]time.Time{
	18: time.Date(2022, time.March, 1, 0, 0, 0, 0, time.UTC),
	13: time.Date(2019, time.September, 1, 0, 0, 0, 0, time.UTC),
	4:  time.Date(2014, time.December, 1, 0, 0, 0, 0, time.UTC),
	3:  time.Date(2014, time.June, 1, 0, 0, 0, 0, time.UTC),
	2:  time.Date(2013, time.December, 1, 0, 0, 0, 0, time.UTC),
	1:  time.Date(2013, time.May, 1, 0, 0, 0, 0, time.UTC),
	0:  time.Date(2012, time.March, 1, 0, 0, 0, 0, time.UTC),
}

// newestGo returns the minor version of the newest Go release at now. A
// release counts from the first of the month after its release month, so
// that a release late in its month is never assumed out already.
func newestGo(now time.Time) int {
	months := (now.Year()-2024)*12 + int(now.Month()) - int(time.February) // since February 2024
	return 22 + floorDiv(months-1, 6)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// goSupport is what the clock says of one Go minor version.
type goSupport struct {
	minor, newest int
	// ended is the month support ended (Go 1.minor+2 came out); zero while supported.
	ended time.Time
}

func supportOf(minor int, now time.Time) goSupport {
	s := goSupport{minor: minor, newest: newestGo(now)}
	if minor <= s.newest-2 {
		s.ended = goReleaseMonth(minor + 2)
	}
	return s
}

// supported reports whether the release still gets security fixes.
func (s goSupport) supported() bool { return s.ended.IsZero() }

// newestName is the newest release, as a version: "1.27".
func (s goSupport) newestName() string { return fmt.Sprintf("1.%d", s.newest) }

// adviseGoSupport flags a Go out of support, from go_info or a golang
// image's tag: it gets no security fixes. Recently out (the release before
// the two supported) informs; older warns.
func adviseGoSupport(x wctx, patchSetsProcs bool) *Advice {
	if !x.isGo() || x.opts.Now.IsZero() {
		return nil
	}
	ma, mi, ok := goVersion(x)
	if !ok || ma != 1 {
		return nil
	}
	s := supportOf(mi, x.opts.Now)
	if s.supported() {
		return nil
	}
	sev := Warning
	if mi == s.newest-2 {
		sev = Info
	}
	version := x.c.Go.Version
	if rt := x.runtime(); rt != nil && rt.Version != "" {
		version = rt.Version
	}
	a := x.advice(KindGoSupport, sev, fmt.Sprintf(
		"Go 1.%d is out of support since %s, when Go 1.%d came out: it gets no security fixes; build with Go %s",
		mi, s.ended.Format("January 2006"), mi+2, s.newestName()))
	a.Current = textValue(trimGo(version))
	a.Suggested = textValue(s.newestName())
	a.Evidence = []Evidence{ev("Go", trimGo(version)), ev("source", goEvidence(x)),
		ev("supported", fmt.Sprintf("1.%d and 1.%d", s.newest, s.newest-1))}
	a.Notes = append(a.Notes, "Go supports its two newest releases; a new one comes out each February and August")
	// A Dockerfile comment is only one at the start of a line: it goes above FROM.
	code := "# the build stage; go.mod's go line may stay, but 1.25 or later there makes GOMAXPROCS follow the CPU limit\n"
	if pin := procsPin(x, patchSetsProcs); pin != "" {
		code += "# once go.mod says go 1.25 or later, drop the GOMAXPROCS env " + pin + ": an explicit GOMAXPROCS turns that off\n"
	}
	a.Code, a.CodeLang = code+fmt.Sprintf("FROM golang:%s AS build", s.newestName()), "dockerfile"
	return &a
}

// procsPin names the GOMAXPROCS env that keeps an upgraded runtime from
// following the CPU limit: the one this patch sets, or the container's own
// (not a deliberate 1 under a core or less, which the advice keeps), or "".
func procsPin(x wctx, patchSets bool) string {
	if patchSets {
		return "this patch sets"
	}
	e, ok := x.c.LookupEnv("GOMAXPROCS")
	if !ok || e.Value == "1" && positive(x.c.Resources.Limits.CPU) <= 1000 {
		return ""
	}
	return "the container sets"
}

// goEvidence says where the Go version comes from.
func goEvidence(x wctx) string {
	if rt := x.runtime(); rt != nil && rt.Version != "" && rt.Pod != "" {
		return "go_info from pod " + rt.Pod
	}
	if rt := x.runtime(); rt != nil && rt.Version != "" && rt.Store != "" {
		return "go_info from " + rt.Store
	}
	if x.c.Go.Evidence != "" {
		return x.c.Go.Evidence
	}
	return "image " + x.c.Image
}

func trimGo(v string) string {
	if len(v) > 2 && v[:2] == "go" {
		return v[2:]
	}
	return v
}
