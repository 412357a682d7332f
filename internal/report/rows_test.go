package report

import (
	"slices"
	"testing"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// Third review, finding 2: in the sandbox's report catalog's and
// checkout's request cuts (critical by krr's bands: the size of the
// saving) came before ingest's OOMKills and notifier's crash loop. Within
// a severity, what fails comes first, and among that a workload that is
// down (fifth review: the report disagreed with the dashboard there).
func TestRowsPutOutagesBeforeSavings(t *testing.T) {
	var s model.Snapshot
	var advice []advisor.Advice
	v := func(n int64) advisor.Value { return advisor.Value{Set: true, Amount: n} }
	for _, w := range []struct {
		name string
		a    advisor.Advice
	}{
		{"catalog", advisor.Advice{Kind: advisor.KindCPURequest, Severity: advisor.Critical, Current: v(1000), Suggested: v(71)}},
		{"checkout", advisor.Advice{Kind: advisor.KindCPURequest, Severity: advisor.Critical, Current: v(1000), Suggested: v(174)}},
		{"ingest", advisor.Advice{Kind: advisor.KindMemoryLimit, Severity: advisor.Critical, Current: v(256), Suggested: v(356)}},
		{"notifier", advisor.Advice{Kind: advisor.KindRestarts, Severity: advisor.Critical}},
		{"web", advisor.Advice{Kind: advisor.KindGOMAXPROCS, Severity: advisor.Warning}},
	} {
		ref := model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: w.name}
		wl := model.Workload{Ref: ref, Desired: 1, Ready: 1, Containers: []model.Container{{Name: w.name}}}
		if w.name == "notifier" {
			wl.Ready = 0 // down: first within its urgency, as in the dashboard
		}
		s.Workloads = append(s.Workloads, wl)
		w.a.Target = advisor.Target{Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name, Container: w.name}
		advice = append(advice, w.a)
	}
	var got []string
	for _, r := range rows(s, advice) {
		got = append(got, r.container.Text+" "+r.severity.Text)
	}
	want := []string{"notifier critical", "ingest critical", "catalog critical", "checkout critical", "web warning"}
	if !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	// The advice section follows the same order (fourth review).
	got = nil
	for _, wa := range adviceByWorkload(s, advice) {
		got = append(got, wa.w.Ref.Name+" "+string(advisor.Worst(wa.advice)))
	}
	if !slices.Equal(got, want) {
		t.Errorf("advice section %v, want %v", got, want)
	}
}
