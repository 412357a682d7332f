package demo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDemoLifecycle(t *testing.T) {
	d := Open(Config{Seed: 1})
	ctx := context.Background()
	if err := d.Start(ctx); err != nil {
		t.Fatal(err)
	}
	first := d.Snapshot()
	if len(first.Workloads) != len(stories()) || first.Namespace != d.Namespace() || first.Context != d.Context() {
		t.Fatalf("after Start: %d workloads in %s (%s)", len(first.Workloads), first.Namespace, first.Context)
	}
	if err := d.Advance(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if moved := d.Snapshot().Taken.Sub(first.Taken); moved != 2*Window {
		t.Errorf("two windows on, the snapshot is %v later", moved)
	}
	res, err := d.Apply(ctx, deploymentPatch("ingest", `{"spec":{"template":{"spec":{"containers":[{"name":"ingest","resources":{"limits":{"memory":"356Mi"}}}]}}}}`), true)
	if err != nil || !res.DryRun || res.Containers[0].Resources.Limits.Memory != 356<<20 {
		t.Errorf("dry run: %+v, %v", res, err)
	}
	d.Close()
	if err := d.Start(ctx); !errors.Is(err, errClosed) {
		t.Errorf("Start after Close: %v", err)
	}
}

// With a tick the simulation keeps moving after Start, until Close, which
// waits for it (run with -race).
func TestLiveDemoMovesUntilClosed(t *testing.T) {
	d := Open(Config{Seed: 1, Tick: time.Millisecond})
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	started := d.Now()
	deadline := time.Now().Add(10 * time.Second)
	for !d.Now().After(started) {
		if time.Now().After(deadline) {
			t.Fatal("the live demo did not move")
		}
		time.Sleep(time.Millisecond)
	}
	d.Close()
	if w := d.Snapshot().Workloads; len(w) != len(stories()) {
		t.Errorf("the last snapshot has %d workloads", len(w))
	}
}

// An interrupted warm-up (ctrl+c before the first screen) says so.
func TestStartInterrupted(t *testing.T) {
	d := Open(Config{Seed: 1})
	defer d.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Start(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Start with its context ended: %v", err)
	}
}

// The live demo's header says its clock runs faster than the wall clock;
// the report's demo stands still and says nothing of speed.
func TestContextSaysTheSpeed(t *testing.T) {
	for _, tc := range []struct {
		tick time.Duration
		want string
	}{
		{Tick, "kgotop-demo (simulated, 15× speed)"},
		{0, "kgotop-demo (simulated)"},
		{Window, "kgotop-demo (simulated)"},
	} {
		d := Open(Config{Tick: tc.tick})
		if got := d.Context(); got != tc.want {
			t.Errorf("tick %v: %q, want %q", tc.tick, got, tc.want)
		}
		if short := d.ShortContext(); len(short) > len(d.Context()) || (tc.tick == Tick) != strings.Contains(short, "15× speed") {
			t.Errorf("tick %v: short %q", tc.tick, short)
		}
		if about := d.About(); (about != "") != (tc.tick == Tick) || (about != "" && !strings.Contains(about, "15× faster")) {
			t.Errorf("tick %v: about %q", tc.tick, about)
		}
		d.Close()
	}
}
