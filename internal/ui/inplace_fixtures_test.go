package ui

import (
	"context"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// resizable is the fixture on a cluster that serves pods/resize, its pods
// reporting what a kubelet 1.37 does: UIDs, QoS classes, generations seen,
// and each container's spec and applied resources.
func resizable() model.Snapshot {
	s := fixture()
	s.Sources.InPlaceResize = true
	for i := range s.Workloads {
		w := &s.Workloads[i]
		for j := range w.Pods {
			p := &w.Pods[j]
			p.UID, p.Created = "uid-"+p.Name, t0.Add(-2*time.Hour)
			p.Resize = model.PodResize{Generation: 1, ObservedGeneration: 1}
			var rs []model.Resources
			for k := range w.Containers {
				c := &w.Containers[k]
				for n := range c.Instances {
					if in := &c.Instances[n]; in.Pod == p.Name {
						r := c.Resources
						in.Resources = model.ContainerResources{Spec: r, Applied: &r, Allocated: &r.Requests}
						rs = append(rs, r)
					}
				}
			}
			p.QoS = model.QoS(rs)
		}
	}
	return s
}

// workloadOf returns a pointer to the snapshot's workload named name.
func workloadOf(s *model.Snapshot, name string) *model.Workload {
	for i := range s.Workloads {
		if s.Workloads[i].Ref.Name == name {
			return &s.Workloads[i]
		}
	}
	return nil
}

// fakeResize records the calls Deps.Resize gets and answers from errs,
// each real resize moving the pod's generation to 2.
type fakeResize struct {
	calls []string
	errs  map[string]error // pod -> the error its real resize answers
}

func (f *fakeResize) resize(_ context.Context, _, pod string, _ []byte, dryRun bool) (int64, error) {
	f.calls = append(f.calls, pod+ifElse(dryRun, " dry", " real"))
	if err := f.errs[pod]; err != nil && !dryRun {
		return 0, err
	}
	return 2, nil
}

// recorder keeps what Deps.Record files.
type recorder struct{ changes []model.AppliedChange }

func (r *recorder) record(ch model.AppliedChange) { r.changes = append(r.changes, ch) }

// resizeDeps are Deps over s with fake apply, resize and record.
func resizeDeps(s model.Snapshot, f *fakeApply, rz *fakeResize, rec *recorder) Deps {
	d := deps(s, f)
	d.Resize, d.Record = rz.resize, rec.record
	return d
}

// cutChange is a change kgotop applied to mailer at t0-12m: its memory
// request cut from 512Mi to 320Mi and its limit from 640Mi to 420Mi in
// place, and the template patched.
func cutChange() model.AppliedChange {
	return model.AppliedChange{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "mailer"},
		Way: model.ChangeResize, At: t0.Add(-12 * time.Minute), Template: true, Pods: []string{"mailer-0"},
		Restarts: map[string]int32{"mailer-0": 0},
		Fields: []model.ChangedField{
			{Container: "mailer", Field: "resources.requests.memory", Before: "512Mi", After: "320Mi", Undo: &model.FieldUndo{Amount: 512 * mi}},
			{Container: "mailer", Field: "resources.limits.memory", Before: "640Mi", After: "420Mi", Undo: &model.FieldUndo{Amount: 640 * mi}}}}
}

// cutTooDeep is the resizable fixture after cutChange, mailer OOMKilled since.
func cutTooDeep() model.Snapshot {
	s := resizable()
	w := workloadOf(&s, "mailer")
	w.Changes = []model.AppliedChange{cutChange()}
	c := &w.Containers[0]
	c.Resources.Requests.Memory, c.Resources.Limits.Memory = 320*mi, 420*mi
	in := &c.Instances[0]
	in.Resources.Spec = c.Resources
	applied := in.Resources.Spec
	in.Resources.Applied = &applied
	in.RestartCount = 2
	in.LastTermination = &model.Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: t0.Add(-2 * time.Minute)}
	w.Pods[0].Resize = model.PodResize{Generation: 2, ObservedGeneration: 2}
	return s
}
