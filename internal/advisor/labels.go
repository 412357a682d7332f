package advisor

import "strings"

// kindLabels name the kinds of advice for people.
var kindLabels = map[Kind]string{
	KindCPURequest:      "CPU request",
	KindCPULimit:        "CPU limit",
	KindMemoryRequest:   "memory request",
	KindMemoryLimit:     "memory limit",
	KindWatchLonger:     "watch longer",
	KindGOMEMLIMIT:      "GOMEMLIMIT",
	KindGOGC:            "GOGC",
	KindGOMAXPROCS:      "GOMAXPROCS",
	KindReadinessProbe:  "readiness probe",
	KindLivenessProbe:   "liveness probe",
	KindStartupProbe:    "startup probe",
	KindProbeTimeout:    "probe timeout",
	KindImageToolchain:  "image",
	KindImageLatest:     "image tag",
	KindHPAShift:        "HPA target",
	KindRestarts:        "restarts",
	KindDBPoolWait:      "DB pool",
	KindDBPoolUnlimited: "DB pool",
	KindDBPoolIdle:      "DB idle conns",
	KindDBPoolLifetime:  "DB conn lifetime",
	KindDBPoolTotal:     "DB pool total",
	KindMemoryLeak:      "memory growth",
	KindGoSupport:       "Go version",
	KindShutdown:        "shutdown",
	KindReplicaSkew:     "replica skew",
	KindHPAPinned:       "HPA minimum",
	KindAfterChange:     "after the change",
	undoKind:            "undo",
}

// Label names the kind of advice for people: "memory limit", "DB pool".
func (k Kind) Label() string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return strings.ReplaceAll(string(k), "-", " ")
}
