package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// The demo is deterministic under a fixed seed, so its report is a golden file.
func TestDemoReportGolden(t *testing.T) {
	var stdout, stderr bytes.Buffer
	t.Setenv("NO_COLOR", "1")
	if code := run(context.Background(), []string{"--demo", "--report", "--width", "140"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	golden.RequireEqual(t, stdout.Bytes())
}

func TestDemoFailOn(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--demo", "--report", "-o", "json", "--fail-on", "critical"}, &stdout, &stderr)
	if code != exitAdvice || !strings.Contains(stderr.String(), "--fail-on critical") || !strings.Contains(stdout.String(), `"schema_version": 1`) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
