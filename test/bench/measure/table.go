package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// tableMain renders results.jsonl as one Markdown table, metric by size,
// on stdout and into --md; with --history, BenchmarkPastRead's results
// (the output of go test -bench) add rows and a footnote.
func tableMain(args []string) error {
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	in := fs.String("in", "results.jsonl", "result lines written by measure")
	md := fs.String("md", "", "also write the table here, with a heading")
	heading := fs.String("heading", "", "text put above the table in --md")
	history := fs.String("history", "", "output of go test -bench PastRead ./internal/collect")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var reads map[string]pastRead
	if *history != "" {
		var err error
		if reads, err = readPastReads(*history); err != nil {
			return err
		}
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	bySize := map[int]result{} // the last run of each size
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("%s: %w", *in, err)
		}
		bySize[r.Pods] = r
	}
	if err := sc.Err(); err != nil {
		return err
	}
	sizes := slices.Sorted(maps.Keys(bySize))
	var rs []result
	for _, s := range sizes {
		r := bySize[s]
		if p, ok := reads[fmt.Sprintf("pods=%d", s)]; ok {
			r.past = &p
		}
		rs = append(rs, r)
	}
	table := render(rs, len(reads) > 0)
	if len(reads) > 0 {
		table += "\n" + pastReadNote(reads)
	}
	fmt.Print(table)
	if *md != "" {
		text := table
		if *heading != "" {
			text = *heading + "\n\n" + table
		}
		return os.WriteFile(*md, []byte(text), 0o644)
	}
	return nil
}

// row is one metric: its name, the target it is held to, and its value per size.
type row struct {
	name, target string
	value        func(r result) string
}

var rows = []row{
	{"workloads", "", func(r result) string { return fmt.Sprint(r.Workloads) }},
	{"`--report`: wall time to the report", "", func(r result) string { return fmt.Sprintf("%.2f s", r.ReportSeconds) }},
	{"`--report`: peak RSS", "", func(r result) string { return fmt.Sprintf("%.0f MB", r.ReportMaxRSSMB) }},
	{"dashboard: first rows", "", func(r result) string { return fmt.Sprintf("%.2f s", r.FirstRowsS) }},
	{"dashboard: first complete screen", "≤ 5 s at 10k", func(r result) string { return fmt.Sprintf("%.2f s", r.CompleteS) }},
	{"RSS peak (VmHWM)", "≤ 350 MB at 10k", func(r result) string { return fmt.Sprintf("%.0f MB", r.RSSPeakMB) }},
	{"RSS steady, max / median", "≤ 120 MB at 2k", func(r result) string {
		return fmt.Sprintf("%.0f / %.0f MB", r.RSSSteadyMaxMB, r.RSSSteadyMedianMB)
	}},
	{"of it anonymous (not the executable's pages), median", "", func(r result) string {
		return fmt.Sprintf("%.0f MB", r.AnonSteadyMedianMB)
	}},
	{"CPU, steady window", "≤ 3% of a core at 2k", func(r result) string {
		return fmt.Sprintf("%.2f%% (%.0f s)", r.CPUPercent, r.SteadyS)
	}},
	{"key press redraw, median / max", "≤ 100 ms at 10k", func(r result) string {
		s := fmt.Sprintf("%.0f / %.0f ms", r.KeyMedianMS, r.KeyMaxMS)
		if r.KeyMissed > 0 {
			s += fmt.Sprintf(" (%d missed)", r.KeyMissed)
		}
		return s
	}},
	{"API requests, `--report`", "", func(r result) string { return requests(r.ReportRequests) }},
	{"API requests, dashboard to complete screen", "", func(r result) string { return requests(r.DashInitial) }},
	{"API requests, dashboard steady window", "watches + metrics + scrapes", func(r result) string { return requests(r.DashSteady) }},
	{"relists (whole run / steady window)", "0", func(r result) string { return fmt.Sprintf("%d / %d", r.Relists, r.RelistSteady) }},
	{"metrics lists per window", "1", func(r result) string { return fmt.Sprintf("%.2f", r.MetricsPerW) }},
	{"Go scrapes per window (bound)", "≤ 2 per workload, ≤ 64", func(r result) string {
		return fmt.Sprintf("%.1f (%d)", r.ScrapesPerW, r.ScrapeBound)
	}},
}

func render(rs []result, pastReads bool) string {
	var b strings.Builder
	b.WriteString("| metric | target |")
	for _, r := range rs {
		fmt.Fprintf(&b, " %d pods |", r.Pods)
	}
	b.WriteString("\n|---|---|")
	for range rs {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	all := rows
	if pastReads {
		all = append(slices.Clip(rows), pastReadRows...)
	}
	for _, rw := range all {
		fmt.Fprintf(&b, "| %s | %s |", rw.name, rw.target)
		for _, r := range rs {
			fmt.Fprintf(&b, " %s |", rw.value(r))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// requests renders counts by verb, most first, each with its resources:
// "9 watchlist (pods, events×2, ...), 1 list (podmetrics)".
func requests(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	byVerb := map[string]map[string]int{}
	total := map[string]int{}
	for name, n := range m {
		verb, res, _ := strings.Cut(name, " ")
		if byVerb[verb] == nil {
			byVerb[verb] = map[string]int{}
		}
		byVerb[verb][short(res)] += n
		total[verb] += n
	}
	verbs := slices.Sorted(maps.Keys(byVerb))
	slices.SortStableFunc(verbs, func(a, b string) int { return total[b] - total[a] })
	parts := make([]string, len(verbs))
	for i, v := range verbs {
		res := slices.Sorted(maps.Keys(byVerb[v]))
		slices.SortStableFunc(res, func(a, b string) int { return byVerb[v][b] - byVerb[v][a] })
		for j, r := range res {
			if n := byVerb[v][r]; n > 1 {
				res[j] = fmt.Sprintf("%s×%d", r, n)
			}
		}
		parts[i] = fmt.Sprintf("%d %s (%s)", total[v], v, strings.Join(res, ", "))
	}
	return strings.Join(parts, "; ")
}

// short names a resource as kubectl's short names do.
func short(res string) string {
	switch res {
	case "pods.metrics.k8s.io":
		return "podmetrics"
	case "horizontalpodautoscalers.autoscaling":
		return "hpa"
	case "replicasets.apps":
		return "rs"
	case "deployments.apps":
		return "deploy"
	case "statefulsets.apps":
		return "sts"
	case "daemonsets.apps":
		return "ds"
	case "jobs.batch":
		return "jobs"
	}
	return res
}
