package main

import (
	"fmt"
	"log/slog"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/kgotop/kgotop/internal/collect"
)

// target is the cluster scope kgotop was pointed at.
type target struct {
	context   string
	server    string
	namespace string // "" for all namespaces
	clients   collect.Clients
	config    *rest.Config
}

// connect turns the kubectl-standard flags into clients. Built-in types use
// protobuf, which is smaller and cheaper to decode than JSON for the server
// and for kgotop; the metrics API is served by an aggregated server, so JSON.
func connect(o *options) (*target, error) {
	loader := o.kube.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("reading kubeconfig: %w", err)
	}
	if len(raw.Contexts) == 0 && (o.kube.APIServer == nil || *o.kube.APIServer == "") {
		return nil, fmt.Errorf("no cluster configured: pass --kubeconfig or set KUBECONFIG (or try `%s --demo`)", o.name)
	}
	cfg, err := o.kube.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	cfg.UserAgent = "kgotop/" + version()
	t := &target{context: raw.CurrentContext, server: cfg.Host, config: cfg}
	if o.kube.Context != nil && *o.kube.Context != "" {
		t.context = *o.kube.Context
	}
	if !o.allNamespaces {
		if t.namespace, _, err = loader.Namespace(); err != nil {
			return nil, fmt.Errorf("namespace from kubeconfig: %w", err)
		}
	}

	proto := rest.CopyConfig(cfg)
	proto.ContentType = "application/vnd.kubernetes.protobuf"
	proto.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	kube, err := kubernetes.NewForConfig(proto)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	metrics, err := metricsclient.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("metrics client: %w", err)
	}
	t.clients = collect.Clients{Kube: kube, Metrics: metrics.MetricsV1beta1(), Discovery: kube.Discovery()}
	if t.clients.ServiceProxy, err = serviceProxy(cfg); err != nil {
		return nil, err
	}
	// One cheap request tells an unreachable server or refused credentials
	// at once, instead of informers retrying in silence.
	if _, err := kube.Discovery().ServerVersion(); err != nil {
		switch {
		case apierrors.IsUnauthorized(err):
			return nil, fmt.Errorf("the API server at %s refused the credentials of context %q (401): %w", cfg.Host, t.context, err)
		default:
			return nil, fmt.Errorf("cannot reach the API server at %s: %w", cfg.Host, err)
		}
	}
	return t, nil
}

// newCollector makes the collector for the target with the flags' options,
// seeded with the usage history saved by earlier runs unless --no-history;
// warn hears what went wrong with that history.
func newCollector(t *target, o *options, logger *slog.Logger, warn func(string)) (*collect.Collector, *history) {
	c := collect.New(t.clients, collect.Options{
		Namespace:    t.namespace,
		Selector:     o.selector,
		Context:      t.context,
		Log:          logger,
		MetricsPorts: o.metricsPorts,
		MetricsPath:  o.metricsPath,
		Past:         o.past,
	})
	if o.noHistory {
		return c, nil
	}
	return c, loadHistory(c, t, logger, warn)
}

// serviceProxy reaches Services through the API server with the user's
// own credentials: the history store found in the cluster is read so,
// with no port-forward and no login of its own.
func serviceProxy(cfg *rest.Config) (*collect.ServiceProxy, error) {
	rt, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("transport to the API server: %w", err)
	}
	host, _, err := rest.DefaultServerUrlFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("API server URL: %w", err)
	}
	return &collect.ServiceProxy{Host: host.String(), Transport: rt}, nil
}
