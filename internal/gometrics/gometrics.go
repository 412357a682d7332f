// Package gometrics reads a Go program's Prometheus /metrics page (text
// format or OpenMetrics, as client_golang serves it) into model.GoRuntime:
// the Go version from go_info, the GC and heap numbers, GOGC, GOMEMLIMIT,
// GOMAXPROCS, goroutines and threads, and every database/sql pool that
// collectors.NewDBStatsCollector exposes. It is pure (no I/O beyond the
// reader it is handed) and made for pages from programs kgotop does not
// trust: a page is capped in size, only the Go families are parsed, lines
// and series are capped, and broken input gives an error or a partial
// result, never a panic.
package gometrics

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/kgotop/kgotop/internal/model"
)

// Limits on what Read and Parse accept from one page.
const (
	// MaxPageBytes is the most of a page that is read; the rest is dropped
	// and the page is marked truncated.
	MaxPageBytes = 4 << 20
	// MaxLineBytes is the longest line kept; longer ones (a huge label
	// value, say) are skipped.
	MaxLineBytes = 4 << 10
	// MaxSeries is the most Go series kept from one page (client_golang's
	// defaults are about 20 of the families read here; each pool adds 9).
	MaxSeries = 2000
)

// ErrNoGo means the page parsed but holds none of the Go runtime's series.
var ErrNoGo = errors.New("the page has no Go runtime metrics (no go_info, go_goroutines or go_memstats_*)")

// ErrFormat means the page is in a format this package does not read.
var ErrFormat = errors.New("unsupported metrics format")

// Page is what one /metrics page says.
type Page struct {
	// Runtime holds the numbers read; absent ones are -1 (see model.GoRuntime).
	// Scraped and Pod are left for the caller; GCCPUFraction is -1 until
	// CPUShare compares two pages.
	Runtime model.GoRuntime
	// CPU holds the go_cpu_classes_* counters, for CPUShare.
	CPU CPUCounters
	// Truncated is true when the page was cut at MaxPageBytes, lacked its
	// OpenMetrics end, or had more than MaxSeries Go series.
	Truncated bool
	// Skipped counts the Go lines dropped: over MaxLineBytes or MaxSeries.
	Skipped int
}

// Read reads at most MaxPageBytes (plus one byte, to know the page was
// longer) from r and parses it as Parse does.
func Read(r io.Reader, contentType string) (Page, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxPageBytes+1))
	if err != nil && len(body) == 0 {
		return Page{Runtime: empty()}, fmt.Errorf("reading the metrics page: %w", err)
	}
	p, perr := Parse(body, contentType)
	if err != nil {
		// A page cut by the network: what arrived may still say something.
		p.Truncated = true
		if perr == nil {
			perr = fmt.Errorf("reading the metrics page (partial result): %w", err)
		}
	}
	return p, perr
}

// Parse reads a page in the format its Content-Type names ("text/plain;
// version=0.0.4", "application/openmetrics-text; version=1.0.0"); an empty or
// unknown type is sniffed from the body (OpenMetrics ends with "# EOF").
// A page over MaxPageBytes is cut at its last whole line within the cap.
//
// The returned Page holds whatever could be read even when err is not nil:
// an error with a non-empty Runtime (Version set or Goroutines >= 0) is a
// partial result.
func Parse(body []byte, contentType string) (Page, error) {
	page := Page{Runtime: empty()}
	if len(body) > MaxPageBytes {
		body = body[:MaxPageBytes]
		if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
			body = body[:i+1]
		} else {
			body = nil
		}
		page.Truncated = true
	}
	om, err := openMetrics(contentType, body)
	if err != nil {
		return page, err
	}
	doc := filter(body, om)
	page.Skipped = doc.skipped
	page.Truncated = page.Truncated || doc.truncated
	fams, perr := decode(doc.text)
	found := extract(fams, &page)
	switch {
	case perr != nil && found:
		return page, fmt.Errorf("parsing the metrics page (partial result): %w", perr)
	case perr != nil:
		return page, fmt.Errorf("parsing the metrics page: %w", perr)
	case !found:
		return page, ErrNoGo
	}
	return page, nil
}

// empty returns a GoRuntime with every number absent.
func empty() model.GoRuntime {
	return model.GoRuntime{
		Goroutines: -1, Threads: -1, GOMAXPROCS: -1, GOGC: -1, GOMEMLIMIT: -1,
		HeapAlloc: -1, HeapInuse: -1, HeapLive: -1, HeapGoal: -1, NextGC: -1, Sys: -1, MemTotal: -1, HeapReleased: -1,
		GCPauseMax: -1, GCCycles: -1, GCCPUFraction: -1,
	}
}
