package collect

import (
	"context"
	"errors"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	appsinformers "k8s.io/client-go/informers/apps/v1"
	autoscalinginformers "k8s.io/client-go/informers/autoscaling/v2"
	batchinformers "k8s.io/client-go/informers/batch/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/informers/internalinterfaces"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/kgotop/kgotop/internal/model"
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

// watcher is the part of the collector that watches the API server: one
// informer per resource, each with its own health, and the ownership of pods
// read from them. It hands out what the caches hold (pods, controllers,
// events, owners), never calling the API server for it; the objects are the
// caches' own and must not be changed.
type watcher struct {
	pods, replicaSets, deployments, statefulSets, daemonSets, jobs, hpas *watched
	// Warning events, plus Normal "Killing" events: the kubelet's liveness
	// kills are Normal, and a field selector cannot OR two types.
	warnings, kills *watched
	all             []*watched
}

func newWatcher(client kubernetes.Interface, namespace, podSelector string) *watcher {
	const resync = 0 // watch, never re-list on a timer
	none := cache.Indexers{}
	selectPods := func(o *metav1.ListOptions) { o.LabelSelector = podSelector }
	events := func(sel fields.Selector) internalinterfaces.TweakListOptionsFunc {
		return func(o *metav1.ListOptions) { o.FieldSelector = sel.String() }
	}
	wt := &watcher{
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
	wt.all = []*watched{wt.pods, wt.replicaSets, wt.deployments, wt.statefulSets, wt.daemonSets, wt.jobs, wt.hpas, wt.warnings, wt.kills}
	for _, w := range wt.all {
		// Both calls only fail once the informer has started.
		_ = w.inf.SetTransform(transform)
		_ = w.inf.SetWatchErrorHandlerWithContext(w.onError)
	}
	return wt
}

// start runs every informer until ctx ends (or until the server forbids it).
func (wt *watcher) start(ctx context.Context) {
	for _, w := range wt.all {
		runCtx, cancel := context.WithCancel(ctx)
		w.mu.Lock()
		w.cancel = cancel
		w.mu.Unlock()
		go w.inf.RunWithContext(runCtx)
	}
}

// synced reports whether every informer has synced or given up.
func (wt *watcher) synced() bool {
	for _, w := range wt.all {
		if !w.done() {
			return false
		}
	}
	return true
}

// waitForSync waits until synced or ctx ends, checking every interval.
func (wt *watcher) waitForSync(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for !wt.synced() {
		select {
		case <-ctx.Done():
			for _, w := range wt.all {
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

// unavailable names the resources the server refused to list or watch.
func (wt *watcher) unavailable() []model.Unavailable {
	var out []model.Unavailable
	for _, w := range wt.all {
		w.mu.Lock()
		if f := w.forbidden; f != nil {
			out = append(out, model.Unavailable{Group: w.group, Resource: w.resource, Verb: verbOf(f), Message: f.ErrStatus.Message})
		}
		w.mu.Unlock()
	}
	return out
}

// allPods returns every cached pod.
func (wt *watcher) allPods() []*corev1.Pod {
	objs := wt.pods.list()
	out := make([]*corev1.Pod, len(objs))
	for i, obj := range objs {
		out[i] = obj.(*corev1.Pod)
	}
	return out
}

// pod returns one cached pod.
func (wt *watcher) pod(namespace, name string) (*corev1.Pod, bool) {
	obj, ok, _ := wt.pods.inf.GetStore().GetByKey(namespace + "/" + name)
	if !ok {
		return nil, false
	}
	return obj.(*corev1.Pod), true
}

// owners builds the ownership index from the ReplicaSet and Job caches.
func (wt *watcher) owners() *owners {
	return newOwners(wt.replicaSets.list(), wt.jobs.list())
}

// events returns the watched events once each (the two event watches can
// overlap where a server ignores a field selector).
func (wt *watcher) events() []*corev1.Event {
	seen := map[types.UID]bool{}
	var out []*corev1.Event
	for _, w := range []*watched{wt.warnings, wt.kills} {
		for _, obj := range w.list() {
			e := obj.(*corev1.Event)
			if !seen[e.UID] {
				seen[e.UID] = true
				out = append(out, e)
			}
		}
	}
	return out
}
