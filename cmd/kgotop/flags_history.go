package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/kgotop/kgotop/internal/collect"
)

// The flags that say where kgotop reads the workloads' past from: a store
// of metrics with a Prometheus-compatible API (issue 13). Kept together so
// that they move as one block.

// daysVar binds a days flag with its default.
func daysVar(p *days, def time.Duration) func(*pflag.FlagSet, setting) {
	return func(fs *pflag.FlagSet, s setting) {
		*p = days(def)
		fs.VarP(p, s.name, s.short, s.usage)
	}
}

// parsePrometheus checks --prometheus and --history and turns them into the
// collector's options.
func parsePrometheus(o *options) error {
	o.past = collect.PastOptions{Range: time.Duration(o.history)}
	switch p := strings.TrimSpace(o.prometheus); {
	case p == "off":
		o.past.Off = true
	case p != "":
		u, err := url.Parse(p)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("must be an http(s) URL or off, got %q", p)
		}
		o.past.URL = strings.TrimRight(p, "/")
	}
	return nil
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
