package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
)

// History is how much simulated history the demo opens on: enough for
// medium-confidence advice, reached in well under a second.
const History = 8 * time.Hour

// Tick is how often the live demo moves on one metrics window: the
// simulated cluster runs fifteen times faster than the wall clock.
const Tick = time.Second

// Config says which demo to run and how.
type Config struct {
	// Seed picks the simulation; the same seed gives the same demo.
	Seed uint64
	// Tick, when set, is how often the simulation moves on one metrics
	// window from Start until Close (the dashboard's); zero keeps it still
	// (the report's).
	Tick time.Duration
	// Log receives what goes wrong while the simulation moves; nil discards it.
	Log *slog.Logger
}

// Demo is the simulated namespace with kgotop's collector watching it.
// Start warms it up; Snapshot and Apply are then what the dashboard and the
// report use; Close stops it, waiting for a Start still running.
type Demo struct {
	sim  *Sim
	c    *collect.Collector
	tick time.Duration
	log  *slog.Logger

	life context.Context // ends at Close: the informers and the ticker run in it
	stop context.CancelFunc

	mu      sync.Mutex
	closed  bool
	running sync.WaitGroup // Start, and the ticker it starts
}

// Open makes the demo; nothing runs before Start.
func Open(cfg Config) *Demo {
	sim := New(cfg.Seed)
	opts := sim.Options()
	opts.Log = cfg.Log
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	life, stop := context.WithCancel(context.Background())
	return &Demo{sim: sim, c: collect.New(sim.Clients(), opts), tick: cfg.Tick, log: log, life: life, stop: stop}
}

// errClosed is Start after Close.
var errClosed = errors.New("demo: closed")

// Start runs History of simulated time through the collector, so that the
// demo opens on hours of history instead of a single sample, then (with a
// Tick) keeps the simulation moving until Close. It returns when the
// collector has caught up, or when ctx ends or Close is called.
func (d *Demo) Start(ctx context.Context) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return errClosed
	}
	d.running.Add(1)
	d.mu.Unlock()
	defer d.running.Done()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(d.life, cancel)()
	d.c.Start(d.life)
	if err := d.c.WaitForSync(ctx); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := d.sim.WarmUp(ctx, d.c, History); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	settle, cancelSettle := context.WithTimeout(ctx, time.Minute) // milliseconds, but a loaded machine may lag
	defer cancelSettle()
	if err := d.sim.Settle(settle, d.c); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if d.tick > 0 {
		d.running.Go(d.keepMoving) // Start is counted, so the count is above zero
	}
	return nil
}

// keepMoving advances the simulation one window every tick until Close.
func (d *Demo) keepMoving() {
	t := time.NewTicker(d.tick)
	defer t.Stop()
	for {
		select {
		case <-d.life.Done():
			return
		case <-t.C:
			if err := d.sim.Advance(d.life, d.c); err != nil && d.life.Err() == nil {
				d.log.Warn("demo step failed", "err", err)
			}
		}
	}
}

// Advance moves the simulation on by windows metrics windows, the
// collector polling after each (the report's --window).
func (d *Demo) Advance(ctx context.Context, windows int) error {
	for range windows {
		if err := d.sim.Advance(ctx, d.c); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}

// Snapshot returns what the collector knows of the simulated namespace.
func (d *Demo) Snapshot() model.Snapshot { return d.c.Snapshot() }

// Apply applies a patch to the simulated cluster, as Collector.Apply does to a real one.
func (d *Demo) Apply(ctx context.Context, p advisor.Patch, dryRun bool) (collect.ApplyResult, error) {
	return d.c.Apply(ctx, p, dryRun)
}

// Resize resizes a simulated pod in place, as Collector.Resize does a real one.
func (d *Demo) Resize(ctx context.Context, namespace, pod string, body []byte, dryRun bool) (collect.ResizeResult, error) {
	return d.c.Resize(ctx, namespace, pod, body, dryRun)
}

// Record files a change applied to the simulated cluster (kept for this run only).
func (d *Demo) Record(ch model.AppliedChange) { d.c.Record(ch) }

// speed is how many times faster than the wall clock the live demo runs;
// 0 when it stands still (a report) or runs no faster.
func (d *Demo) speed() time.Duration {
	if d.tick <= 0 || d.tick >= Window {
		return 0
	}
	return Window / d.tick
}

// Context names the simulated cluster's context; a live demo faster than
// the wall clock says how much ("resized 50m ago" grows by 15 minutes a
// minute).
func (d *Demo) Context() string {
	if n := d.speed(); n > 0 {
		return fmt.Sprintf("kgotop-demo (simulated, %d× speed)", n)
	}
	return d.sim.Options().Context
}

// ShortContext is Context in fewer cells, for a narrow header: the speed
// without "simulated" ("kgotop-demo (15× speed)"), which the dashboard's
// help explains (About).
func (d *Demo) ShortContext() string {
	if n := d.speed(); n > 0 {
		return fmt.Sprintf("kgotop-demo (%d× speed)", n)
	}
	return d.Context()
}

// About says, for the dashboard's help, what is simulated in a live demo
// and how fast its clock runs; "" when the demo stands still.
func (d *Demo) About() string {
	n := d.speed()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("Demo: a simulated cluster whose clock runs %d× faster than yours: a %s metrics window every %s, ages grow %d minutes a minute, and its dates and times are its own, not today's.",
		n, Window, d.tick, n)
}

// Namespace is the simulated namespace.
func (d *Demo) Namespace() string { return d.sim.Options().Namespace }

// Now is the simulated clock.
func (d *Demo) Now() time.Time { return d.sim.Now() }

// Close stops the simulation and the collector, and waits for Start and the
// ticker to end.
func (d *Demo) Close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.stop()
	d.running.Wait()
}
