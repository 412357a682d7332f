package model

import "fmt"

// ScrapeReason is why a container's Go runtime numbers are missing or partial.
type ScrapeReason string

// The reasons of a ScrapeProblem.
const (
	// ScrapeForbidden: the API server refuses pods/proxy to these credentials.
	ScrapeForbidden ScrapeReason = "forbidden"
	// ScrapeNoTarget: the container looks like Go but has no port to read.
	ScrapeNoTarget ScrapeReason = "no-target"
	// ScrapeNotGo: the page has no Go runtime metrics.
	ScrapeNotGo ScrapeReason = "not-go"
	// ScrapeSilent: the page said nothing of the Go runtime.
	ScrapeSilent ScrapeReason = "silent"
	// ScrapeFailed: the page could not be read (Error says why).
	ScrapeFailed ScrapeReason = "failed"
	// ScrapePartial: the page was read in part (Error says why); the
	// numbers it had are shown.
	ScrapePartial ScrapeReason = "partial"
)

// ScrapeProblem says why a container's Go runtime numbers could not be read,
// or were read in part.
type ScrapeProblem struct {
	Reason ScrapeReason
	// Target is the page's "pod:port/path" ("" when there is none).
	Target string
	// Error is the failure's own message, for ScrapeFailed and ScrapePartial.
	Error string
}

// String says the problem in one line: "Go runtime unknown: api-0:9090/metrics
// has no Go runtime metrics". A nil problem is "".
func (p *ScrapeProblem) String() string {
	if p == nil {
		return ""
	}
	if p.Reason == ScrapePartial {
		return fmt.Sprintf("%s read in part: %s", p.Target, p.Error)
	}
	return "Go runtime unknown: " + p.Why()
}

// Why is String without its "Go runtime unknown: " lead, for a line that
// says so already.
func (p *ScrapeProblem) Why() string {
	switch {
	case p == nil:
		return ""
	case p.Reason == ScrapeForbidden:
		return "pods/proxy is forbidden (grant get on pods/proxy)"
	case p.Reason == ScrapeNoTarget:
		return `no metrics port (annotate the pod prometheus.io/scrape: "true" and prometheus.io/port, ` +
			`name the port "metrics", or pass --metrics-port)`
	case p.Reason == ScrapeNotGo:
		return p.Target + " has no Go runtime metrics"
	case p.Reason == ScrapeSilent:
		return p.Target + " said nothing of the Go runtime"
	case p.Reason == ScrapePartial:
		return p.String()
	}
	return p.Target + ": " + p.Error
}
