package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/resize"
	"github.com/kgotop/kgotop/internal/scenario"
)

// The rest of ledger's story (second review, findings 1 to 3): the raise
// the follow-up offers beside the undo, applied in place as the dashboard
// does it (each pod resized, the template patched, the change filed). The
// pods keep their OOMKilled last state, and one may be killed again while
// the resize is under way; ten minutes on, nothing raises the limit again
// and nothing offers to undo the raise.
func TestLedgerRaisedInPlaceSettles(t *testing.T) {
	s, c := startSim(t, 1, 8*time.Hour)
	ctx := context.Background()
	w := workloadNamed(t, c, "ledger", func(model.Workload) bool { return true })
	as := advisor.AdviseWorkload(w, advisor.Options{Now: s.Now()})
	var raise []advisor.Advice
	var raised int64 // the memory limit it raises to
	for _, a := range advisor.PatchableWithHeld(as) {
		if a.HeldWhy == advisor.HeldBehindUndo || a.HeldWhy == advisor.HeldWithRequired {
			raise = append(raise, a)
		}
		if a.Kind == advisor.KindMemoryLimit {
			raised = a.Suggested.Amount
		}
	}
	patch, err := advisor.BuildPatch(w, raise)
	if err != nil {
		t.Fatalf("the raise beside the undo: %v", err)
	}
	plan := resize.New(w, patch)
	if !plan.InPlace() {
		t.Fatalf("ledger's pods cannot take the raise in place: %q", plan.Refused)
	}
	record := advisor.Applied(w, patch, model.ChangeResize, s.Now())
	for _, step := range plan.Steps {
		if _, err := c.Resize(ctx, scenario.Namespace, step.Pod, step.Body, false); err != nil {
			t.Fatal(err)
		}
		record.Pods = append(record.Pods, step.Pod)
	}
	if _, err := c.Apply(ctx, patch, false); err != nil {
		t.Fatal(err)
	}
	c.Record(record)
	for range 40 { // ten minutes
		if err := s.Advance(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	limit := func(w model.Workload) int64 { return w.Containers[0].Resources.Limits.Memory }
	w = workloadNamed(t, c, "ledger", func(w model.Workload) bool {
		return len(w.Changes) == 2 && limit(w) == raised && !slices.ContainsFunc(w.Pods, func(p model.Pod) bool { return !p.Resize.Settled() })
	})
	if !slices.ContainsFunc(w.Containers[0].Instances, func(in model.ContainerInstance) bool {
		return in.LastTermination != nil && in.LastTermination.Reason == "OOMKilled"
	}) {
		t.Error("no pod kept an OOMKilled last state: the test shows nothing")
	}
	for _, a := range advisor.AdviseWorkload(w, advisor.Options{Now: s.Now()}) {
		switch {
		case a.Kind == advisor.KindMemoryLimit && a.Suggested.Amount > limit(w):
			t.Errorf("the raise ratchets: %s", a.Reason)
		case a.Kind == advisor.KindAfterChange:
			t.Errorf("after the raise: %s -> %s: %s", a.Current.Display, a.Suggested.Display, a.Reason)
		}
	}
}
