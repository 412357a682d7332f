package main

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// stepClock moves only when waited on.
type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }
func (c *stepClock) After(d time.Duration) <-chan time.Time {
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// tape records when a report polled and scraped, with the delay each poll
// asks for.
type tape struct {
	clk    *stepClock
	start  time.Time
	delays []time.Duration
	log    []string
}

func (s *tape) at() time.Duration { return s.clk.now.Sub(s.start) }

func (s *tape) Poll(context.Context) time.Duration {
	s.log = append(s.log, fmt.Sprintf("poll@%v", s.at()))
	d := s.delays[0]
	if len(s.delays) > 1 {
		s.delays = s.delays[1:]
	}
	return d
}

func (s *tape) Scrape(context.Context) { s.log = append(s.log, fmt.Sprintf("scrape@%v", s.at())) }

func (s *tape) Snapshot() model.Snapshot { return model.Snapshot{} }

// A report's --window reads the Go runtime's pages at its end when no
// metrics window ends by then, so that a window longer than the scrape pace
// always has the two pages the GC's CPU share is measured from.
func TestSampleReadsThePagesAgainAtTheWindowsEnd(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window time.Duration
		delays []time.Duration
		want   []string
	}{
		{"newest window only", 0, []time.Duration{15 * time.Second}, []string{"poll@0s"}},
		{"window ends between metrics windows", 20 * time.Second, []time.Duration{15 * time.Second},
			[]string{"poll@0s", "poll@15s", "scrape@20s"}},
		{"metrics a window behind", 20 * time.Second, []time.Duration{2 * time.Second, 15 * time.Second},
			[]string{"poll@0s", "poll@2s", "poll@17s", "scrape@20s"}},
		{"no metrics window before the end", 20 * time.Second, []time.Duration{30 * time.Second},
			[]string{"poll@0s", "scrape@20s"}},
		{"window ends with a metrics window", 45 * time.Second, []time.Duration{15 * time.Second},
			[]string{"poll@0s", "poll@15s", "poll@30s", "poll@45s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &stepClock{now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
			s := &tape{clk: clk, start: clk.now, delays: tc.delays}
			sample(t.Context(), s, tc.window, clk)
			if !slices.Equal(s.log, tc.want) {
				t.Errorf("got %v, want %v", s.log, tc.want)
			}
		})
	}
}

// A cancelled report stops waiting and reads nothing more.
func TestSampleStopsWhenCancelled(t *testing.T) {
	clk := &stepClock{now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	s := &tape{clk: clk, start: clk.now, delays: []time.Duration{15 * time.Second}}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	sample(ctx, s, time.Minute, blockedClock{clk})
	if want := []string{"poll@0s"}; !slices.Equal(s.log, want) {
		t.Errorf("got %v, want %v", s.log, want)
	}
}

// blockedClock never fires.
type blockedClock struct{ *stepClock }

func (blockedClock) After(time.Duration) <-chan time.Time { return nil }
