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
	// Handler is what is probed.
	Handler             ProbeHandler
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

// ProbeHandler is what a probe checks: exactly one of its fields is set, or
// none when the spec names a handler kgotop does not know.
type ProbeHandler struct {
	HTTPGet   *HTTPGetAction
	TCPSocket *TCPSocketAction
	GRPC      *GRPCAction
	Exec      *ExecAction
}

// HTTPGetAction is an HTTP GET probe.
type HTTPGetAction struct {
	// Scheme is "HTTP" or "HTTPS"; "" means HTTP.
	Scheme string
	// Host is the host to connect to; "" means the pod IP.
	Host    string
	Path    string
	Port    PortRef
	Headers []HTTPHeader
}

// HTTPHeader is a header an HTTP probe sends.
type HTTPHeader struct {
	Name, Value string
}

// TCPSocketAction is a probe that opens a TCP connection.
type TCPSocketAction struct {
	Host string
	Port PortRef
}

// GRPCAction is a probe that calls the gRPC health checking protocol.
type GRPCAction struct {
	Port int32
	// Service is the service name the health check asks about ("" for the server).
	Service string
}

// ExecAction is a probe that runs a command in the container.
type ExecAction struct {
	Command []string
}

// PortRef is a container port given by number or, when Number is 0, by name.
type PortRef struct {
	Number int32
	Name   string
}

// String returns the port's number or name.
func (p PortRef) String() string {
	if p.Number != 0 || p.Name == "" {
		return fmt.Sprint(p.Number)
	}
	return p.Name
}

// HTTPGet returns the handler of an HTTP GET probe of path on a numbered port.
func HTTPGet(port int32, path string) ProbeHandler {
	return ProbeHandler{HTTPGet: &HTTPGetAction{Path: path, Port: PortRef{Number: port}}}
}

// String describes the handler for people: "http GET :8080/healthz",
// "https GET example.com:8443/", "tcp :8080", "grpc :9090", "exec cat /tmp/ready".
func (h ProbeHandler) String() string {
	switch {
	case h.HTTPGet != nil:
		g := h.HTTPGet
		scheme := "http"
		if strings.EqualFold(g.Scheme, "HTTPS") {
			scheme = "https"
		}
		return fmt.Sprintf("%s GET %s:%s%s", scheme, g.Host, g.Port, g.Path)
	case h.TCPSocket != nil:
		return fmt.Sprintf("tcp %s:%s", h.TCPSocket.Host, h.TCPSocket.Port)
	case h.GRPC != nil:
		if h.GRPC.Service != "" {
			return fmt.Sprintf("grpc :%d %s", h.GRPC.Port, h.GRPC.Service)
		}
		return fmt.Sprintf("grpc :%d", h.GRPC.Port)
	case h.Exec != nil:
		return "exec " + strings.Join(h.Exec.Command, " ")
	}
	return "unknown"
}

// Port returns the container port the handler probes, if it probes one.
func (h ProbeHandler) Port() (PortRef, bool) {
	var p PortRef
	switch {
	case h.HTTPGet != nil:
		p = h.HTTPGet.Port
	case h.TCPSocket != nil:
		p = h.TCPSocket.Port
	case h.GRPC != nil:
		p = PortRef{Number: h.GRPC.Port}
	}
	return p, p.Number > 0 || p.Name != ""
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
