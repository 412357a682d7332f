package main

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kgotop/kgotop/internal/collect"
)

// completionTimeout bounds the API server's answer to a completion: a
// shell waits on it.
const completionTimeout = 3 * time.Second

// registerCompletions says how to complete flag values (cobra completes
// the flags themselves): a setting's choices, and, as kubectl completes
// them, the kubeconfig's contexts, clusters and users and the cluster's
// namespaces. The kubeconfig is the one the command line names so far
// (--kubeconfig, --context), read by cli-runtime's ConfigFlags as kgotop
// reads it to connect.
func (c *cli) registerCompletions() {
	register := func(flag string, f cobra.CompletionFunc) {
		if err := c.root.RegisterFlagCompletionFunc(flag, f); err != nil {
			panic(err) // a flag renamed in settings but not here: caught by every test
		}
	}
	for _, s := range c.opts.settings() {
		if len(s.choices) > 0 {
			register(s.name, fixed(s.choices))
		}
	}
	register("context", c.fromKubeconfig(func(cfg *clientcmdapi.Config) []string { return keys(cfg.Contexts) }))
	register("cluster", c.fromKubeconfig(func(cfg *clientcmdapi.Config) []string { return keys(cfg.Clusters) }))
	register("user", c.fromKubeconfig(func(cfg *clientcmdapi.Config) []string { return keys(cfg.AuthInfos) }))
	register("namespace", c.namespaces)
}

// fixed completes one of a setting's choices.
func fixed(choices []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return withPrefix(choices, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// fromKubeconfig completes names that names reads from the kubeconfig.
func (c *cli) fromKubeconfig(names func(*clientcmdapi.Config) []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cfg, err := c.opts.kube.ToRawKubeConfigLoader().RawConfig()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return withPrefix(names(&cfg), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// namespaces completes -n with the cluster's namespaces, as kubectl does;
// when the cluster cannot say (unreachable, or listing namespaces is
// forbidden), with the namespaces the kubeconfig's contexts name.
func (c *cli) namespaces(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names := c.clusterNamespaces(cmd.Context())
	if len(names) == 0 {
		if cfg, err := c.opts.kube.ToRawKubeConfigLoader().RawConfig(); err == nil {
			for _, ctx := range cfg.Contexts {
				if ctx.Namespace != "" && !slices.Contains(names, ctx.Namespace) {
					names = append(names, ctx.Namespace)
				}
			}
		}
	}
	return withPrefix(names, toComplete), cobra.ShellCompDirectiveNoFileComp
}

func (c *cli) clusterNamespaces(ctx context.Context) []string {
	cfg, err := c.opts.kube.ToRESTConfig()
	if err != nil {
		return nil
	}
	cfg.Timeout = completionTimeout
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	defer cancel()
	names, _ := collect.Namespaces(ctx, kube.CoreV1())
	return names
}

// withPrefix returns the names that start with prefix, sorted.
func withPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
