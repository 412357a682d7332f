package collect

import (
	"context"
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kgotop/kgotop/internal/model"
)

// PatchTarget names the object a patch is for.
type PatchTarget struct {
	Group, Resource string // "apps", "deployments"
	Namespace, Name string
}

// ApplyResult is what the API server made of a patch.
type ApplyResult struct {
	DryRun bool
	// Containers is the pod template the server would keep (dry run) or kept.
	Containers []model.Container
	// Generation is the object's generation after the patch.
	Generation int64
}

// FieldManager is the name kgotop's changes carry in managedFields.
const FieldManager = "kgotop"

// Errors of ApplyPatch, wrapped with the server's message; test them with errors.Is.
var (
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrInvalidPatch = errors.New("rejected as invalid")
	ErrNotFound     = errors.New("not found")
	ErrUnsupported  = errors.New("kgotop does not patch this kind")
)

// ApplyPatch sends a strategic-merge patch to a Deployment, StatefulSet or
// DaemonSet. With dryRun the server validates and admits it without
// persisting anything (a server-side dry run), so a person can see what would
// change before applying it for real.
func (c *Collector) ApplyPatch(ctx context.Context, t PatchTarget, patch []byte, dryRun bool) (ApplyResult, error) {
	opts := metav1.PatchOptions{FieldManager: FieldManager}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	apps := c.clients.Kube.AppsV1()
	var (
		tmpl corev1.PodTemplateSpec
		gen  int64
		err  error
	)
	switch {
	case t.Group == "apps" && t.Resource == "deployments":
		var d *appsv1.Deployment
		if d, err = apps.Deployments(t.Namespace).Patch(ctx, t.Name, types.StrategicMergePatchType, patch, opts); err == nil {
			tmpl, gen = d.Spec.Template, d.Generation
		}
	case t.Group == "apps" && t.Resource == "statefulsets":
		var s *appsv1.StatefulSet
		if s, err = apps.StatefulSets(t.Namespace).Patch(ctx, t.Name, types.StrategicMergePatchType, patch, opts); err == nil {
			tmpl, gen = s.Spec.Template, s.Generation
		}
	case t.Group == "apps" && t.Resource == "daemonsets":
		var d *appsv1.DaemonSet
		if d, err = apps.DaemonSets(t.Namespace).Patch(ctx, t.Name, types.StrategicMergePatchType, patch, opts); err == nil {
			tmpl, gen = d.Spec.Template, d.Generation
		}
	default:
		return ApplyResult{}, fmt.Errorf("%s.%s: %w", t.Resource, t.Group, ErrUnsupported)
	}
	c.markReachable(err)
	if err != nil {
		return ApplyResult{}, classifyPatchError(t, err)
	}
	res := ApplyResult{DryRun: dryRun, Generation: gen}
	for _, ct := range tmpl.Spec.Containers {
		res.Containers = append(res.Containers, convertContainer(ct))
	}
	return res, nil
}

func classifyPatchError(t PatchTarget, err error) error {
	what := fmt.Sprintf("%s %s/%s", t.Resource, t.Namespace, t.Name)
	switch {
	case apierrors.IsConflict(err):
		return fmt.Errorf("%s changed meanwhile: %w: %v", what, ErrConflict, err)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("patching %s: %w: %v", what, ErrForbidden, err)
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		return fmt.Errorf("patching %s: %w: %v", what, ErrInvalidPatch, err)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("patching %s: %w", what, err)
}
