package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/report"
	"github.com/kgotop/kgotop/internal/ui"
)

// options are kgotop's settings after parsing: the flags, with the
// environment and the config file under them (settings.go).
type options struct {
	name          string // how kgotop was called: "kgotop", or "kubectl gotop" as a kubectl plugin
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
	memoryQoS     string
	cpuLimits     string
	cpuFloor      string
	memoryFloor   string
	advisor       advisor.Options
	demo          bool
	seed          uint64
	readOnly      bool
	theme         string
	metricsPorts  []string
	metricsPath   string
	config        string
	prometheus    string // URL, "off", or "" (look for one)
	history       days
	past          collect.PastOptions

	// sources says where each setting's value came from, and cfg is the
	// config file read (settings.go).
	sources map[string]source
	cfg     *configFile
}

// settings are all of kgotop's flags, in the order --help lists them: the
// one place a flag is declared.
//
// To add a flag, add a row: its name (and shorthand), its help, the field
// it sets with the default (bind), and, when its text needs checking or
// turning into what kgotop uses, a parse func that returns a plain error
// (the caller names the flag, variable or file key it came from). Give it
// a key ("advisor.fooBar", documented in the README's config section, which
// a test checks) and a team can set it in the config file too, and
// KGOTOP_<FLAG_NAME> in the environment; `kgotop config view` then shows
// it. choices are the values shell completion offers.
func (o *options) settings() []setting {
	return []setting{
		{name: "all-namespaces", short: "A", bind: boolVar(&o.allNamespaces),
			usage: "watch every namespace"},
		{name: "selector", short: "l", bind: stringVar(&o.selector, ""),
			usage: "label selector for pods (app=api,tier!=cache)"},
		{name: "report", bind: boolVar(&o.report),
			usage: "print a report and exit instead of opening the dashboard"},
		{name: "demo", bind: boolVar(&o.demo),
			usage: "show a simulated cluster: no cluster needed"},
		{name: "seed", bind: uint64Var(&o.seed, 1),
			usage: "with --demo, the seed of the simulation (the same seed gives the same demo)"},
		{name: "output", short: "o", bind: stringVar(&o.output, "text"), parse: parseOutput, choices: []string{"text", "json", "markdown"},
			usage: "report format: text, json or markdown"},
		{name: "window", bind: durationVar(&o.window, 0), parse: parseWindow,
			usage: "how long --report samples metrics (default: the newest metrics window only)"},
		{name: "width", bind: intVar(&o.width, 0),
			usage: "width the text report must fit (default: the terminal's, or $COLUMNS, or 120)"},
		{name: "log-file", bind: stringVar(&o.logFile, ""),
			usage: "write diagnostics to this file (the terminal stays clean)"},
		{name: "fail-on", bind: stringVar(&o.failOn, ""), parse: parseFailOn, choices: []string{"info", "warning", "critical"},
			usage: "with --report, exit 3 when advice of this severity or worse exists: info, warning or critical"},
		{name: "db-max-connections", key: "advisor.dbMaxConnections", bind: int64Var(&o.advisor.DBMaxConnections, 0), parse: parseDBMaxConnections,
			usage: "the database's connection limit, to check pool sizes across all replicas against"},
		{name: "advise-hpa-resources", key: "advisor.adviseHPAResources", bind: boolVar(&o.advisor.AdviseHPAResources),
			usage: "offer patches for the requests an HPA scales on (by default only said: changing them moves the HPA's threshold)"},
		{name: "memory-qos", key: "advisor.memoryQoS", bind: stringVar(&o.memoryQoS, string(advisor.MemoryAuto)), parse: parseMemoryQoS,
			choices: []string{string(advisor.MemoryAuto), string(advisor.MemoryBurstable), string(advisor.MemoryGuaranteed)},
			usage:   "how memory requests and limits move together: auto (Burstable, but a container Guaranteed today keeps requests = limits), burstable (every container: limit at most 2x the request) or guaranteed (memory request = memory limit; CPU is left to --cpu-limits, so a pod is Guaranteed only if its CPU request equals its CPU limit too)"},
		{name: "cpu-limits", key: "advisor.cpuLimits", bind: stringVar(&o.cpuLimits, string(advisor.CPULimitsKeep)), parse: parseCPULimits,
			choices: []string{string(advisor.CPULimitsKeep), string(advisor.CPULimitsRemove)},
			usage:   "what to do with a CPU limit usage sits at: keep (raise it 2x and measure again) or remove (as krr does)"},
		{name: "sizing-min", key: "advisor.sizingMin", bind: durationVar(&o.advisor.SizingMin, 3*time.Hour), parse: parseSizingMin,
			usage: "the least usage history (with at least 100 samples) a request or limit change goes into a patch on; with less it is shown, not patched"},
		{name: "patch-low-confidence", key: "advisor.patchLowConfidence", bind: boolVar(&o.advisor.PatchLowConfidence),
			usage: "put held sizing into patches too: built on less than --sizing-min of history, or a request already inside its range on less than 12h"},
		{name: "safety-margin", key: "advisor.safetyMargin", bind: float64Var(&o.advisor.SafetyMargin, 0.15), parse: parseSafetyMargin,
			usage: "the headroom added to the usage percentiles requests and limits are sized from, as a fraction (the VPA's 0.15 is 15%)"},
		{name: "cpu-floor", key: "advisor.cpuFloor", bind: stringVar(&o.cpuFloor, "10m"), parse: parseCPUFloor,
			usage: "the least CPU request advice sizes to (krr's 10m)"},
		{name: "memory-floor", key: "advisor.memoryFloor", bind: stringVar(&o.memoryFloor, "100Mi"), parse: parseMemoryFloor,
			usage: "the least memory request advice sizes to (krr's 100Mi)"},
		{name: "metrics-port", key: "metrics.port", bind: stringsVar(&o.metricsPorts), parse: parseMetricsPorts,
			usage: "port numbers or names to read Go runtime /metrics from, on pods with neither prometheus.io annotations nor a port named metrics"},
		{name: "metrics-path", key: "metrics.path", bind: stringVar(&o.metricsPath, "/metrics"), parse: parseMetricsPath,
			usage: "the path of /metrics on the ports --metrics-port or a port named metrics gives"},
		{name: "no-history", bind: boolVar(&o.noHistory),
			usage: "neither read nor save the usage history and the applied changes kept between runs"},
		{name: "prometheus", key: "history.prometheus", bind: stringVar(&o.prometheus, ""), parse: parsePrometheus,
			usage: "where to read the workloads' past from: the URL of a Prometheus-compatible API (Prometheus, Thanos Query, Mimir, VictoriaMetrics), " +
				"or off; default $KGOTOP_PROMETHEUS, else a Prometheus Service found in the cluster, read through the API server"},
		{name: "history", key: "history.range", bind: daysVar(&o.history, 8*24*time.Hour),
			usage: "how far back to read from Prometheus, in days or hours (8d, 14d, 36h)"},
		{name: "read-only", key: "dashboard.readOnly", bind: boolVar(&o.readOnly),
			usage: "turn applying patches and resizing pods off in the dashboard (copying the kubectl command still works)"},
		{name: "theme", key: "dashboard.theme", bind: stringVar(&o.theme, "default"), parse: parseTheme, choices: ui.Themes(),
			usage: "the dashboard's colours: default, or light for a light terminal background"},
		{name: "sync-timeout", bind: durationVar(&o.syncTimeout, 30*time.Second),
			usage: "how long to wait for the first list of pods and workloads"},
		{name: "config", bind: stringVar(&o.config, ""),
			usage: "the config file of a team's defaults (default $XDG_CONFIG_HOME/kgotop/config.yaml; KGOTOP_CONFIG)"},
		{name: "version", bind: boolVar(&o.version),
			usage: "print the version and exit"},
		{name: "help", short: "h", bind: boolVar(&o.help),
			usage: "show this help"},
	}
}

// advisorOptions are the advisor's options the settings set.
func (o *options) advisorOptions() advisor.Options { return o.advisor }

// check is what no single setting can say: settings that exclude each other.
func (o *options) check() error {
	if o.allNamespaces && o.kube.Namespace != nil && *o.kube.Namespace != "" {
		return usageError{fmt.Errorf("-n and -A exclude each other")}
	}
	return nil
}

// The parse funcs of the settings, in the table's order.

func parseOutput(o *options) (err error) {
	o.format, err = report.ParseFormat(o.output)
	return err
}

func parseWindow(o *options) error { return notNegative(o.window) }

func parseFailOn(o *options) (err error) {
	if o.failOn == "" {
		return nil
	}
	o.failOnSev, err = advisor.ParseSeverity(o.failOn)
	return err
}

func parseDBMaxConnections(o *options) error { return notNegative(o.advisor.DBMaxConnections) }

func parseMemoryQoS(o *options) (err error) {
	o.advisor.MemoryQoS, err = advisor.ParseMemoryQoS(o.memoryQoS)
	return err
}

func parseCPULimits(o *options) (err error) {
	o.advisor.CPULimits, err = advisor.ParseCPULimits(o.cpuLimits)
	return err
}

func parseSizingMin(o *options) error {
	if d := o.advisor.SizingMin; d <= 0 {
		return fmt.Errorf("must be positive, got %s", d)
	}
	return nil
}

func parseSafetyMargin(o *options) error {
	if m := o.advisor.SafetyMargin; m <= 0 || m > 1 {
		return fmt.Errorf("want a fraction above 0 and at most 1 (0.15 is 15%%), got %v", m)
	}
	return nil
}

func parseCPUFloor(o *options) (err error) {
	o.advisor.CPUFloor, err = parseQuantity(o.cpuFloor, (*resource.Quantity).MilliValue)
	return err
}

func parseMemoryFloor(o *options) (err error) {
	o.advisor.MemoryFloor, err = parseQuantity(o.memoryFloor, (*resource.Quantity).Value)
	return err
}

// parseQuantity reads a positive Kubernetes quantity in the unit of unit.
func parseQuantity(s string, unit func(*resource.Quantity) int64) (int64, error) {
	q, err := resource.ParseQuantity(s)
	if err != nil || q.Sign() <= 0 {
		return 0, fmt.Errorf("want a positive quantity (10m of CPU, 100Mi of memory), got %q", s)
	}
	return unit(&q), nil
}

func parseMetricsPorts(o *options) error {
	for _, p := range o.metricsPorts {
		if n, err := strconv.Atoi(p); err == nil && (n < 1 || n > 65535) || p == "" {
			return fmt.Errorf("%q is neither a port number (1-65535) nor a port name", p)
		}
	}
	return nil
}

func parseMetricsPath(o *options) error {
	if !strings.HasPrefix(o.metricsPath, "/") {
		return fmt.Errorf("must start with /, got %q", o.metricsPath)
	}
	return nil
}

func parseTheme(o *options) error {
	_, err := ui.StylesFor(o.theme)
	return err
}

func notNegative[T int64 | time.Duration](v T) error {
	if v < 0 {
		return fmt.Errorf("must not be negative, got %v", v)
	}
	return nil
}
