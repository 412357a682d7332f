// Command kubeletresize plays the kubelet's part in in-place pod resize for
// the sandbox, whose nodes are kwok's and run no kubelet. Without it the API
// server refuses every resize ("Pod running on node without support for
// resize": no container status reports its resources). For every running pod
// on a kwok node it reports what a kubelet 1.37 reports: the resources each
// container runs with (status.containerStatuses[].resources), what it has
// allocated (allocatedResources) and the generation it saw
// (status.observedGeneration); and it carries out a resize as the kubelet
// does: PodResizeInProgress while it is applied (--delay), then the new
// resources, a restart where the container's resizePolicy says
// RestartContainer; PodResizePending Deferred when the other pods leave no
// room on the node, Infeasible where the node's (simulated) CPU or memory
// manager policy forbids it; PodResizeInProgress Error for a memory limit
// below the usage kwok simulates. With the kubelet's events.
//
// kwok writes a pod's status once, when it starts it; the seeder writes the
// statuses of its hand-made stories (kwok.x-k8s.io/status: custom). This
// command only adds to a status it read, and writes it back under the
// version it read, so none of them overwrites another.
//
//	go run ./test/kubeletresize --kubeconfig .sandbox/run/kubeconfig
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster")
	delay := flag.Duration("delay", 2*time.Second, "how long applying a resize takes: PodResizeInProgress shows for this long")
	retry := flag.Duration("retry", 10*time.Second, "how often a Deferred resize, or an actuation that failed, is tried again")
	nodes := flag.String("node-annotation", "kwok.x-k8s.io/node=fake", "the pods of nodes with this annotation (key=value) are this kubelet's")
	kwok := flag.String("kwok-url", "", "kwok's server (http://127.0.0.1:10247): memory usage for refusing a limit below it; none if empty")
	health := flag.String("health-addr", "", "serve /healthz here (host:port) once the caches are in sync")
	verbose := flag.Bool("v", false, "log every status written")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, *kubeconfig, *nodes, *kwok, *health, kubelet{delay: *delay, retry: *retry}); err != nil {
		fmt.Fprintf(os.Stderr, "kubeletresize: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, kubeconfig, nodes, kwok, health string, k kubelet) error {
	key, value, ok := strings.Cut(nodes, "=")
	if !ok {
		return fmt.Errorf("--node-annotation %q: want key=value", nodes)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	cfg.UserAgent = "kgotop-sandbox-kubelet-resize"
	cfg.QPS, cfg.Burst = 50, 100 // a status for each pod of a fresh seed, quickly
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	if kwok != "" {
		k.usage = kwokUsage(strings.TrimSuffix(kwok, "/"))
	}
	managed := func(n *corev1.Node) bool { return n.Annotations[key] == value }
	c := newController(client, k, managed, log)
	synced := make(chan struct{})
	if health != "" {
		srv := &http.Server{Addr: health, Handler: healthz(synced), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("health server", "err", err)
			}
		}()
		defer srv.Close()
	}
	log.Info("started", "delay", k.delay, "retry", k.retry, "nodes", nodes, "kwok", kwok)
	return c.run(ctx, synced)
}

// healthz answers 200 once the caches are in sync, 503 before.
func healthz(synced <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		select {
		case <-synced:
			fmt.Fprintln(w, "ok")
		default:
			http.Error(w, "caches not in sync", http.StatusServiceUnavailable)
		}
	})
}
