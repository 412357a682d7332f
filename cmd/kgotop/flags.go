package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/report"
)

// options are kgotop's flags after parsing.
type options struct {
	kube          *genericclioptions.ConfigFlags
	allNamespaces bool
	selector      string
	report        bool
	output        string
	format        report.Format
	window        time.Duration
	width         int
	version       bool
	help          bool
	logFile       string
	syncTimeout   time.Duration
	failOn        string
	failOnSev     advisor.Severity
	noHistory     bool
	dbMaxConns    int64
	adviseHPA     bool
	memoryQoS     string
	cpuLimits     string
	sizingMin     time.Duration
	patchLowConf  bool
	advisor       advisor.Options
	demo          bool
	seed          uint64
	readOnly      bool
	metricsPorts  []string
	metricsPath   string
	historyFlags
	past collect.PastOptions
}

// usageError is bad usage: kgotop exits 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

const usageHead = `kgotop: a live dashboard and tuning advice for Go workloads on Kubernetes.

Usage:
  kgotop [-n NAMESPACE | -A] [-l SELECTOR]          open the dashboard
  kgotop --report [-o text|json|markdown] [--window 2m]   print a report and exit

Flags:
`

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{kube: genericclioptions.NewConfigFlags(true)}
	fs := pflag.NewFlagSet("kgotop", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "watch every namespace")
	fs.StringVarP(&o.selector, "selector", "l", "", "label selector for pods (app=api,tier!=cache)")
	fs.BoolVar(&o.report, "report", false, "print a report and exit instead of opening the dashboard")
	fs.BoolVar(&o.demo, "demo", false, "show a simulated cluster: no cluster needed")
	fs.Uint64Var(&o.seed, "seed", 1, "with --demo, the seed of the simulation (the same seed gives the same demo)")
	fs.StringVarP(&o.output, "output", "o", "text", "report format: text, json or markdown")
	fs.DurationVar(&o.window, "window", 0, "how long --report samples metrics (default: the newest metrics window only)")
	fs.IntVar(&o.width, "width", 0, "width the text report must fit (default: the terminal's, or $COLUMNS, or 120)")
	fs.StringVar(&o.logFile, "log-file", "", "write diagnostics to this file (the terminal stays clean)")
	fs.StringVar(&o.failOn, "fail-on", "", "with --report, exit 3 when advice of this severity or worse exists: info, warning or critical")
	fs.Int64Var(&o.dbMaxConns, "db-max-connections", 0, "the database's connection limit, to check pool sizes across all replicas against")
	fs.BoolVar(&o.adviseHPA, "advise-hpa-resources", false, "offer patches for the requests an HPA scales on (by default only said: changing them moves the HPA's threshold)")
	fs.StringVar(&o.memoryQoS, "memory-qos", string(advisor.MemoryAuto), "how memory requests and limits move together: auto (Burstable, but a container Guaranteed today keeps requests = limits), burstable (every container: limit at most 2x the request) or guaranteed (memory request = memory limit; CPU is left to --cpu-limits, so a pod is Guaranteed only if its CPU request equals its CPU limit too)")
	fs.StringVar(&o.cpuLimits, "cpu-limits", string(advisor.CPULimitsKeep), "what to do with a CPU limit usage sits at: keep (raise it 2x and measure again) or remove (as krr does)")
	fs.DurationVar(&o.sizingMin, "sizing-min", 3*time.Hour, "the least usage history (with at least 100 samples) a request or limit change goes into a patch on; with less it is shown, not patched")
	fs.BoolVar(&o.patchLowConf, "patch-low-confidence", false, "put held sizing into patches too: built on less than --sizing-min of history, or a request already inside its range on less than 12h")
	fs.StringSliceVar(&o.metricsPorts, "metrics-port", nil, "port numbers or names to read Go runtime /metrics from, on pods with neither prometheus.io annotations nor a port named metrics")
	fs.StringVar(&o.metricsPath, "metrics-path", "/metrics", "the path of /metrics on the ports --metrics-port or a port named metrics gives")
	fs.BoolVar(&o.noHistory, "no-history", false, "neither read nor save the usage history kept between runs")
	addHistoryFlags(fs, &o.historyFlags)
	fs.BoolVar(&o.readOnly, "read-only", false, "turn applying patches off in the dashboard (copying the kubectl command still works)")
	fs.DurationVar(&o.syncTimeout, "sync-timeout", 30*time.Second, "how long to wait for the first list of pods and workloads")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVarP(&o.help, "help", "h", false, "show this help")
	o.kube.AddFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %q (kgotop takes flags only; see --help)", fs.Arg(0))}
	}
	if o.help {
		fs.Usage()
		return o, nil
	}
	f, err := report.ParseFormat(o.output)
	if err != nil {
		return nil, usageError{err}
	}
	o.format = f
	if o.failOn != "" {
		if o.failOnSev, err = advisor.ParseSeverity(o.failOn); err != nil {
			return nil, usageError{fmt.Errorf("--fail-on: %w", err)}
		}
	}
	if o.advisor, err = o.policies(); err != nil {
		return nil, err
	}
	if o.past, err = o.pastOptions(); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(o.metricsPath, "/") {
		return nil, usageError{fmt.Errorf("--metrics-path must start with /, got %q", o.metricsPath)}
	}
	for _, p := range o.metricsPorts {
		if n, err := strconv.Atoi(p); err == nil && (n < 1 || n > 65535) || p == "" {
			return nil, usageError{fmt.Errorf("--metrics-port %q is neither a port number (1-65535) nor a port name", p)}
		}
	}
	if o.window < 0 {
		return nil, usageError{fmt.Errorf("--window must not be negative")}
	}
	if o.allNamespaces && o.kube.Namespace != nil && *o.kube.Namespace != "" {
		return nil, usageError{fmt.Errorf("-n and -A exclude each other")}
	}
	return o, nil
}

// policies reads the advisor's policy flags.
func (o *options) policies() (advisor.Options, error) {
	qos, err := advisor.ParseMemoryQoS(o.memoryQoS)
	if err != nil {
		return advisor.Options{}, usageError{fmt.Errorf("--memory-qos: %w", err)}
	}
	cpu, err := advisor.ParseCPULimits(o.cpuLimits)
	if err != nil {
		return advisor.Options{}, usageError{fmt.Errorf("--cpu-limits: %w", err)}
	}
	if o.sizingMin <= 0 {
		return advisor.Options{}, usageError{fmt.Errorf("--sizing-min must be positive, got %s", o.sizingMin)}
	}
	return advisor.Options{MemoryQoS: qos, CPULimits: cpu, SizingMin: o.sizingMin, PatchLowConfidence: o.patchLowConf}, nil
}

// advisorOptions are the advisor's options the flags set.
func (o *options) advisorOptions() advisor.Options {
	a := o.advisor
	a.DBMaxConnections, a.AdviseHPAResources = o.dbMaxConns, o.adviseHPA
	return a
}
