package promhistory

import (
	"math"
	"math/rand/v2"
	"time"
)

// run is one container of one old pod, as the generator lives through it.
type run struct {
	d                       Design
	podStart, started       time.Time // the pod's start and this container's latest
	restarts, ooms          int
	cpu, periods, throttled float64 // cgroup counters since started
	mem                     float64
	rng                     *rand.Rand
	pageSeries              []*series // the Go runtime's series, in page order
	cpuS, memS, perS, thrS  *series   // cAdvisor's
	oomS, restartS, reasonS *series
}

func newRun(d Design, podStart time.Time, rng *rand.Rand) *run {
	return &run{d: d, podStart: podStart, started: podStart, rng: rng}
}

// jitter returns v off by up to the noise share.
func (c *run) jitter(v float64) float64 { return v * (1 + noise*(2*c.rng.Float64()-1)) }

// restart starts the container again at t: its cgroup counters start over.
func (c *run) restart(t time.Time) {
	c.started = t
	c.cpu, c.periods, c.throttled = 0, 0, 0
}

// leak returns the working set of a leaking container at t.
func (c *run) leak(t time.Time) float64 {
	return c.d.Memory.Night + c.d.CreepPerHour*t.Sub(c.started).Hours()
}

// advance lives through the step that ends at t and returns the CPU
// seconds it used.
func (c *run) advance(t time.Time, step time.Duration) float64 {
	from := t.Add(-step)
	if c.started.After(from) {
		from = c.started
	}
	if every := c.d.RestartEvery; every > 0 {
		if n := int(t.Sub(c.podStart) / every); n > c.restarts {
			c.restarts = n
			c.restart(c.podStart.Add(time.Duration(n) * every))
			from = c.started
		}
	}
	if c.d.CreepPerHour > 0 {
		cycle := time.Duration((c.d.LimitMemory - c.d.Memory.Night) / c.d.CreepPerHour * float64(time.Hour))
		for c.leak(t) >= c.d.LimitMemory { // OOMKilled at the limit, started again at once
			c.ooms++
			c.restarts++
			c.restart(c.started.Add(cycle))
			from = c.started
		}
		c.mem = math.Min(c.jitter(c.leak(t)), c.d.LimitMemory-4096)
	} else {
		c.mem = c.jitter(c.d.Memory.At(t))
	}
	u := c.jitter(c.d.CPU.At(t))
	dt := t.Sub(from).Seconds()
	c.cpu += u * dt
	c.periods += periodsPerSecond * dt
	c.throttled += c.d.Throttled(u) * periodsPerSecond * dt
	return u * dt
}
