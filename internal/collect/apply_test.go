package collect

import (
	"context"
	"errors"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// apiPatch is a patch of the Deployment api.
func apiPatch(data string) advisor.Patch {
	return advisor.Patch{Kind: model.KindDeployment, Group: "apps", Resource: "deployments", Namespace: ns, Name: "api", Data: []byte(data)}
}

func TestApplyPatch(t *testing.T) {
	r := newRig(t, deployment("api", 2, container("app", "1", "1Gi"), container("proxy", "50m", "")))
	c := r.start(t, Options{})
	ctx := context.Background()
	patch := apiPatch(`{"spec":{"template":{"spec":{"containers":[{"name":"app","resources":{"requests":{"cpu":"120m"}},"env":[{"name":"GOMEMLIMIT","value":"900MiB"}]}]}}}}`)

	var dryRuns [][]string
	r.kube.PrependReactor("patch", "deployments", func(a k8stesting.Action) (bool, runtime.Object, error) {
		dryRuns = append(dryRuns, a.(k8stesting.PatchActionImpl).PatchOptions.DryRun)
		return false, nil, nil
	})
	res, err := c.Apply(ctx, patch, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(dryRuns) != 1 || len(dryRuns[0]) != 1 || dryRuns[0][0] != metav1.DryRunAll || !res.DryRun {
		t.Fatalf("dry run options sent: %v", dryRuns)
	}
	res, err = c.Apply(ctx, patch, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(dryRuns) != 2 || dryRuns[1] != nil {
		t.Fatalf("a real apply sent dry run %v", dryRuns[1])
	}
	app, proxy := res.Containers[0], res.Containers[1]
	if app.Resources.Requests.CPU != 120 || app.Resources.Limits.Memory != 1<<30 || proxy.Resources.Requests.CPU != 50 {
		t.Errorf("strategic merge lost or missed fields: app %+v proxy %+v", app.Resources, proxy.Resources)
	}
	if e, ok := app.LookupEnv("GOMEMLIMIT"); !ok || e.Value != "900MiB" {
		t.Errorf("env = %+v", app.Env)
	}
}

func TestApplyPatchErrors(t *testing.T) {
	r := newRig(t, deployment("api", 1, container("app", "", "")))
	c := r.start(t, Options{})
	for _, tc := range []struct {
		err  error
		want error
	}{
		{apierrors.NewConflict(schema.GroupResource{Group: "apps", Resource: "deployments"}, "api", errors.New("the object has been modified")), advisor.ErrConflict},
		{apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "api", errors.New(`User "viewer" cannot patch resource "deployments"`)), advisor.ErrForbidden},
		{apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "api", nil), advisor.ErrInvalid},
		{apierrors.NewNotFound(schema.GroupResource{Group: "apps", Resource: "deployments"}, "api"), advisor.ErrNotFound},
	} {
		r.kube.PrependReactor("patch", "deployments", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, tc.err })
		if _, err := c.Apply(context.Background(), apiPatch(`{}`), true); !errors.Is(err, tc.want) {
			t.Errorf("server said %v; ApplyPatch returned %v, want %v", tc.err, err, tc.want)
		}
	}
	if _, err := c.Apply(context.Background(), advisor.Patch{Kind: model.KindJob, Group: "batch", Resource: "jobs", Namespace: ns, Name: "x", Data: []byte(`{}`)}, true); !errors.Is(err, advisor.ErrUnsupported) {
		t.Errorf("jobs: %v", err)
	}
}
