// Command sandboxseed writes the scenario library into a real cluster (the
// sandbox): each scenario's Deployment or StatefulSet and HPA, usage that
// kwok simulates from the pods' annotations, and, where kwok cannot make it
// (restarts, OOMKills, a slow start killed by its liveness probe), the
// statuses and events a kubelet would have written: the final state of the
// demo's own simulation, ending now. So the sandbox, the demo and the
// advisor's tests show the same stories. With --write-history it also
// saves the simulation's usage history where kgotop keeps history for this
// cluster and namespace, so a kgotop run against the sandbox starts with the
// hours of history the demo has ($XDG_CACHE_HOME picks the folder).
//
//	go run ./test/sandboxseed --kubeconfig .sandbox/run/kubeconfig
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"

	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/demo"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/scenario"
	"github.com/kgotop/kgotop/internal/store"
	"github.com/kgotop/kgotop/test/promhistory"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster to seed")
	seed := flag.Uint64("seed", 1, "seed of the simulation whose final state is written")
	warm := flag.Duration("history", 8*time.Hour, "simulated time before now whose restarts and events are written")
	timeout := flag.Duration("timeout", 2*time.Minute, "how long to wait for the pods")
	writeHistory := flag.Bool("write-history", false, "save the simulated usage history in kgotop's history cache for this cluster")
	historyOnly := flag.Bool("history-only", false, "only save the history; create nothing in the cluster")
	openMetrics := flag.String("openmetrics", "", "only write the scenarios' Prometheus history to this file (OpenMetrics, for promtool); create nothing")
	span := flag.Duration("openmetrics-span", promhistory.DefaultSpan, "how far back the Prometheus history goes")
	designed := flag.Bool("designed", false, "print what a client must recover from the Prometheus history (Markdown) and exit")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if *designed {
		promhistory.WriteDesigned(os.Stdout)
		return
	}
	if *openMetrics != "" {
		if err := writeOpenMetrics(ctx, *kubeconfig, *openMetrics, *span); err != nil {
			fmt.Fprintf(os.Stderr, "sandboxseed: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, *kubeconfig, *seed, *warm, *writeHistory || *historyOnly, *historyOnly); err != nil {
		fmt.Fprintf(os.Stderr, "sandboxseed: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, kubeconfig string, seed uint64, warm time.Duration, writeHistory, historyOnly bool) error {
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig}, &clientcmd.ConfigOverrides{})
	cfg, err := loader.ClientConfig()
	if err != nil {
		return err
	}
	k, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	// The simulation ends now, through kgotop's collector as the demo runs it.
	sim := demo.NewAt(time.Now().Add(-warm), seed)
	c := collect.New(sim.Clients(), sim.Options())
	c.Start(ctx)
	if err := c.WaitForSync(ctx); err != nil {
		return err
	}
	if err := sim.WarmUp(ctx, c, warm); err != nil {
		return err
	}
	if writeHistory {
		raw, err := loader.RawConfig()
		if err != nil {
			return err
		}
		if err := saveHistory(c, cfg.Host, raw.CurrentContext); err != nil {
			return err
		}
	}
	if historyOnly {
		return nil
	}
	shift := time.Now().Sub(sim.Now()).Truncate(time.Second)

	if err := ensureNamespace(ctx, k); err != nil {
		return err
	}
	for _, sc := range scenario.All() {
		if err := applyScenario(ctx, k, sc); err != nil {
			return fmt.Errorf("%s: %w", sc.Name, err)
		}
	}
	names := map[string]string{} // simulated pod name -> real pod name
	for _, sc := range scenario.All() {
		real, err := waitForPods(ctx, k, sc)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.Name, err)
		}
		for _, st := range sim.PodStates() {
			if st.Scenario != sc.Name {
				continue
			}
			names[st.Name] = real[st.Index].Name
			if st.Custom {
				if err := writeStatus(ctx, k, real[st.Index], renamed(st.Status, st.Name, real[st.Index].Name), shift); err != nil {
					return fmt.Errorf("%s: %w", real[st.Index].Name, err)
				}
			}
		}
	}
	events, err := sim.Events(ctx)
	if err != nil {
		return err
	}
	for _, e := range events {
		if err := writeEvent(ctx, k, e, names, shift); err != nil {
			return err
		}
	}
	fmt.Printf("sandboxseed: %d scenarios, %d pods, %d events in namespace %s\n", len(scenario.All()), len(names), len(events), scenario.Namespace)
	return nil
}

// writeOpenMetrics writes the scenarios' past, ending now, to file. The
// newest old pods of a Deployment belonged to the ReplicaSet it has now.
func writeOpenMetrics(ctx context.Context, kubeconfig, file string, span time.Duration) error {
	hashes, err := templateHashes(ctx, kubeconfig)
	if err != nil {
		return err
	}
	tmp := file + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	o := promhistory.Options{End: time.Now(), Span: span, Hashes: hashes}
	if err := promhistory.Write(f, o); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// templateHashes returns the pod-template-hash of each Deployment's
// ReplicaSet in the cluster (none without a kubeconfig).
func templateHashes(ctx context.Context, kubeconfig string) (map[string]string, error) {
	hashes := map[string]string{}
	if kubeconfig == "" {
		return hashes, nil
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig}, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, err
	}
	k, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	rss, err := k.AppsV1().ReplicaSets(scenario.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, rs := range rss.Items {
		if c := metav1.GetControllerOf(&rs); c != nil && c.Kind == "Deployment" && rs.Spec.Replicas != nil && *rs.Spec.Replicas > 0 {
			hashes[c.Name] = rs.Labels[appsv1.DefaultDeploymentUniqueLabelKey]
		}
	}
	return hashes, nil
}

// saveHistory writes the collector's histories where kgotop looks for this
// cluster's and namespace's.
func saveHistory(c *collect.Collector, server, context string) error {
	path, err := store.DefaultPath(server, context, scenario.Namespace)
	if err != nil {
		return err
	}
	hs := map[store.Key]*model.History{}
	c.Histories(func(ref model.WorkloadRef, container string, h *model.History) { hs[store.KeyOf(ref, container)] = h })
	if err := store.Save(path, hs); err != nil {
		return err
	}
	fmt.Printf("sandboxseed: %d container histories saved to %s\n", len(hs), path)
	return nil
}

func ensureNamespace(ctx context.Context, k kubernetes.Interface) error {
	_, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: scenario.Namespace,
		Labels: map[string]string{"app.kubernetes.io/part-of": "kgotop-sandbox"}}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("namespace: %w", err)
	}
	return nil
}

// applyScenario creates the scenario's controller and HPA, or puts their
// specs back as the library has them.
func applyScenario(ctx context.Context, k kubernetes.Interface, sc scenario.Scenario) error {
	deploy, sts := sc.Controller()
	ns := scenario.Namespace
	switch {
	case deploy != nil:
		cur, err := k.AppsV1().Deployments(ns).Get(ctx, sc.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			_, err = k.AppsV1().Deployments(ns).Create(ctx, deploy, metav1.CreateOptions{})
		} else if err == nil {
			cur.Spec = deploy.Spec
			_, err = k.AppsV1().Deployments(ns).Update(ctx, cur, metav1.UpdateOptions{})
		}
		if err != nil {
			return err
		}
	default:
		_, err := k.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	if h := sc.HPAObject(); h != nil {
		if _, err := k.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, h, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

// waitForPods waits until the scenario has all its pods running (kwok's
// stages act on pending pods: a status written before they ran would be
// overwritten), and returns them by name.
func waitForPods(ctx context.Context, k kubernetes.Interface, sc scenario.Scenario) ([]corev1.Pod, error) {
	sel := "kgotop.dev/scenario=" + sc.Name
	for {
		list, err := k.CoreV1().Pods(scenario.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err != nil {
			return nil, err
		}
		var pods []corev1.Pod
		for _, p := range list.Items {
			if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning {
				pods = append(pods, p)
			}
		}
		if len(pods) == int(sc.Replicas) {
			slices.SortFunc(pods, func(a, b corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
			return pods, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %d pods (have %d): %w", sc.Replicas, len(pods), ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// writeStatus writes the simulated status, shifted to now, as a kubelet would.
// The sandbox's kubelet stand-in (test/kubeletresize) writes these pods'
// statuses too (their resources); on a conflict the pod is read again and the
// story written over what it has become, and the stand-in adds its part back.
func writeStatus(ctx context.Context, k kubernetes.Interface, p corev1.Pod, st corev1.PodStatus, shift time.Duration) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := k.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Status = shifted(st, shift, cur.Status)
		_, err = k.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		return err
	})
}

// renamed is the simulated status with the simulated pod's name, which the
// kubelet's waiting message names ("back-off 5m0s restarting failed
// container=notifier pod=notifier-ae0485bb-dxtnm_kgotop-demo"), replaced by
// the name the cluster gave the pod.
func renamed(st corev1.PodStatus, sim, real string) corev1.PodStatus {
	st = *st.DeepCopy()
	for i := range st.ContainerStatuses {
		if w := st.ContainerStatuses[i].State.Waiting; w != nil {
			w.Message = strings.ReplaceAll(w.Message, sim, real)
		}
	}
	return st
}

// shifted is the simulated status moved to now, at the addresses the cluster
// gave the pod (cur).
func shifted(st corev1.PodStatus, shift time.Duration, cur corev1.PodStatus) corev1.PodStatus {
	st = *st.DeepCopy()
	move := func(t *metav1.Time) {
		if t != nil && !t.IsZero() {
			t.Time = t.Add(shift)
		}
	}
	move(st.StartTime)
	for i := range st.Conditions {
		move(&st.Conditions[i].LastTransitionTime)
	}
	for i := range st.ContainerStatuses {
		cs := &st.ContainerStatuses[i]
		if r := cs.State.Running; r != nil {
			move(&r.StartedAt)
		}
		if t := cs.LastTerminationState.Terminated; t != nil {
			move(&t.StartedAt)
			move(&t.FinishedAt)
		}
	}
	if cur.PodIP != "" { // keep the address the cluster gave it
		st.PodIP, st.PodIPs = cur.PodIP, cur.PodIPs
	}
	st.HostIP, st.HostIPs = cur.HostIP, cur.HostIPs
	return st
}

// writeEvent records a simulated event against the real pod.
func writeEvent(ctx context.Context, k kubernetes.Interface, e corev1.Event, names map[string]string, shift time.Duration) error {
	real, ok := names[e.InvolvedObject.Name]
	if !ok {
		return nil
	}
	out := corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: strings.Replace(e.Name, e.InvolvedObject.Name, real, 1), Namespace: e.Namespace},
		InvolvedObject: e.InvolvedObject,
		Type:           e.Type, Reason: e.Reason, Message: strings.ReplaceAll(e.Message, e.InvolvedObject.Name, real), Count: e.Count,
		FirstTimestamp: metav1.Time{Time: e.FirstTimestamp.Add(shift)}, LastTimestamp: metav1.Time{Time: e.LastTimestamp.Add(shift)},
		Source: e.Source, ReportingController: "kubelet",
	}
	out.InvolvedObject.Name, out.InvolvedObject.UID = real, ""
	_, err := k.CoreV1().Events(e.Namespace).Create(ctx, &out, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_, err = k.CoreV1().Events(e.Namespace).Update(ctx, &out, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("event %s: %w", out.Name, err)
	}
	return nil
}
