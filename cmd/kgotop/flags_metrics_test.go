package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestMetricsFlags(t *testing.T) {
	o, err := parseFlags([]string{"--report", "--metrics-port", "9090,http-admin", "--metrics-port", "2112", "--metrics-path", "/debug/metrics"}, io.Discard)
	if err != nil || !slices.Equal(o.metricsPorts, []string{"9090", "http-admin", "2112"}) || o.metricsPath != "/debug/metrics" {
		t.Fatalf("ports %v path %q err %v", o.metricsPorts, o.metricsPath, err)
	}
	if o, _ := parseFlags([]string{"--report"}, io.Discard); o.metricsPath != "/metrics" || len(o.metricsPorts) != 0 {
		t.Errorf("defaults: ports %v path %q", o.metricsPorts, o.metricsPath)
	}
	for _, bad := range [][]string{{"--metrics-port", "0"}, {"--metrics-port", "70000"}, {"--metrics-path", "metrics"}} {
		_, err := parseFlags(append([]string{"--report"}, bad...), io.Discard)
		if _, usage := err.(usageError); !usage || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: err %v, want a usage error naming the flag", bad, err)
		}
	}
}
