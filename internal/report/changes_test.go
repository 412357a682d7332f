package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// changed is the fixture with two changes kgotop applied to orders: a
// rollout a day ago, and a resize in place 12 minutes ago (its memory cut
// too deep), OOMKilled since.
func changed() model.Snapshot {
	s := fixture()
	o := &s.Workloads[1]
	o.Pods[0].Created = now.Add(-48 * time.Hour)
	o.Changes = []model.AppliedChange{
		{Ref: o.Ref, Way: model.ChangeResize, At: now.Add(-12 * time.Minute), Template: true, Pods: []string{"orders-0"}, Restarts: map[string]int32{"orders-0": 2},
			Fields: []model.ChangedField{{Container: "orders", Field: "resources.limits.memory", Before: "512Mi", After: "384Mi", Undo: &model.FieldUndo{Amount: 512 << 20}}}},
		{Ref: o.Ref, Way: model.ChangeRollout, At: now.Add(-24 * time.Hour), Template: true,
			Fields: []model.ChangedField{{Container: "orders", Field: "env[GOGC]", Before: "50", After: "100", Undo: &model.FieldUndo{Value: "50"}}}},
	}
	o.Containers[0].Instances[0].LastTermination = &model.Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: now.Add(-time.Minute)}
	return s
}

// The report's applied changes: every change kept, newest first, and what
// followed the newest of each workload, in text, Markdown and JSON.
func TestAppliedChangesSection(t *testing.T) {
	s := changed()
	advice := advisor.Advise(s, advisor.Options{})
	for _, f := range []Format{Text, Markdown} {
		var b bytes.Buffer
		if err := Write(&b, s, advice, Options{Format: f, Width: 200}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, want := range []string{
			"sts/orders: resized 12m ago (2026-11-25 05:58:12Z), 1 pod in place, the template patched: orders resources.limits.memory 512Mi → 384Mi",
			"sts/orders: since: 1 of 1 pods resized; OOMKilled in 1 pod, 2 restarts (critical",
			"sts/orders: rolled out 1d ago (2026-11-24 06:10:12Z), the template patched: orders env[GOGC] 50 → 100",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", f, want, out)
			}
		}
		if i, j := strings.Index(out, "resized 12m ago"), strings.Index(out, "rolled out 1d ago"); i > j {
			t.Errorf("%s: the newest change is not first", f)
		}
	}
	r := NewJSONReport(s, advice)
	if len(r.AppliedChanges) != 2 {
		t.Fatalf("applied_changes %+v", r.AppliedChanges)
	}
	first, second := r.AppliedChanges[0], r.AppliedChanges[1]
	if first.Way != "resize" || first.FollowUp == nil || first.FollowUp.OOMKilledPods != 1 || first.FollowUp.Restarts != 2 ||
		!strings.Contains(first.UndoCommand, `"memory":"512Mi"`) || second.FollowUp != nil || second.UndoCommand != "" {
		t.Errorf("applied_changes %+v / %+v", first, second)
	}
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"applied_changes":[{"kind":"StatefulSet","namespace":"store","name":"orders","way":"resize","at":"2026-11-25T05:58:12Z"`) {
		t.Errorf("JSON names: %s", b)
	}
	// No change kept: no section, no key.
	var plain bytes.Buffer
	_ = Write(&plain, fixture(), nil, Options{Format: JSON})
	if strings.Contains(plain.String(), "applied_changes") {
		t.Error("applied_changes in a report with none")
	}
}
