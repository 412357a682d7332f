package model

import "testing"

// The sentences the report prints and the JSON report's scrape_error carry.
func TestScrapeProblemSaysItInOneLine(t *testing.T) {
	const target = "api-0:9090/metrics"
	for _, tc := range []struct {
		p         *ScrapeProblem
		line, why string
	}{
		{nil, "", ""},
		{&ScrapeProblem{Reason: ScrapeForbidden}, "Go runtime unknown: pods/proxy is forbidden (grant get on pods/proxy)",
			"pods/proxy is forbidden (grant get on pods/proxy)"},
		{&ScrapeProblem{Reason: ScrapeNotGo, Target: target}, "Go runtime unknown: api-0:9090/metrics has no Go runtime metrics",
			"api-0:9090/metrics has no Go runtime metrics"},
		{&ScrapeProblem{Reason: ScrapeSilent, Target: target}, "Go runtime unknown: api-0:9090/metrics said nothing of the Go runtime",
			"api-0:9090/metrics said nothing of the Go runtime"},
		{&ScrapeProblem{Reason: ScrapeFailed, Target: target, Error: "no answer within 3s"}, "Go runtime unknown: api-0:9090/metrics: no answer within 3s",
			"api-0:9090/metrics: no answer within 3s"},
		{&ScrapeProblem{Reason: ScrapePartial, Target: target, Error: "unexpected EOF"}, "api-0:9090/metrics read in part: unexpected EOF",
			"api-0:9090/metrics read in part: unexpected EOF"},
	} {
		if got := tc.p.String(); got != tc.line {
			t.Errorf("String() = %q, want %q", got, tc.line)
		}
		if got := tc.p.Why(); got != tc.why {
			t.Errorf("Why() = %q, want %q", got, tc.why)
		}
	}
	if p := (&ScrapeProblem{Reason: ScrapeNoTarget}); p.String() != "Go runtime unknown: "+p.Why() || p.Why() == "" {
		t.Errorf("no target: %q", p.String())
	}
}
