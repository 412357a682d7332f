package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// programName is how kgotop was called, from argv[0]: "kubectl gotop" as
// the kubectl plugin kubectl-gotop (help and errors then say so), else
// "kgotop". complete is whether it was called as kubectl_complete-gotop,
// which kubectl runs to complete `kubectl gotop` on the command line.
func programName(argv0 string) (name string, complete bool) {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	switch base {
	case "kubectl-gotop":
		return "kubectl gotop", false
	case "kubectl_complete-gotop":
		return "kubectl gotop", true
	}
	return "kgotop", false
}

// usageError is bad usage: kgotop exits 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

// cli is kgotop's command line: the root command (the dashboard, or
// --report), `config view`, and cobra's `completion`.
type cli struct {
	name string
	root *cobra.Command
	opts *options
	// ran is whether a command's own code ran: an error before it is
	// cobra's word on the command line, bad usage.
	ran bool
}

// newCLI returns the command line of kgotop called as name; runRoot runs
// the root command once its options are resolved.
func newCLI(name string, stdout, stderr io.Writer, runRoot func(*options) error) *cli {
	c := &cli{name: name}
	warn := func(msg string) { fmt.Fprintf(stderr, "%s: %s\n", name, msg) }
	c.root = &cobra.Command{
		// The binary's name (kubectl-gotop) names the completion functions;
		// the display name is what help and errors say.
		Use:         strings.ReplaceAll(name, " ", "-"),
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: name},
		Short:       "a live dashboard and tuning advice for Go workloads on Kubernetes",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected argument %q (%s takes flags, or the commands config and completion; see --help)", args[0], name)
			}
			return nil
		},
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.ran = true
			if err := c.opts.resolve(cmd.Flags(), warn); err != nil {
				return err
			}
			return runRoot(c.opts)
		},
	}
	c.root.SetOut(stdout)
	c.root.SetErr(stderr)
	c.root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	c.root.SetHelpFunc(func(cmd *cobra.Command, _ []string) { fmt.Fprint(stderr, c.help(cmd)) })
	c.opts = newOptions(name, c.root.PersistentFlags())
	c.root.Flags().SortFlags = false // --help lists them in the settings' order

	config := &cobra.Command{Use: "config", Short: "the config file of a team's defaults"}
	config.AddCommand(&cobra.Command{
		Use:   "view",
		Short: "print the settings in force, each with where it comes from (flag, environment, config file or default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.ran = true
			if err := c.opts.resolve(cmd.Flags(), warn); err != nil {
				return err
			}
			return c.opts.viewConfig(stdout, cmd.Flags())
		},
	})
	c.root.AddCommand(config)
	c.registerCompletions()
	return c
}

// execute runs the command line args.
func (c *cli) execute(ctx context.Context, args []string) error {
	c.root.SetArgs(append([]string{}, args...)) // never nil: cobra would read os.Args
	return c.root.ExecuteContext(ctx)
}

// help is the help of a command, to stderr as kgotop always printed it.
func (c *cli) help(cmd *cobra.Command) string {
	var b strings.Builder
	if cmd == c.root {
		n := c.name
		fmt.Fprintf(&b, "%s: %s.\n\nUsage:\n", n, cmd.Short)
		for _, l := range [][2]string{
			{"[-n NAMESPACE | -A] [-l SELECTOR]", "open the dashboard"},
			{"--report [-o text|json|markdown] [--window 2m]", "print a report and exit"},
			{"config view", "the settings in force, and where each comes from"},
			{"completion bash|zsh|fish|powershell", "a shell completion script"},
		} {
			fmt.Fprintf(&b, "  %-*s %s\n", len(n)+48, n+" "+l[0], l[1])
		}
		fmt.Fprintf(&b, "\nFlags:\n%s", cmd.Flags().FlagUsages())
		return b.String()
	}
	fmt.Fprintf(&b, "%s\n\nUsage:\n  %s\n", strings.TrimSpace(cmp.Or(cmd.Long, cmd.Short)), cmd.UseLine())
	if cmd.HasAvailableSubCommands() {
		b.WriteString("\nCommands:\n")
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() {
				fmt.Fprintf(&b, "  %-12s %s\n", sub.Name(), sub.Short)
			}
		}
	}
	if fs := cmd.LocalNonPersistentFlags(); fs.HasAvailableFlags() {
		fmt.Fprintf(&b, "\nFlags:\n%s", fs.FlagUsages())
	}
	fmt.Fprintf(&b, "\nIt takes %s's flags too (see %s --help).\n", c.name, c.name)
	return b.String()
}
