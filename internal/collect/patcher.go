package collect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	appsv1client "k8s.io/client-go/kubernetes/typed/apps/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// ApplyResult is what the API server made of a patch.
type ApplyResult struct {
	DryRun bool
	// Containers is the pod template the server would keep (dry run) or kept.
	Containers []model.Container
	// Generation is the object's generation after the patch.
	Generation int64
}

// Summary says in one line what the server kept of every field the patch
// sets: "the server keeps app resources.limits.memory=484Mi,
// app env[GOMEMLIMIT]=435MiB (generation 7)".
func (r ApplyResult) Summary(p advisor.Patch) string {
	verb := "the server keeps "
	if r.DryRun {
		verb = "the server would keep "
	}
	return fmt.Sprintf("%s%s (generation %d)", verb, strings.Join(p.Readback(r.Containers), ", "), r.Generation)
}

// FieldManager is the name kgotop's changes carry in managedFields.
const FieldManager = "kgotop"

// templateClients are the clients of the objects whose pod templates
// kgotop patches, and nothing else.
type templateClients interface {
	appsv1client.DeploymentsGetter
	appsv1client.StatefulSetsGetter
	appsv1client.DaemonSetsGetter
}

// patcher is the part of the collector that changes the cluster: it sends
// template patches and in-place resizes (resize.go) with the narrow
// clients they need, counts the changes it made to each workload, and
// keeps the log of the changes applied from kgotop (changelog.go).
type patcher struct {
	apps   templateClients
	health *apiHealth
	resizer
	log changeLog

	mu      sync.Mutex
	gens    map[model.WorkloadRef]uint64
	counter uint64
}

func newPatcher(apps templateClients, pods corev1client.PodsGetter, disc discoverer, health *apiHealth) *patcher {
	return &patcher{apps: apps, health: health, gens: map[model.WorkloadRef]uint64{},
		resizer: resizer{pods: pods, discovery: disc, health: health}}
}

// generation returns the workload's patch generation: it changes with
// every patch applied to it (dry runs aside).
func (p *patcher) generation(ref model.WorkloadRef) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gens[ref]
}

// apply sends a strategic-merge patch to a Deployment, StatefulSet or
// DaemonSet. With dryRun the server validates and admits it without
// persisting anything (a server-side dry run). Failures wrap advisor's
// apply error kinds.
func (p *patcher) apply(ctx context.Context, pt advisor.Patch, dryRun bool) (ApplyResult, error) {
	opts := metav1.PatchOptions{FieldManager: FieldManager}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	tmpl, gen, err := p.patch(ctx, pt, opts)
	if errors.Is(err, advisor.ErrUnsupported) {
		return ApplyResult{}, err // nothing was sent
	}
	p.health.observe(err)
	if err != nil {
		return ApplyResult{}, classifyPatchError(pt, err)
	}
	if !dryRun {
		p.mu.Lock()
		p.counter++
		p.gens[model.WorkloadRef{Kind: pt.Kind, Namespace: pt.Namespace, Name: pt.Name}] = p.counter
		p.mu.Unlock()
	}
	res := ApplyResult{DryRun: dryRun, Generation: gen}
	for _, ct := range tmpl.Spec.Containers {
		res.Containers = append(res.Containers, convertContainer(ct))
	}
	return res, nil
}

// patch sends the patch to the object's own client and returns the pod
// template and generation the server answered with.
func (p *patcher) patch(ctx context.Context, pt advisor.Patch, opts metav1.PatchOptions) (corev1.PodTemplateSpec, int64, error) {
	const smp = types.StrategicMergePatchType
	switch {
	case pt.Group == "apps" && pt.Resource == "deployments":
		d, err := p.apps.Deployments(pt.Namespace).Patch(ctx, pt.Name, smp, pt.Data, opts)
		if err != nil {
			return corev1.PodTemplateSpec{}, 0, err
		}
		return d.Spec.Template, d.Generation, nil
	case pt.Group == "apps" && pt.Resource == "statefulsets":
		s, err := p.apps.StatefulSets(pt.Namespace).Patch(ctx, pt.Name, smp, pt.Data, opts)
		if err != nil {
			return corev1.PodTemplateSpec{}, 0, err
		}
		return s.Spec.Template, s.Generation, nil
	case pt.Group == "apps" && pt.Resource == "daemonsets":
		d, err := p.apps.DaemonSets(pt.Namespace).Patch(ctx, pt.Name, smp, pt.Data, opts)
		if err != nil {
			return corev1.PodTemplateSpec{}, 0, err
		}
		return d.Spec.Template, d.Generation, nil
	}
	return corev1.PodTemplateSpec{}, 0, fmt.Errorf("%s.%s: %w", pt.Resource, pt.Group, advisor.ErrUnsupported)
}

func classifyPatchError(p advisor.Patch, err error) error {
	what := fmt.Sprintf("%s %s/%s", p.Resource, p.Namespace, p.Name)
	switch {
	case apierrors.IsConflict(err):
		return fmt.Errorf("%s changed meanwhile: %w: %v", what, advisor.ErrConflict, err)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("patching %s: %w: %v", what, advisor.ErrForbidden, err)
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		return fmt.Errorf("patching %s: %w: %v", what, advisor.ErrInvalid, err)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%s: %w", what, advisor.ErrNotFound)
	}
	return fmt.Errorf("patching %s: %w", what, err)
}
