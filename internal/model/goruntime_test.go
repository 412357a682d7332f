package model

import (
	"testing"
	"time"
)

func TestDetectGo(t *testing.T) {
	cases := []struct {
		name          string
		c             Container
		want          GoDetection
		version, from string
	}{
		{"toolchain image", Container{Image: "golang:1.16"}, GoLikely, "1.16", "image golang:1.16"},
		{"toolchain image with variant and registry", Container{Image: "docker.io/library/golang:1.22-alpine"}, GoLikely, "1.22", "image docker.io/library/golang:1.22-alpine"},
		{"untagged toolchain", Container{Image: "golang"}, GoLikely, "", "image golang"},
		{"go env", Container{Image: "registry.example/api:1.2", Env: []EnvVar{{Name: "PORT"}, {Name: "GOMEMLIMIT", From: &EnvSource{Kind: EnvResourceField, Resource: "limits.memory"}}}}, GoLikely, "", "env GOMEMLIMIT"},
		{"nothing", Container{Image: "nginx:1.27", Env: []EnvVar{{Name: "GOPATH"}}}, GoUnknown, "", ""},
		{"registry port is not a tag", Container{Image: "localhost:5000/golang"}, GoLikely, "", "image localhost:5000/golang"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := DetectGo(c.c)
			if got.Detection != c.want || got.Version != c.version || got.Evidence != c.from {
				t.Fatalf("DetectGo = %+v, want %s version %q evidence %q", got, c.want, c.version, c.from)
			}
		})
	}
}

func TestSplitImage(t *testing.T) {
	for in, want := range map[string][2]string{
		"api":                          {"api", ""},
		"api:latest":                   {"api", "latest"},
		"host:5000/team/api:1.2":       {"host:5000/team/api", "1.2"},
		"api@sha256:abc":               {"api", "sha256:abc"},
		"host:5000/api:1.2@sha256:abc": {"host:5000/api:1.2", "sha256:abc"},
	} {
		if r, tag := SplitImage(in); r != want[0] || tag != want[1] {
			t.Errorf("SplitImage(%q) = %q, %q; want %q, %q", in, r, tag, want[0], want[1])
		}
	}
}

// A pool's first counters of a process are kept from read to read, so that
// the advisor judges what grew while kgotop watched; a restart starts over.
func TestKeepFirstPoolCounters(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	read := func(min int, waits int64) *GoRuntime {
		return &GoRuntime{Scraped: at.Add(time.Duration(min) * time.Minute),
			DB: []DBStats{{Name: "main", WaitCount: waits, WaitDuration: time.Duration(waits) * time.Millisecond}, {Name: "other", WaitCount: 7}}}
	}
	first, second, third := read(0, 500), read(1, 520), read(2, 560)
	second.KeepFirst(first)
	third.KeepFirst(second)
	if f := third.DB[0].First; f == nil || f.WaitCount != 500 || !f.At.Equal(at) {
		t.Fatalf("third read's first counters %+v, want the first read's", f)
	}
	if f := third.DB[1].First; f == nil || f.WaitCount != 7 {
		t.Errorf("each pool keeps its own: %+v", f)
	}
	restarted := read(3, 4)
	restarted.KeepFirst(third)
	if restarted.DB[0].First != nil {
		t.Errorf("a counter that went down (a restart) kept %+v", restarted.DB[0].First)
	}
	stale := read(1, 600)
	stale.KeepFirst(third) // an older read never becomes the first
	if stale.DB[0].First != nil {
		t.Errorf("a read older than the previous one took %+v", stale.DB[0].First)
	}
}

func TestMappedIsWhatGOMEMLIMITCounts(t *testing.T) {
	for _, tc := range []struct {
		r    GoRuntime
		want int64
		from string
	}{
		{GoRuntime{Sys: 500, MemTotal: -1, HeapReleased: 100}, 400, "go_memstats_sys_bytes less heap released"},
		{GoRuntime{Sys: 500, MemTotal: 520, HeapReleased: 100}, 420, "go_memory_classes_total_bytes less heap released"},
		{GoRuntime{Sys: 500, MemTotal: -1, HeapReleased: -1}, 0, ""}, // released unknown: not the runtime's total
		{GoRuntime{Sys: -1, MemTotal: -1, HeapReleased: 0}, 0, ""},
		{GoRuntime{Sys: 50, MemTotal: -1, HeapReleased: 100}, 0, ""},
	} {
		if got, from := tc.r.Mapped(); got != tc.want || from != tc.from {
			t.Errorf("%+v: %d %q, want %d %q", tc.r, got, from, tc.want, tc.from)
		}
	}
}
