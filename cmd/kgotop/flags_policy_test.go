package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
)

func TestPolicyFlags(t *testing.T) {
	o, err := parseFlags([]string{"--report"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if a := o.advisorOptions(); a.MemoryQoS != advisor.MemoryAuto || a.CPULimits != advisor.CPULimitsKeep || a.SizingMin != 3*time.Hour || a.PatchLowConfidence {
		t.Errorf("defaults: %+v", a)
	}
	o, err = parseFlags([]string{"--report", "--memory-qos", "guaranteed", "--cpu-limits", "remove", "--sizing-min", "90m",
		"--patch-low-confidence", "--db-max-connections", "100"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a := o.advisorOptions()
	if a.MemoryQoS != advisor.MemoryGuaranteed || a.CPULimits != advisor.CPULimitsRemove || a.SizingMin != 90*time.Minute ||
		!a.PatchLowConfidence || a.DBMaxConnections != 100 {
		t.Errorf("set: %+v", a)
	}
	if o, err := parseFlags([]string{"--report", "--memory-qos", "auto"}, io.Discard); err != nil || o.advisorOptions().MemoryQoS != advisor.MemoryAuto {
		t.Errorf("--memory-qos auto, the default named: %v", err)
	}
	for _, bad := range [][]string{{"--memory-qos", "besteffort"}, {"--cpu-limits", "drop"}, {"--sizing-min", "0s"}} {
		_, err := parseFlags(append([]string{"--report"}, bad...), io.Discard)
		if _, usage := err.(usageError); !usage || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: err %v, want a usage error naming the flag", bad, err)
		}
	}
	var help strings.Builder
	parseFlags([]string{"--help"}, &help)
	for _, f := range []string{"--memory-qos", "--cpu-limits", "--sizing-min", "--patch-low-confidence"} {
		if !strings.Contains(help.String(), f) {
			t.Errorf("--help lacks %s", f)
		}
	}
}
