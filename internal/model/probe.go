package model

import (
	"fmt"
	"strings"
	"time"
)

// ProbeType names one of the kubelet's probes.
type ProbeType string

// The kubelet's probe types.
const (
	Liveness  ProbeType = "liveness"
	Readiness ProbeType = "readiness"
	Startup   ProbeType = "startup"
)

// Probes are a container's probes; nil means not configured.
type Probes struct {
	Liveness  *Probe
	Readiness *Probe
	Startup   *Probe
}

// Get returns the probe of the given type, or nil.
func (p Probes) Get(t ProbeType) *Probe {
	switch t {
	case Liveness:
		return p.Liveness
	case Readiness:
		return p.Readiness
	case Startup:
		return p.Startup
	}
	return nil
}

// Probe is a probe spec with the API server's defaults filled in.
type Probe struct {
	// Handler describes what is probed: "http GET :8080/healthz", "tcp :8080",
	// "grpc :9090", "exec cat /tmp/ready".
	Handler             string
	InitialDelaySeconds int32
	PeriodSeconds       int32
	TimeoutSeconds      int32
	SuccessThreshold    int32
	FailureThreshold    int32
}

// String returns a compact form: "http GET :8080/healthz 10s/1s/3 delay 0s".
func (p Probe) String() string {
	s := fmt.Sprintf("%s %ds/%ds/%d", p.Handler, p.PeriodSeconds, p.TimeoutSeconds, p.FailureThreshold)
	if p.InitialDelaySeconds > 0 {
		s += fmt.Sprintf(" delay %ds", p.InitialDelaySeconds)
	}
	return s
}

// Budget returns how long the probe tolerates failure before acting:
// initialDelay + failureThreshold x period.
func (p Probe) Budget() time.Duration {
	return time.Duration(p.InitialDelaySeconds+p.FailureThreshold*p.PeriodSeconds) * time.Second
}

// ProbeFailure summarises the kubelet's failure events for one probe of one container.
type ProbeFailure struct {
	Probe ProbeType
	// Count is the number of failures reported (events are de-duplicated by
	// the API server, so one event can stand for many failures).
	Count       int32
	LastMessage string
	LastSeen    time.Time
	// Kills counts "failed liveness probe, will be restarted" events.
	Kills int32
}

// ProbeTypeOfMessage returns the probe type a kubelet Unhealthy message is
// about ("Liveness probe failed: ..."), or "" when it names none.
func ProbeTypeOfMessage(msg string) ProbeType {
	switch {
	case strings.HasPrefix(msg, "Liveness probe"):
		return Liveness
	case strings.HasPrefix(msg, "Readiness probe"):
		return Readiness
	case strings.HasPrefix(msg, "Startup probe"):
		return Startup
	}
	return ""
}
