package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// waitFor polls the pod until cond holds; the deadline only ends a test that hangs.
func waitFor(t *testing.T, get func() *corev1.Pod, what string, cond func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		p := get()
		if p != nil && cond(p) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("never: %s; pod %+v", what, p)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The controller writes through the API what the kubelet pass decides, for
// pods on managed nodes only, and sees a resize through.
func TestControllerWritesStatus(t *testing.T) {
	managedNode := node(map[string]string{"kwok.x-k8s.io/node": "fake"})
	other := node(nil)
	other.Name = "real-node"
	mine := kwokPod("web", list("cpu", "500m"), nil)
	theirs := kwokPod("db", list("cpu", "500m"), nil)
	theirs.Spec.NodeName = other.Name
	client := fake.NewClientset(managedNode, other, mine, theirs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newController(client, kubelet{retry: time.Second}, func(n *corev1.Node) bool { return n.Annotations["kwok.x-k8s.io/node"] == "fake" },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan error)
	go func() { done <- c.run(ctx, make(chan struct{})) }()

	get := func(name string) func() *corev1.Pod {
		return func() *corev1.Pod {
			p, err := client.CoreV1().Pods("ns").Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return nil
			}
			return p
		}
	}
	waitFor(t, get("web"), "resources reported", func(p *corev1.Pod) bool { return appStatus(p).Resources != nil })

	p := resize(get("web")(), list("cpu", "300m"), nil)
	if _, err := client.CoreV1().Pods("ns").Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, get("web"), "the resize done", func(p *corev1.Pod) bool {
		return p.Status.ObservedGeneration == 2 && appStatus(p).Resources.Requests.Cpu().MilliValue() == 300 &&
			condition(&p.Status, corev1.PodResizeInProgress) == nil
	})
	if appStatus(get("db")()).Resources != nil {
		t.Error("a pod on a node kwok does not manage got resources")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
