// Command kgotop is a terminal dashboard and report for Go workloads on
// Kubernetes: usage against requests and limits, restarts, probe failures,
// the Go runtime's numbers, and advice on how to size and tune them.
//
// This file is the only place that exits; everything below returns errors.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/klog/v2"
)

// Exit codes.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
	exitAdvice  = 3 // --fail-on found advice of that severity
	// exitInterrupted is the shell's code for a process ended by SIGINT.
	exitInterrupted = 130
)

// buildVersion is set by a release build (.goreleaser.yaml):
// -ldflags "-X main.buildVersion=v1.2.3".
var buildVersion = ""

// version is kgotop's version: the release's, else the module version `go
// install module@version` records in the binary, else "dev".
func version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(buildVersion, bi)
}

func versionOf(stamped string, bi *debug.BuildInfo) string {
	switch {
	case stamped != "":
		return stamped
	case bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)":
		return bi.Main.Version
	}
	return "dev"
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	name, complete := programName(os.Args[0])
	args := os.Args[1:]
	if complete { // kubectl_complete-gotop: kubectl asks how to complete `kubectl gotop ...`
		args = append([]string{cobra.ShellCompRequestCmd}, args...)
	}
	code := runAs(ctx, name, args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is kgotop without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runAs(ctx, "kgotop", args, stdout, stderr)
}

// runAs is run for kgotop called as name (see programName).
func runAs(ctx context.Context, name string, args []string, stdout, stderr io.Writer) int {
	c := newCLI(name, stdout, stderr, func(o *options) error { return runRoot(ctx, o, stdout, stderr) })
	err := c.execute(ctx, args)
	var uerr usageError
	var ferr failOnError
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return exitInterrupted // ctrl+c before the dashboard took the keys: nothing to say
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	switch {
	case !c.ran || errors.As(err, &uerr): // before kgotop's own code ran: cobra's word on the command line
		return exitUsage
	case errors.As(err, &ferr):
		return exitAdvice
	}
	return exitRuntime
}

// runRoot is the root command: the dashboard, or --report.
func runRoot(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	if o.version {
		fmt.Fprintf(stdout, "%s %s\n", o.name, version())
		return nil
	}
	logger, closeLog, err := openLog(o.logFile)
	if err != nil {
		return err
	}
	defer closeLog()
	defer startProfiles(func(msg string) { fmt.Fprintf(stderr, "%s: %s\n", o.name, msg) })()
	if o.report {
		return runReport(ctx, o, logger, stdout, stderr)
	}
	if !isTerminal(stdout) {
		return usageError{fmt.Errorf("stdout is not a terminal, so there is no dashboard to show: use --report (with -o json or -o markdown for machines)")}
	}
	return runDashboard(ctx, o, logger)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// openLog returns a logger to the file (or one that discards) and routes
// client-go's klog output there too, so nothing scribbles on the terminal.
func openLog(path string) (*slog.Logger, func(), error) {
	klog.LogToStderr(false)
	if path == "" {
		klog.SetOutput(io.Discard)
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("opening log file: %w", err)
	}
	klog.SetOutput(f)
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { klog.Flush(); f.Close() }, nil
}
