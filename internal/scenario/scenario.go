// Package scenario defines, once, the workloads that kgotop's demo, the
// advisor's end-to-end expectations and the sandbox's seed are made of: each
// a small story (an over-provisioned service, memory creeping to an
// OOMKill, a starved database pool, ...) with its pod spec, how its usage
// moves over time, what its Go runtime would report, and the advice a
// careful SRE would give for it. The demo simulates them on fake clientsets;
// cmd/kgotop-seed writes them into a real cluster. Neither keeps a copy.
package scenario

import (
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Namespace is where the scenarios live, in the demo and in the sandbox.
const Namespace = "kgotop-demo"

// Scenario is one workload and its story.
type Scenario struct {
	// Name is the workload's name; Story says in one line what it shows.
	Name  string
	Story string
	// Kind is Deployment or StatefulSet.
	Kind     model.Kind
	Replicas int32
	// UpdateStrategy is a StatefulSet's updateStrategy type ("" for the
	// API server's default, RollingUpdate; "OnDelete").
	UpdateStrategy string
	// Containers are the pod template's containers.
	Containers []Container
	// HPA, when set, scales the workload on CPU.
	HPA *HPA
	// Expect lists the advice kinds (advisor.Kind values) a report must give
	// for this workload once history has built up; NeedsRuntime marks the
	// ones that rest on the Go runtime's /metrics page, which the sandbox's
	// simulated pods cannot serve, and NeedsWatching the ones that rest on
	// each replica's usage watched over time, which the sandbox's one-shot
	// report does not have.
	Expect        []string
	NeedsRuntime  []string
	NeedsWatching []string
}

// Container is one container of a scenario's pod template.
type Container struct {
	Name  string
	Image string
	// Requests and Limits: CPU in millicores, memory in bytes; 0 = not set.
	Requests, Limits model.ResourceList
	Env              []model.EnvVar
	// Port is the container's HTTP port (0 = none); it is named "http".
	Port int32
	// Probes use Port's /healthz (liveness) and /readyz (readiness).
	Liveness, Readiness *Probe
	// CPU and Memory say how usage moves.
	CPU, Memory Usage
	// OOM makes memory creep by CreepPerHour until it reaches the memory
	// limit; the container is then OOMKilled and starts over.
	CreepPerHour int64
	// StartSeconds is how long the program takes to become ready. When the
	// liveness probe's budget is shorter, the kubelet kills it while starting.
	StartSeconds int32
	// CrashExit, when not 0, is the exit code the program dies with two
	// seconds after every start (a missing setting, say), with CrashMessage
	// as its termination message: the kubelet backs off into CrashLoopBackOff.
	CrashExit    int32
	CrashMessage string
	// Runtime is what the Go runtime's /metrics page says, nil for a
	// container that serves none.
	Runtime *Runtime
	// Stopped, when set, is how the first replica's previous run ended,
	// before the simulation starts: it restarted once.
	Stopped *Stop
	// Hot, when above 1, is how many times the others' CPU the first
	// replica uses: clients pinned to it by long-lived connections.
	Hot float64
}

// Stop is how a run ended: with Exit (and Reason) after Run, Ago before
// the simulation starts. A program that ignores SIGTERM exits 143.
type Stop struct {
	Exit     int32
	Reason   string
	Run, Ago time.Duration
}

// Probe is an HTTP probe on the container's port.
type Probe struct {
	Path                                                                 string
	InitialDelaySeconds, PeriodSeconds, TimeoutSeconds, FailureThreshold int32
}

// Budget returns how long the probe lets a container fail before acting.
func (p Probe) Budget() time.Duration {
	return time.Duration(p.InitialDelaySeconds+p.FailureThreshold*p.PeriodSeconds) * time.Second
}

// Usage is how one resource's usage moves: Base plus Swing times a triangle
// wave 0 -> 1 -> 0 over two minutes of a pod's age, the same shape the
// sandbox's kwok usage expression draws.
type Usage struct {
	Base, Swing int64
}

// WavePeriod is the period of the usage wave.
const WavePeriod = 120 * time.Second

// At returns the usage of a pod age old.
func (u Usage) At(age time.Duration) int64 {
	s := int64(age/time.Second) % int64(WavePeriod/time.Second)
	half := int64(WavePeriod / time.Second / 2)
	if s >= half {
		s = 2*half - s
	}
	return u.Base + u.Swing*s/half
}

// HPA is a CPU HorizontalPodAutoscaler.
type HPA struct {
	Min, Max          int32
	TargetUtilization int32
}

// Runtime is what a Go program's Prometheus metrics report.
type Runtime struct {
	Version    string // "go1.23.4"
	GOGC       int64  // the GC percent the runtime runs with
	GOMAXPROCS int64
	GOMEMLIMIT int64 // bytes; math.MaxInt64 when unset
	HeapShare  float64
	Goroutines int64
	// DB is a database/sql pool, if the program has one.
	DB *Pool
}

// Pool is a database/sql pool's state; WaitPerMinute is how many callers a
// minute wait for a connection.
type Pool struct {
	Name                   string
	MaxOpen, InUse, Idle   int64
	WaitPerMinute          int64
	WaitSecondsPerMinute   float64
	MaxIdleClosedPerMinute int64
}
