package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// A setting is one of kgotop's flags (a row of (*options).settings). One with
// a key may also come from the environment (KGOTOP_<FLAG_NAME>) and from the
// config file; the precedence is default < config file < environment < flag.
type setting struct {
	name, short string
	// key is the setting's dotted path in the config file ("advisor.cpuLimits");
	// "" when only the command line sets it.
	key   string
	usage string
	// bind registers the flag, with its default, on a flag set.
	bind func(fs *pflag.FlagSet, s setting)
	// parse checks the value in force and turns it into what kgotop uses;
	// its error is plain, the caller says where the value came from.
	parse func(o *options) error
	// choices are the values shell completion offers.
	choices []string
}

// env is the environment variable of a setting with a key: --memory-qos is KGOTOP_MEMORY_QOS.
func (s setting) env() string {
	return "KGOTOP_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}

// source says where a setting's value came from: its kind (default, flag,
// environment, file) and its name as error messages give it.
type source struct {
	kind, name string
	line       int // in the file
}

var fromDefault = source{kind: "default", name: "the default"}

func fromFlag(s setting) source { return source{kind: "flag", name: "--" + s.name} }
func fromEnv(s setting) source  { return source{kind: "environment", name: s.env()} }
func fromFile(path string, v configValue, s setting) source {
	return source{kind: "file", name: fmt.Sprintf("%s:%d: %s", path, v.line, s.key), line: v.line}
}

// note is the source as `config view` prints it.
func (s source) note() string {
	switch s.kind {
	case "file":
		return fmt.Sprintf("file, line %d", s.line)
	case "default", "":
		return "default"
	}
	return s.kind + " " + s.name
}

// The binders register a flag of one type; pflag's own values keep --help
// as it always printed.
func boolVar(p *bool) func(*pflag.FlagSet, setting) {
	return func(fs *pflag.FlagSet, s setting) { fs.BoolVarP(p, s.name, s.short, false, s.usage) }
}

func stringVar(p *string, def string) func(*pflag.FlagSet, setting) {
	return func(fs *pflag.FlagSet, s setting) { fs.StringVarP(p, s.name, s.short, def, s.usage) }
}

func stringsVar(p *[]string) func(*pflag.FlagSet, setting) {
	return func(fs *pflag.FlagSet, s setting) { fs.StringSliceVarP(p, s.name, s.short, nil, s.usage) }
}

func durationVar(p *time.Duration, def time.Duration) func(*pflag.FlagSet, setting) {
	return func(fs *pflag.FlagSet, s setting) { fs.DurationVarP(p, s.name, s.short, def, s.usage) }
}

func intVar(p *int, def int) func(*pflag.FlagSet, setting) {
	return func(fs *pflag.FlagSet, s setting) { fs.IntVarP(p, s.name, s.short, def, s.usage) }
}

func int64Var(p *int64, def int64) func(*pflag.FlagSet, setting) {
	return func(fs *pflag.FlagSet, s setting) { fs.Int64VarP(p, s.name, s.short, def, s.usage) }
}

func uint64Var(p *uint64, def uint64) func(*pflag.FlagSet, setting) {
	return func(fs *pflag.FlagSet, s setting) { fs.Uint64VarP(p, s.name, s.short, def, s.usage) }
}

func float64Var(p *float64, def float64) func(*pflag.FlagSet, setting) {
	return func(fs *pflag.FlagSet, s setting) { fs.Float64VarP(p, s.name, s.short, def, s.usage) }
}

// newOptions returns options at their defaults with their flags on fs:
// every setting, then the kubectl-standard flags.
func newOptions(name string, fs *pflag.FlagSet) *options {
	o := &options{name: name, kube: genericclioptions.NewConfigFlags(true), sources: map[string]source{}}
	fs.SortFlags = false
	for _, s := range o.settings() {
		s.bind(fs, s)
	}
	o.kube.AddFlags(fs)
	return o
}

// resolve fills in what the command line left alone, from the environment
// and then the config file, and parses every setting; fs is the parsed flag
// set. A broken config file is said in one line through warn and left out
// whole, so the defaults apply; a bad flag or variable is a usage error.
func (o *options) resolve(fs *pflag.FlagSet, warn func(string)) error {
	cf := o.configFile()
	o.cfg = cf
	if _, err := os.Stat(cf.path); cf.required && os.IsNotExist(err) {
		return usageError{fmt.Errorf("config file %s does not exist (given by --config or KGOTOP_CONFIG)", cf.path)}
	}
	if err := cf.read(); err != nil {
		warn(fmt.Sprintf("%v; the file is ignored and the defaults apply", err))
	}
	for _, s := range o.settings() {
		f := fs.Lookup(s.name)
		env, inEnv := os.LookupEnv(s.env())
		v, inFile := cf.values[s.key]
		switch {
		case f.Changed:
			o.sources[s.name] = fromFlag(s)
		case s.key != "" && inEnv:
			if err := f.Value.Set(env); err != nil {
				return usageError{fmt.Errorf("%s: %w", s.env(), err)}
			}
			o.sources[s.name] = fromEnv(s)
		case s.key != "" && inFile:
			if err := v.set(f); err != nil { // cannot fail: read checked it
				return fmt.Errorf("%s: %w", fromFile(cf.path, v, s).name, err)
			}
			o.sources[s.name] = fromFile(cf.path, v, s)
		default:
			o.sources[s.name] = fromDefault
		}
	}
	for _, s := range o.settings() {
		if s.parse == nil {
			continue
		}
		if err := s.parse(o); err != nil {
			return usageError{fmt.Errorf("%s: %w", o.sources[s.name].name, err)}
		}
	}
	return o.check()
}

// configFile returns the config file in force: --config, else
// $KGOTOP_CONFIG, else config.yaml in kgotop's folder of the user's config
// folder ($XDG_CONFIG_HOME/kgotop on Linux), which need not exist.
func (o *options) configFile() *configFile {
	if o.config != "" {
		return &configFile{path: o.config, required: true}
	}
	if p := os.Getenv("KGOTOP_CONFIG"); p != "" {
		return &configFile{path: p, required: true}
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		var err error
		if dir, err = os.UserConfigDir(); err != nil {
			return &configFile{} // no home folder: no file
		}
	}
	return &configFile{path: filepath.Join(dir, "kgotop", "config.yaml")}
}
