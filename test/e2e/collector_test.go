//go:build e2e

package e2e

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"

	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
)

// collector runs kgotop's collector in this process against the sandbox.
func collector(t *testing.T, namespace string) (*collect.Collector, context.CancelFunc) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 5 * time.Second
	k := kube(t)
	c := collect.New(collect.Clients{Kube: k, Metrics: metricsclient.NewForConfigOrDie(cfg).MetricsV1beta1(), Discovery: k.Discovery()},
		collect.Options{Namespace: namespace})
	ctx, cancel := context.WithCancel(context.Background())
	c.Start(ctx)
	syncCtx, syncCancel := context.WithTimeout(ctx, time.Minute)
	defer syncCancel()
	if err := c.WaitForSync(syncCtx); err != nil {
		cancel()
		t.Fatal(err)
	}
	return c, cancel
}

func eventually(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(time.Second)
	}
}

// The API server stopped and restarted under a running collector: the data
// is kept and marked stale, then the collector recovers and watches again.
func TestStaleThenRecovers(t *testing.T) {
	needSandbox(t)
	c, cancel := collector(t, ns)
	defer cancel()
	ctx := context.Background()
	c.Poll(ctx)
	before := c.Snapshot()
	if !before.Sources.API.Live || len(before.Workloads) == 0 {
		t.Fatalf("before the outage: %+v, %d workloads", before.Sources.API, len(before.Workloads))
	}

	sandbox(t, "stop", "kube-apiserver")
	stopped := time.Now()
	t.Cleanup(func() { sandbox(t, "up") }) // whatever happens, leave the sandbox whole
	c.Poll(ctx)
	during := c.Snapshot()
	if during.Sources.API.Live || during.Sources.API.StaleSince.Before(stopped.Add(-time.Second)) {
		t.Errorf("during the outage the API is %+v", during.Sources.API)
	}
	if len(during.Workloads) != len(before.Workloads) {
		t.Errorf("the last state was not kept: %d workloads, had %d", len(during.Workloads), len(before.Workloads))
	}

	sandbox(t, "up")
	eventually(t, "the API to be live again", 2*time.Minute, func() bool {
		c.Poll(ctx)
		return c.Snapshot().Sources.API.Live
	})
	// The watches resumed: a pod created after the restart shows up.
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "after-restart", Namespace: ns},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1"}}},
	}
	if _, err := kube(t).CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kube(t).CoreV1().Pods(ns).Delete(context.Background(), p.Name, metav1.DeleteOptions{}) })
	eventually(t, "the new pod in a snapshot", time.Minute, func() bool {
		for _, w := range c.Snapshot().Workloads {
			if w.Ref.Kind == model.KindPod && w.Ref.Name == "after-restart" {
				return true
			}
		}
		return false
	})
}
