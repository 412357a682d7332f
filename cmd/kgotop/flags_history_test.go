package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/collect"
)

func TestHistoryFlags(t *testing.T) {
	t.Setenv("KGOTOP_PROMETHEUS", "")
	for _, c := range []struct {
		args []string
		env  string
		want collect.PastOptions
	}{
		{nil, "", collect.PastOptions{Range: 8 * 24 * time.Hour}},
		{[]string{"--prometheus", "off"}, "", collect.PastOptions{Off: true, Range: 8 * 24 * time.Hour}},
		{[]string{"--prometheus", "http://prom.example:9090/", "--history", "14d"}, "", collect.PastOptions{URL: "http://prom.example:9090", Range: 14 * 24 * time.Hour}},
		{[]string{"--history", "1d12h"}, "https://thanos.example/", collect.PastOptions{URL: "https://thanos.example", Range: 36 * time.Hour}},
		{[]string{"--prometheus", "off"}, "https://thanos.example", collect.PastOptions{Off: true, Range: 8 * 24 * time.Hour}},
		{[]string{"--history", "90m"}, "", collect.PastOptions{Range: 90 * time.Minute}},
	} {
		t.Setenv("KGOTOP_PROMETHEUS", c.env)
		o, err := parseFlags(append([]string{"--report"}, c.args...), io.Discard)
		if err != nil || o.past != c.want {
			t.Errorf("%v with $KGOTOP_PROMETHEUS=%q: %+v, %v; want %+v", c.args, c.env, o.past, err, c.want)
		}
	}
	t.Setenv("KGOTOP_PROMETHEUS", "")
	for _, bad := range [][]string{{"--prometheus", "prom:9090"}, {"--prometheus", "ftp://x"}, {"--history", "0d"}, {"--history", "xd"}, {"--history", "8 days"}} {
		_, err := parseFlags(append([]string{"--report"}, bad...), io.Discard)
		if _, usage := err.(usageError); !usage || !strings.Contains(err.Error(), strings.TrimPrefix(bad[0], "--")) {
			t.Errorf("%v: err %v, want a usage error naming the flag", bad, err)
		}
	}
}
