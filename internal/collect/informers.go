package collect

import (
	"context"
	"errors"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	appsinformers "k8s.io/client-go/informers/apps/v1"
	autoscalinginformers "k8s.io/client-go/informers/autoscaling/v2"
	batchinformers "k8s.io/client-go/informers/batch/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/informers/internalinterfaces"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// watched is one informer with what kgotop knows about its health.
type watched struct {
	group, resource string
	inf             cache.SharedIndexInformer

	mu        sync.Mutex
	forbidden *apierrors.StatusError // set once the server refused the list
	lastErr   error
	cancel    context.CancelFunc
}

// done reports whether the informer has synced or will never sync.
func (w *watched) done() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.forbidden != nil || w.inf.HasSynced()
}

func (w *watched) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}

// onError records a list/watch failure. A forbidden list stops the informer:
// retrying cannot succeed until RBAC changes, and every retry is server load.
func (w *watched) onError(_ context.Context, _ *cache.Reflector, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lastErr = err
	var status *apierrors.StatusError
	if apierrors.IsForbidden(err) && errors.As(err, &status) && w.forbidden == nil {
		w.forbidden = status
		if w.cancel != nil {
			w.cancel()
		}
	}
}

// informers are the watches kgotop keeps, one per resource.
type informers struct {
	pods, replicaSets, deployments, statefulSets, daemonSets, jobs, hpas *watched
	// Warning events, plus Normal "Killing" events: the kubelet's liveness
	// kills are Normal, and a field selector cannot OR two types.
	warnings, kills *watched
	all             []*watched
}

func newInformers(client kubernetes.Interface, namespace, podSelector string) *informers {
	const resync = 0 // watch, never re-list on a timer
	none := cache.Indexers{}
	selectPods := func(o *metav1.ListOptions) { o.LabelSelector = podSelector }
	events := func(sel fields.Selector) internalinterfaces.TweakListOptionsFunc {
		return func(o *metav1.ListOptions) { o.FieldSelector = sel.String() }
	}
	in := &informers{
		pods:         &watched{resource: "pods", inf: coreinformers.NewFilteredPodInformer(client, namespace, resync, none, selectPods)},
		replicaSets:  &watched{group: "apps", resource: "replicasets", inf: appsinformers.NewReplicaSetInformer(client, namespace, resync, none)},
		deployments:  &watched{group: "apps", resource: "deployments", inf: appsinformers.NewDeploymentInformer(client, namespace, resync, none)},
		statefulSets: &watched{group: "apps", resource: "statefulsets", inf: appsinformers.NewStatefulSetInformer(client, namespace, resync, none)},
		daemonSets:   &watched{group: "apps", resource: "daemonsets", inf: appsinformers.NewDaemonSetInformer(client, namespace, resync, none)},
		jobs:         &watched{group: "batch", resource: "jobs", inf: batchinformers.NewJobInformer(client, namespace, resync, none)},
		hpas:         &watched{group: "autoscaling", resource: "horizontalpodautoscalers", inf: autoscalinginformers.NewHorizontalPodAutoscalerInformer(client, namespace, resync, none)},
		warnings: &watched{resource: "events", inf: coreinformers.NewFilteredEventInformer(client, namespace, resync, none,
			events(fields.OneTermEqualSelector("type", "Warning")))},
		kills: &watched{resource: "events", inf: coreinformers.NewFilteredEventInformer(client, namespace, resync, none,
			events(fields.AndSelectors(fields.OneTermEqualSelector("type", "Normal"), fields.OneTermEqualSelector("reason", "Killing"))))},
	}
	in.all = []*watched{in.pods, in.replicaSets, in.deployments, in.statefulSets, in.daemonSets, in.jobs, in.hpas, in.warnings, in.kills}
	for _, w := range in.all {
		// Both calls only fail once the informer has started.
		_ = w.inf.SetTransform(transform)
		_ = w.inf.SetWatchErrorHandlerWithContext(w.onError)
	}
	return in
}

// start runs every informer until ctx ends (or until the server forbids it).
func (in *informers) start(ctx context.Context) {
	for _, w := range in.all {
		wctx, cancel := context.WithCancel(ctx)
		w.mu.Lock()
		w.cancel = cancel
		w.mu.Unlock()
		go w.inf.RunWithContext(wctx)
	}
}

// synced reports whether every informer has synced or given up.
func (in *informers) synced() bool {
	for _, w := range in.all {
		if !w.done() {
			return false
		}
	}
	return true
}

// waitForSync waits until synced or ctx ends, checking every interval.
func (in *informers) waitForSync(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for !in.synced() {
		select {
		case <-ctx.Done():
			for _, w := range in.all {
				if !w.done() {
					if err := w.err(); err != nil {
						return err
					}
				}
			}
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// list returns the informer's objects, or nil when it is forbidden.
func (w *watched) list() []any {
	return w.inf.GetStore().List()
}
