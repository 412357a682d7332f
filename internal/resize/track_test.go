package resize

import (
	"testing"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// A pod's resize moves through the states its status tells, as a kubelet
// 1.37 reports them: the generation it saw, then the conditions.
func TestTrack(t *testing.T) {
	w := workload(res(100, 128*mi, 0, 256*mi), model.QoSBurstable, 100*mi)
	step := New(w, patchOf(t, w, set(advisor.Limits, advisor.Memory, 384*mi, "384Mi"))).Steps[0]
	const gen = 2
	after := res(100, 128*mi, 0, 384*mi)
	for _, tc := range []struct {
		name  string
		edit  func(p *model.Pod, in *model.ContainerInstance)
		state State
		msg   string
	}{
		{"not seen yet", func(p *model.Pod, _ *model.ContainerInstance) { p.Resize.Generation = gen }, Sent, ""},
		{"in progress", func(p *model.Pod, _ *model.ContainerInstance) {
			p.Resize = model.PodResize{Generation: gen, ObservedGeneration: gen, InProgress: &model.Condition{ObservedGeneration: gen}}
		}, Applying, ""},
		{"deferred", func(p *model.Pod, _ *model.ContainerInstance) {
			p.Resize = model.PodResize{Generation: gen, ObservedGeneration: gen,
				Pending: &model.Condition{Reason: model.ResizeDeferred, Message: "Node didn't have enough resource: memory", ObservedGeneration: gen}}
		}, Deferred, "Node didn't have enough resource: memory"},
		{"infeasible", func(p *model.Pod, _ *model.ContainerInstance) {
			p.Resize = model.PodResize{Generation: gen, ObservedGeneration: gen,
				Pending: &model.Condition{Reason: model.ResizeInfeasible, Message: `Resize is infeasible for Guaranteed Pods alongside CPU Manager policy "static"`, ObservedGeneration: gen}}
		}, Infeasible, `Resize is infeasible for Guaranteed Pods alongside CPU Manager policy "static"`},
		{"error", func(p *model.Pod, _ *model.ContainerInstance) {
			p.Resize = model.PodResize{Generation: gen, ObservedGeneration: gen,
				InProgress: &model.Condition{Reason: model.ResizeError, Message: "cannot decrease memory limits", ObservedGeneration: gen}}
		}, Failed, "cannot decrease memory limits"},
		{"a condition of the generation before", func(p *model.Pod, _ *model.ContainerInstance) {
			p.Resize = model.PodResize{Generation: gen, ObservedGeneration: 1,
				Pending: &model.Condition{Reason: model.ResizeInfeasible, ObservedGeneration: 1}}
		}, Sent, ""},
		{"done", func(p *model.Pod, in *model.ContainerInstance) {
			p.Resize = model.PodResize{Generation: gen, ObservedGeneration: gen}
			in.Resources.Applied = &after
		}, Done, ""},
		{"done by a kubelet that reports no observedGeneration", func(p *model.Pod, in *model.ContainerInstance) {
			p.Resize = model.PodResize{Generation: gen}
			in.Resources.Applied = &after
		}, Done, ""},
		{"no observedGeneration, old resources", func(p *model.Pod, _ *model.ContainerInstance) { p.Resize = model.PodResize{Generation: gen} }, Sent, ""},
		{"made again", func(p *model.Pod, _ *model.ContainerInstance) { p.UID = "uid-other" }, Gone, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := workload(res(100, 128*mi, 0, 256*mi), model.QoSBurstable, 100*mi)
			tc.edit(&w.Pods[0], &w.Containers[0].Instances[0])
			got := Track(w, step, gen)
			if got.State != tc.state || got.Message != tc.msg {
				t.Errorf("%v %q, want %v %q", got.State, got.Message, tc.state, tc.msg)
			}
			if got.State.Stops() != (tc.state == Infeasible || tc.state == Failed || tc.state == Gone) {
				t.Errorf("%v stops: %v", got.State, got.State.Stops())
			}
		})
	}
	gone := workload(res(100, 128*mi, 0, 256*mi), model.QoSBurstable)
	if got := Track(gone, step, gen); got.State != Gone {
		t.Errorf("a deleted pod: %v", got.State)
	}
}
