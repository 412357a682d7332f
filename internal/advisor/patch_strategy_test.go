package advisor

import (
	"strings"
	"testing"

	"github.com/kgotop/kgotop/internal/model"
)

// A StatefulSet or DaemonSet whose updateStrategy is OnDelete takes a new
// template only in pods made from then on: its patch restarts nothing, and
// says so; a RollingUpdate one replaces its pods.
func TestPatchOnDeleteRestartsNothing(t *testing.T) {
	for _, tc := range []struct {
		kind     model.Kind
		strategy string
		restarts bool
		effect   string
	}{
		{model.KindStatefulSet, "OnDelete", false, "updateStrategy OnDelete replaces no running pod"},
		{model.KindDaemonSet, "OnDelete", false, "updateStrategy OnDelete replaces no running pod"},
		{model.KindStatefulSet, "RollingUpdate", true, "replaces the pods one by one"},
		{model.KindStatefulSet, "", true, "replaces the pods one by one"},
		{model.KindDeployment, "Recreate", true, "rolls out new pods"},
	} {
		w := deployment(model.Container{Resources: res(100, 128*mi, 0, 256*mi)})
		w.Ref.Kind, w.UpdateStrategy = tc.kind, tc.strategy
		a := Advice{ID: "x", Target: Target{Kind: tc.kind, Namespace: "shop", Name: "api", Container: "app"},
			Changes: []Change{setResource("app", Limits, Memory, 384*mi)}}
		p, err := BuildPatch(w, []Advice{a})
		if err != nil {
			t.Fatal(err)
		}
		if p.RestartsPods != tc.restarts || !strings.Contains(p.Effect, tc.effect) {
			t.Errorf("%s %q: restarts %v, effect %q", tc.kind, tc.strategy, p.RestartsPods, p.Effect)
		}
	}
}
