package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
)

func TestApplyWith(t *testing.T) {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop", Generation: 3},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "app", Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("384Mi")}},
		}}}}},
	}
	kube := fake.NewClientset(d)
	c := collect.New(collect.Clients{Kube: kube, Discovery: kube.Discovery()}, collect.Options{Namespace: "shop"})
	w := model.Workload{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "api"},
		Containers: []model.Container{{Name: "app", Resources: model.Resources{Limits: model.ResourceList{Memory: 384 << 20}}}}}
	a := advisor.Advice{ID: "x", Target: advisor.Target{Kind: model.KindDeployment, Namespace: "shop", Name: "api", Container: "app"},
		Changes: []advisor.Change{
			{Container: "app", Resource: &advisor.ResourceChange{Section: advisor.Limits, Name: advisor.Memory, Amount: 484 << 20, Quantity: "484Mi"}},
			{Container: "app", Env: &advisor.EnvChange{Name: "GOMEMLIMIT", Value: "435MiB"}},
		}}
	p, err := advisor.BuildPatch(w, []advisor.Advice{a})
	if err != nil {
		t.Fatal(err)
	}
	apply := applyWith(c.Apply)
	got, err := apply(context.Background(), p, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "the server keeps app resources.limits.memory=484Mi, app env[GOMEMLIMIT]=435MiB"; !strings.HasPrefix(got, want) {
		t.Fatalf("summary %q, want it to start %q", got, want)
	}

	kube.PrependReactor("patch", "deployments", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewConflict(schema.GroupResource{Group: "apps", Resource: "deployments"}, "api", errors.New("the object has been modified"))
	})
	if _, err := apply(context.Background(), p, true); !errors.Is(err, advisor.ErrConflict) {
		t.Fatalf("a conflict should reach the dashboard as advisor.ErrConflict, got %v", err)
	}
}

func TestDashboardNeedsATerminal(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run(context.Background(), []string{"--read-only"}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "not a terminal") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}
