package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
)

const byNode = "node"

// controller runs the kubelet's resize part for every running pod on the
// nodes it manages, one pod at a time (so two resizes on one node are never
// admitted against the same free room).
type controller struct {
	k       kubelet
	client  kubernetes.Interface
	managed func(*corev1.Node) bool
	now     func() time.Time
	log     *slog.Logger

	pods     cache.SharedIndexInformer
	nodes    corelisters.NodeLister
	factory  informers.SharedInformerFactory
	queue    workqueue.TypedRateLimitingInterface[string]
	events   record.EventBroadcaster
	recorder map[string]record.EventRecorder // by node: the event's source host
	alloc    map[string]held                 // by pod key; only the worker touches it
}

// held is a pod's allocation, for the pod of that UID.
type held struct {
	uid   types.UID
	alloc allocation
}

func newController(client kubernetes.Interface, k kubelet, managed func(*corev1.Node) bool, log *slog.Logger) *controller {
	f := informers.NewSharedInformerFactory(client, 10*time.Minute)
	c := &controller{
		k: k, client: client, managed: managed, now: time.Now, log: log,
		pods: f.Core().V1().Pods().Informer(), nodes: f.Core().V1().Nodes().Lister(), factory: f,
		queue:    workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		events:   record.NewBroadcaster(),
		recorder: map[string]record.EventRecorder{},
		alloc:    map[string]held{},
	}
	if err := c.pods.AddIndexers(cache.Indexers{byNode: func(obj any) ([]string, error) {
		return []string{obj.(*corev1.Pod).Spec.NodeName}, nil
	}}); err != nil {
		panic(err) // only if added after the informer started
	}
	c.pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.podChanged(obj) },
		UpdateFunc: func(_, obj any) { c.podChanged(obj) },
		DeleteFunc: func(obj any) { c.podChanged(obj) },
	})
	f.Core().V1().Nodes().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.nodeChanged(obj) },
		UpdateFunc: func(_, obj any) { c.nodeChanged(obj) },
	})
	return c
}

// podChanged queues the pod, and the pods on its node whose resize waits for
// room: a pod that shrank or left may have made it.
func (c *controller) podChanged(obj any) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	if key, err := cache.MetaNamespaceKeyFunc(pod); err == nil {
		c.queue.Add(key)
	}
	c.queueNode(pod.Spec.NodeName, func(p *corev1.Pod) bool {
		cond := condition(&p.Status, corev1.PodResizePending)
		return p.UID != pod.UID && cond != nil && cond.Reason == corev1.PodReasonDeferred
	})
}

func (c *controller) nodeChanged(obj any) {
	if n, ok := obj.(*corev1.Node); ok {
		c.queueNode(n.Name, func(*corev1.Pod) bool { return true })
	}
}

func (c *controller) queueNode(node string, which func(*corev1.Pod) bool) {
	if node == "" {
		return
	}
	objs, _ := c.pods.GetIndexer().ByIndex(byNode, node)
	for _, o := range objs {
		if p := o.(*corev1.Pod); which(p) {
			c.queue.Add(p.Namespace + "/" + p.Name)
		}
	}
}

// run starts the informers and the event sink, then works the queue until ctx ends.
func (c *controller) run(ctx context.Context, synced chan<- struct{}) error {
	c.events.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.events.Shutdown()
	defer c.queue.ShutDown()
	c.factory.Start(ctx.Done())
	defer c.factory.Shutdown()
	for typ, ok := range c.factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("cache of %v did not sync", typ)
		}
	}
	close(synced)
	go func() {
		<-ctx.Done()
		c.queue.ShutDown()
	}()
	for c.next(ctx) {
	}
	return nil
}

func (c *controller) next(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	after, err := c.syncKey(ctx, key)
	if err != nil && !apierrors.IsNotFound(err) {
		// A conflict: someone else (kwok, the seeder) wrote the pod since the
		// informer saw it; try again on the news.
		if !apierrors.IsConflict(err) {
			c.log.Warn("sync", "pod", key, "err", err)
		}
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	if after > 0 {
		c.queue.AddAfter(key, after)
	}
	return true
}

// syncKey runs one kubelet pass over a pod and writes what it decided.
func (c *controller) syncKey(ctx context.Context, key string) (time.Duration, error) {
	obj, exists, err := c.pods.GetIndexer().GetByKey(key)
	if err != nil || !exists {
		delete(c.alloc, key)
		return 0, err
	}
	pod := obj.(*corev1.Pod)
	node, err := c.nodes.Get(pod.Spec.NodeName)
	if err != nil || !c.managed(node) || !running(pod) {
		return 0, nil
	}
	var others []*corev1.Pod
	objs, _ := c.pods.GetIndexer().ByIndex(byNode, node.Name)
	for _, o := range objs {
		if p := o.(*corev1.Pod); p.UID != pod.UID && !terminal(p) {
			others = append(others, withAllocation(p, c.allocOf(p)))
		}
	}
	s := c.k.sync(pod, node, others, c.allocOf(pod), c.now())
	if s.status != nil {
		out := pod.DeepCopy()
		out.Status = *s.status
		if _, err := c.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, out, metav1.UpdateOptions{}); err != nil {
			return 0, err // not written: nothing was allocated
		}
		c.log.Debug("status written", "pod", key, "generation", pod.Generation)
	}
	c.alloc[key] = held{pod.UID, s.alloc}
	for _, e := range s.events {
		typ := corev1.EventTypeNormal
		if e.warning {
			typ = corev1.EventTypeWarning
		}
		c.recorderFor(node.Name).Event(pod, typ, e.reason, e.message)
		c.log.Info(e.reason, "pod", key, "message", e.message)
	}
	return s.after, nil
}

// allocOf is the allocation held for the pod, nil if none.
func (c *controller) allocOf(p *corev1.Pod) allocation {
	if h, ok := c.alloc[p.Namespace+"/"+p.Name]; ok && h.uid == p.UID {
		return h.alloc
	}
	return nil
}

func (c *controller) recorderFor(node string) record.EventRecorder {
	r, ok := c.recorder[node]
	if !ok {
		r = c.events.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: node})
		c.recorder[node] = r
	}
	return r
}

// running: a pod the kubelet runs and kwok has reported on. Pending pods are
// kwok's until it writes them Running (its status would replace ours).
func running(p *corev1.Pod) bool {
	return p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && len(p.Status.ContainerStatuses) > 0
}

func terminal(p *corev1.Pod) bool {
	return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
}
