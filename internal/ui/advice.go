package ui

import (
	"strings"

	"github.com/kgotop/kgotop/internal/advisor"
)

// kindLabels name the kinds of advice for people.
var kindLabels = map[advisor.Kind]string{
	advisor.KindCPURequest:      "CPU request",
	advisor.KindCPULimit:        "CPU limit",
	advisor.KindMemoryRequest:   "memory request",
	advisor.KindMemoryLimit:     "memory limit",
	advisor.KindWatchLonger:     "watch longer",
	advisor.KindGOMEMLIMIT:      "GOMEMLIMIT",
	advisor.KindGOGC:            "GOGC",
	advisor.KindGOMAXPROCS:      "GOMAXPROCS",
	advisor.KindReadinessProbe:  "readiness probe",
	advisor.KindLivenessProbe:   "liveness probe",
	advisor.KindStartupProbe:    "startup probe",
	advisor.KindProbeTimeout:    "probe timeout",
	advisor.KindImageToolchain:  "image",
	advisor.KindImageLatest:     "image tag",
	advisor.KindHPAShift:        "HPA target",
	advisor.KindRestarts:        "restarts",
	advisor.KindDBPoolWait:      "DB pool",
	advisor.KindDBPoolUnlimited: "DB pool",
	advisor.KindDBPoolIdle:      "DB idle conns",
	advisor.KindDBPoolLifetime:  "DB conn lifetime",
	advisor.KindDBPoolTotal:     "DB pool total",
}

// kindLabel names a kind of advice.
func kindLabel(k advisor.Kind) string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return strings.ReplaceAll(string(k), "-", " ")
}

// adviceChange says what a piece of advice changes: "memory limit 384Mi →
// 484Mi", or only its label when it names no value.
func adviceChange(a advisor.Advice) string {
	s := kindLabel(a.Kind)
	switch {
	case a.Suggested.Display == "":
		return s
	case a.Current.Display == "":
		return s + " → " + a.Suggested.Display
	}
	return s + " " + a.Current.Display + " → " + a.Suggested.Display
}
