package collect

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync/atomic"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/kgotop/kgotop/internal/advisor"
)

// This file is the patcher's in-place resize: whether the API server
// serves the pods/resize subresource, and the resize of one pod.

// resizeSubresource is how discovery names the subresource that changes a
// running pod's CPU and memory in place.
const resizeSubresource = "pods/resize"

// nodeCapacityCause is the cause the API server's PodResizeValidator
// admission (1.36+) gives a resize that asks for more than the pod's node
// can allocate at all.
const nodeCapacityCause metav1.CauseType = "NodeCapacity"

// resizer is the part of the patcher that resizes pods in place.
type resizer struct {
	pods      corev1client.PodsGetter
	discovery discoverer
	health    *apiHealth
	// served is 0 until discovery answered, then 1 (served) or 2 (not).
	served atomic.Int32
}

// discover asks discovery once whether pods/resize is served; an
// unreachable server leaves it to the next call.
func (r *resizer) discover() {
	if r.served.Load() != 0 || r.discovery == nil {
		return
	}
	list, err := r.discovery.ServerResourcesForGroupVersion("v1")
	if err != nil {
		if unreachable(err) {
			return
		}
		r.served.Store(2)
		return
	}
	state := int32(2)
	for _, res := range list.APIResources {
		if res.Name == resizeSubresource {
			state = 1
		}
	}
	r.served.Store(state)
}

// supported reports whether pods/resize is known to be served.
func (r *resizer) supported() bool { return r.served.Load() == 1 }

// ResizeResult is what the API server made of an in-place resize.
type ResizeResult struct {
	DryRun bool
	// UID and Generation are the pod's after the resize: the generation a
	// kubelet's observedGeneration must reach for it to be done.
	UID        string
	Generation int64
}

// resize sends a strategic-merge patch to a pod's resize subresource,
// as a server-side dry run when dryRun is set. Failures wrap advisor's
// apply error kinds; a node too small for the new requests is
// advisor.ErrNodeCapacity.
func (r *resizer) resize(ctx context.Context, namespace, pod string, body []byte, dryRun bool) (ResizeResult, error) {
	opts := metav1.PatchOptions{FieldManager: FieldManager}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	p, err := r.pods.Pods(namespace).Patch(ctx, pod, types.StrategicMergePatchType, body, opts, "resize")
	r.health.observe(err)
	if err != nil {
		return ResizeResult{}, classifyResizeError(namespace, pod, err)
	}
	return ResizeResult{DryRun: dryRun, UID: string(p.UID), Generation: p.Generation}, nil
}

func classifyResizeError(namespace, pod string, err error) error {
	what := fmt.Sprintf("pod %s/%s", namespace, pod)
	var status *apierrors.StatusError
	if apierrors.IsForbidden(err) && errors.As(err, &status) && status.ErrStatus.Details != nil {
		for _, c := range status.ErrStatus.Details.Causes {
			if c.Type == nodeCapacityCause {
				return fmt.Errorf("resizing %s: %w", what, nodeCapacity(status.ErrStatus.Message))
			}
		}
	}
	p := advisor.Patch{Resource: "pods/resize", Namespace: namespace, Name: pod}
	return classifyPatchError(p, err)
}

// shortfall matches one resource of the API server's NodeCapacity message:
// "node didn't have enough allocatable resources: cpu, requested: 9000,
// allocatable: 8000; memory, requested: ..., allocatable: ..." (millicores,
// bytes).
var shortfall = regexp.MustCompile(`\b(cpu|memory), requested: (\d+), allocatable: (\d+)`)

// nodeCapacity reads what did not fit from the API server's message.
func nodeCapacity(msg string) *advisor.NodeCapacityError {
	e := &advisor.NodeCapacityError{Message: msg}
	for _, m := range shortfall.FindAllStringSubmatch(msg, -1) {
		requested, err1 := strconv.ParseInt(m[2], 10, 64)
		allocatable, err2 := strconv.ParseInt(m[3], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		// advisor.CPU and advisor.Memory are the API's names.
		e.Short = append(e.Short, advisor.NodeShortfall{Resource: m[1], Requested: requested, Allocatable: allocatable})
	}
	return e
}

// Resize changes a running pod's CPU and memory in place through the
// pods/resize subresource, with a strategic-merge patch of its containers'
// resources; with dryRun the server checks it (admission included) and
// keeps nothing. The kubelet then applies it: the pod's status says how
// far it has come (model.Pod.Resize, model.ContainerInstance.Resources).
func (c *Collector) Resize(ctx context.Context, namespace, pod string, body []byte, dryRun bool) (ResizeResult, error) {
	return c.patcher.resize(ctx, namespace, pod, body, dryRun)
}
