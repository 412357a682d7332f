// Command measure runs kgotop against a sandbox namespace the way a person
// would and measures what it costs, for scripts/bench: the wall time of
// --report; for the dashboard in tmux, the time to the first complete screen,
// resident memory (peak and over a steady window), CPU over that window and
// how fast a key press redraws; and, from the API server's audit log, every
// request kgotop's user agent made, by verb and resource, with relists,
// metrics lists and Go runtime scrapes per metrics window. Each run appends
// one JSON line to --out; `measure table` renders those lines as one table.
//
//	measure --kgotop bin/kgotop --kubeconfig K --namespace bench --audit-dir D --pods 1000 --workloads 100
//	measure table --in results.jsonl --md results.md [--history pastread.txt]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// options say what to run and how long to watch it.
type options struct {
	kgotop, kubeconfig, namespace, auditDir, work, out string
	pods, workloads                                    int
	steady, settle, window, startTimeout               time.Duration
	width, height, keys                                int
	extraArgs                                          []string
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "table" {
		if err := tableMain(os.Args[2:]); err != nil {
			fmt.Fprintf(os.Stderr, "measure table: %v\n", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.StringVar(&o.kgotop, "kgotop", "bin/kgotop", "the kgotop binary to measure")
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig of the sandbox")
	flag.StringVar(&o.namespace, "namespace", "bench", "namespace kgotop watches")
	flag.StringVar(&o.auditDir, "audit-dir", "", "folder of the API server's audit.log (and its rotated files)")
	flag.StringVar(&o.work, "work", ".", "folder for kgotop's logs, history cache and report output")
	flag.StringVar(&o.out, "out", "results.jsonl", "file to append the result line to")
	flag.IntVar(&o.pods, "pods", 0, "pods in the namespace")
	flag.IntVar(&o.workloads, "workloads", 0, "workloads the dashboard must list for its screen to be complete")
	flag.DurationVar(&o.steady, "steady", 60*time.Second, "the steady window CPU and memory are measured over")
	flag.DurationVar(&o.settle, "settle", 15*time.Second, "wait between the first complete screen and the steady window")
	flag.DurationVar(&o.window, "window", 15*time.Second, "the metrics window (metrics-server's --metric-resolution)")
	flag.DurationVar(&o.startTimeout, "start-timeout", 3*time.Minute, "how long the first complete screen may take before the run fails")
	flag.IntVar(&o.width, "width", 200, "terminal columns")
	flag.IntVar(&o.height, "height", 50, "terminal lines")
	flag.IntVar(&o.keys, "keys", 20, "key presses to time")
	flag.Parse()
	o.extraArgs = flag.Args()
	// Interrupted, it still stops the kgotop it started (deferred), and a
	// closed stderr must not kill it before then.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "measure: %v\n", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "measure: [%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// result is one size's line of results.jsonl.
type result struct {
	Pods      int    `json:"pods"`
	Workloads int    `json:"workloads"`
	Started   string `json:"started"`

	ReportSeconds  float64        `json:"report_s"`
	ReportMaxRSSMB float64        `json:"report_maxrss_mb"`
	ReportRequests map[string]int `json:"report_requests"`

	dashboard
	DashInitial  map[string]int `json:"dash_initial_requests"`
	DashSteady   map[string]int `json:"dash_steady_requests"`
	DashAll      map[string]int `json:"dash_all_requests"`
	Relists      int            `json:"relists"`
	RelistSteady int            `json:"relists_steady"`
	Windows      float64        `json:"steady_windows"`
	MetricsPerW  float64        `json:"metrics_lists_per_window"`
	ScrapesPerW  float64        `json:"scrapes_per_window"`
	ScrapeBound  int            `json:"scrape_bound"`

	// past is BenchmarkPastRead's result at this size (measure table --history).
	past *pastRead
}

func run(ctx context.Context, o options) error {
	if o.kubeconfig == "" || o.auditDir == "" || o.pods <= 0 || o.workloads <= 0 {
		return fmt.Errorf("--kubeconfig, --audit-dir, --pods and --workloads are required")
	}
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return err
	}
	// Requests are told apart by user agent and time: another kgotop
	// running now would be counted as this one.
	if pids := running(o.kgotop); len(pids) > 0 {
		return fmt.Errorf("%s already runs (pid %v): stop it first, or its API requests count as this run's", o.kgotop, pids)
	}
	res := result{Pods: o.pods, Workloads: o.workloads, Started: time.Now().UTC().Format(time.RFC3339)}

	// --report: the wall time from exec to exit.
	logf("%d pods: kgotop --report", o.pods)
	r0 := time.Now()
	rusage, err := runReport(ctx, o)
	r1 := time.Now()
	if err != nil {
		return err
	}
	res.ReportSeconds = r1.Sub(r0).Seconds()
	res.ReportMaxRSSMB = float64(rusage.Maxrss) / 1024 // kB on Linux
	logf("report in %.2fs (max RSS %.0f MB)", res.ReportSeconds, res.ReportMaxRSSMB)
	time.Sleep(time.Second)

	// The dashboard in tmux.
	logf("%d pods: the dashboard in tmux (%dx%d), steady window %s", o.pods, o.width, o.height, o.steady)
	d, err := runDashboard(ctx, o)
	if err != nil {
		return err
	}
	res.dashboard = d
	time.Sleep(2 * time.Second) // the audit log's last watch lines

	reqs, err := readAudit(o.auditDir, "kgotop/")
	if err != nil {
		return err
	}
	res.ReportRequests = count(reqs, r0, r1)
	dashStart, dashEnd := d.start(), d.end()
	res.DashAll = count(reqs, dashStart, dashEnd)
	res.DashInitial = count(reqs, dashStart, d.completeAt())
	s0, s1 := d.steadyWindow()
	res.DashSteady = count(reqs, s0, s1)
	res.Relists = relists(reqs, dashStart, dashEnd)
	res.RelistSteady = listsIn(reqs, s0, s1)
	res.Windows = s1.Sub(s0).Seconds() / o.window.Seconds()
	res.MetricsPerW = float64(res.DashSteady["list pods.metrics.k8s.io"]) / res.Windows
	res.ScrapesPerW = float64(res.DashSteady["get pods/proxy"]) / res.Windows
	res.ScrapeBound = min(2*o.workloads, 64)

	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(o.out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(append(line, '\n'))
	return err
}

// kgotopEnv keeps kgotop's usage history in the bench's own folder.
func kgotopEnv(o options) []string {
	return append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(o.work, "cache"))
}

func kgotopArgs(o options, extra ...string) []string {
	args := []string{"--kubeconfig", o.kubeconfig, "-n", o.namespace}
	args = append(args, extra...)
	return append(args, o.extraArgs...)
}

// runReport runs kgotop --report and returns its resource usage.
func runReport(ctx context.Context, o options) (*syscall.Rusage, error) {
	out, err := os.Create(filepath.Join(o.work, fmt.Sprintf("report-%d.txt", o.pods)))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, o.kgotop, kgotopArgs(o, "--report", "--width", "160",
		"--log-file", filepath.Join(o.work, fmt.Sprintf("report-%d.log", o.pods)))...)
	cmd.Env, cmd.Stdout, cmd.Stderr = kgotopEnv(o), out, &stderr
	if err := evict(o.kgotop); err != nil {
		return nil, err
	}
	if err := cmd.Run(); err != nil {
		// --report exits 3 only with --fail-on; anything else is a failure.
		return nil, fmt.Errorf("kgotop --report: %w: %s", err, stderr.String())
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		ru = &syscall.Rusage{}
	}
	return ru, nil
}
