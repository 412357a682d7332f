package demo

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/util/validation/field"
	k8stesting "k8s.io/client-go/testing"
)

// patchWorkload plays the API server's part for a strategic-merge patch of a
// Deployment or StatefulSet, which client-go's fake gets wrong in the ways a
// demo must not: it ignores dryRun (a "dry run" would change the workload),
// validates nothing, and never moves metadata.generation. Here a dry run
// changes nothing, a request above its limit is refused as the API server
// refuses it, and a changed template bumps the generation.
func (s *Sim) patchWorkload(a k8stesting.Action) (bool, runtime.Object, error) {
	p, ok := a.(k8stesting.PatchActionImpl)
	if !ok || p.GetPatchType() != types.StrategicMergePatchType || p.GetSubresource() != "" {
		return false, nil, nil
	}
	gvr := p.GetResource()
	var typed interface {
		runtime.Object
		metav1.Object
	}
	switch gvr.Resource {
	case "deployments":
		typed = &appsv1.Deployment{}
	case "statefulsets":
		typed = &appsv1.StatefulSet{}
	default:
		return false, nil, nil
	}
	tracker := s.Kube.Tracker()
	cur, err := tracker.Get(gvr, p.GetNamespace(), p.GetName())
	if err != nil {
		return true, nil, err
	}
	orig, err := json.Marshal(cur)
	if err != nil {
		return true, nil, err
	}
	merged, err := strategicpatch.StrategicMergePatch(orig, p.GetPatch(), typed)
	if err != nil {
		return true, nil, apierrors.NewBadRequest(err.Error())
	}
	if err := json.Unmarshal(merged, typed); err != nil {
		return true, nil, apierrors.NewBadRequest(err.Error())
	}
	gk := schema.GroupKind{Group: gvr.Group, Kind: kindOf(gvr.Resource)}
	if errs := validateTemplate(templateOf(typed)); len(errs) > 0 {
		return true, nil, apierrors.NewInvalid(gk, p.GetName(), errs)
	}
	if !equality.Semantic.DeepEqual(specOf(cur), specOf(typed)) {
		typed.SetGeneration(typed.GetGeneration() + 1) // as the API server does for a changed spec
	}
	if len(p.GetPatchOptions().DryRun) > 0 {
		return true, typed, nil
	}
	if err := tracker.Update(gvr, typed, p.GetNamespace()); err != nil {
		return true, nil, err
	}
	s.changed.Store(true)
	return true, typed, nil
}

// templateOf returns the pod template of a Deployment or StatefulSet.
func templateOf(o runtime.Object) *corev1.PodTemplateSpec {
	switch o := o.(type) {
	case *appsv1.Deployment:
		return &o.Spec.Template
	case *appsv1.StatefulSet:
		return &o.Spec.Template
	}
	return &corev1.PodTemplateSpec{}
}

// specOf returns the spec of a Deployment or StatefulSet.
func specOf(o runtime.Object) any {
	switch o := o.(type) {
	case *appsv1.Deployment:
		return o.Spec
	case *appsv1.StatefulSet:
		return o.Spec
	}
	return nil
}

func kindOf(resource string) string {
	if resource == "statefulsets" {
		return "StatefulSet"
	}
	return "Deployment"
}

// validateTemplate is the part of the API server's validation a patch of
// kgotop's could trip: every container has an image (a patch naming a
// container the template lacks adds one without), and none requests more
// than its limit.
func validateTemplate(t *corev1.PodTemplateSpec) field.ErrorList {
	var errs field.ErrorList
	for i, c := range t.Spec.Containers {
		at := field.NewPath("spec", "template", "spec", "containers").Index(i)
		if c.Image == "" {
			errs = append(errs, field.Required(at.Child("image"), ""))
		}
		path := at.Child("resources", "requests")
		for name, req := range c.Resources.Requests {
			if lim, ok := c.Resources.Limits[name]; ok && req.Cmp(lim) > 0 {
				errs = append(errs, field.Invalid(path, req.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, lim.String())))
			}
		}
	}
	return errs
}
