package main

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/kgotop/kgotop/internal/collect"
)

// The flags that say where kgotop reads the workloads' past from: a store
// of metrics with a Prometheus-compatible API (issue 13). Kept together so
// that they move as one block.

// historyFlags are the history flags after parsing.
type historyFlags struct {
	prometheus string // URL, "off", or "" (look for one)
	history    days
}

// addHistoryFlags adds --prometheus and --history; KGOTOP_PROMETHEUS is
// --prometheus's default.
func addHistoryFlags(fs *pflag.FlagSet, h *historyFlags) {
	h.history = days(8 * 24 * time.Hour)
	fs.StringVar(&h.prometheus, "prometheus", os.Getenv("KGOTOP_PROMETHEUS"),
		"where to read the workloads' past from: the URL of a Prometheus-compatible API (Prometheus, Thanos Query, Mimir, VictoriaMetrics), "+
			"or off; default $KGOTOP_PROMETHEUS, else a Prometheus Service found in the cluster, read through the API server")
	fs.Var(&h.history, "history", "how far back to read from Prometheus, in days or hours (8d, 14d, 36h)")
}

// pastOptions checks the history flags and turns them into the collector's options.
func (h historyFlags) pastOptions() (collect.PastOptions, error) {
	o := collect.PastOptions{Range: time.Duration(h.history)}
	switch p := strings.TrimSpace(h.prometheus); {
	case p == "off":
		o.Off = true
	case p != "":
		u, err := url.Parse(p)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return o, usageError{fmt.Errorf("--prometheus must be an http(s) URL or off, got %q", p)}
		}
		o.URL = strings.TrimRight(p, "/")
	}
	return o, nil
}

// days is a duration flag that also takes days ("8d", "1d12h").
type days time.Duration

func (d *days) String() string {
	v := time.Duration(*d)
	if v%(24*time.Hour) == 0 && v > 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return v.String()
}

func (d *days) Set(s string) error {
	var n time.Duration
	if before, after, ok := strings.Cut(s, "d"); ok {
		k, err := strconv.Atoi(before)
		if err != nil || k < 0 {
			return fmt.Errorf("%q is not a number of days", s)
		}
		n, s = time.Duration(k)*24*time.Hour, after
	}
	if s != "" {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		n += v
	}
	if n <= 0 {
		return fmt.Errorf("%q: the history must be longer than 0", s)
	}
	*d = days(n)
	return nil
}

func (d *days) Type() string { return "duration" }
