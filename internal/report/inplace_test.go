package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// onDelete makes orders an OnDelete StatefulSet whose pod runs, as the
// kubelet reports it, with the template's resources: its pods can be
// resized in place, and a template patch reaches none of them.
func onDelete(s model.Snapshot) model.Snapshot {
	o := &s.Workloads[1]
	o.UpdateStrategy = "OnDelete"
	o.Pods[0].Phase, o.Pods[0].Ready = "Running", true
	for i := range o.Containers {
		c := &o.Containers[i]
		for j := range c.Instances {
			c.Instances[j].Resources.Spec = c.Resources
		}
	}
	return s
}

// Finding 3 of the second review: the undo of a change kgotop made in
// place is printed as the in-place resize of each running pod, then the
// template patch, with the template patch's effect (on main: the template
// patch alone, which leaves the OOMing pods at the cut limit); and an
// emergency raise of an OnDelete StatefulSet gets the resize commands that
// reach its pods without a restart. JSON carries both.
func TestInPlaceCommandsReachTheRunningPods(t *testing.T) {
	undo := onDelete(changed())
	raise := onDelete(fixture())
	for _, tc := range []struct {
		name string
		s    model.Snapshot
		want []string
	}{
		{name: "the undo", s: undo, want: []string{
			"      in place, no restart: resize each running pod, then patch the template",
			`$ kubectl patch pod orders-0 -n store --subresource resize --type=strategic -p '{"spec":{"containers":[{"name":"orders","resources":{"limits":{"cpu":"1","memory":"512Mi"}`,
			`$ kubectl patch statefulset orders -n store --type=strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"orders","resources":{"limits":{"memory":"512Mi"}}}]}}}}'`,
			"changes only pods made from now on: its updateStrategy OnDelete replaces no running pod",
		}},
		{name: "the emergency raise", s: raise, want: []string{
			"  in place, no restart: resize each running pod, then patch the template",
			`    $ kubectl patch pod orders-0 -n store --subresource resize --type=strategic -p '{"spec":{"containers":[{"name":"orders","resources":{"limits":{"cpu":"1","memory":"479Mi"}`,
			`    $ kubectl patch statefulset orders -n store --type=strategic`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			advice := advisor.Advise(tc.s, advisor.Options{})
			var b bytes.Buffer
			if err := Write(&b, tc.s, advice, Options{Format: Text, Width: 400}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("lacks %q:\n%s", want, out)
				}
			}
			if i, j := strings.Index(out, "kubectl patch pod orders-0"), strings.Index(out, "kubectl patch statefulset orders"); i < 0 || j < i {
				t.Errorf("the pods are not resized before the template is patched")
			}
			r := NewJSONReport(tc.s, advice)
			var resizes []string
			if len(r.AppliedChanges) > 0 {
				resizes = r.AppliedChanges[0].UndoResizeCommands
			} else {
				resizes = r.Workloads[1].ResizeCommands
			}
			if len(resizes) != 1 || !strings.Contains(resizes[0], "--subresource resize") {
				t.Errorf("JSON resize commands %q", resizes)
			}
		})
	}
}
