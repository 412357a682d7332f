package demo

import (
	"context"
	"fmt"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/resize"
	"github.com/kgotop/kgotop/internal/scenario"
)

// earlierSession replays the kgotop session that cut ledger's memory in
// place before the demo opened (scenario.Followed): the calls the dashboard
// makes, through the collector (each pod's resize dry-run, then made; the
// template patch dry-run, then applied), and the change filed. It reports
// whether it is done: a pod that uses more than the new limit now refuses
// the plan, and it tries again a window later, as a person would.
func (s *Sim) earlierSession(ctx context.Context, c *collect.Collector) (bool, error) {
	sc := scenario.Followed()
	ref := model.WorkloadRef{Kind: sc.Kind, Namespace: scenario.Namespace, Name: sc.Name}
	var w *model.Workload
	for _, x := range c.Snapshot().Workloads {
		if x.Ref == ref {
			w = &x
		}
	}
	if w == nil {
		return false, fmt.Errorf("demo: %s is not in the snapshot", ref)
	}
	container := sc.Containers[0].Name
	cut := scenario.FollowedCut
	set := func(section, name string, amount int64, quantity string) advisor.Change {
		return advisor.Change{Container: container, Resource: &advisor.ResourceChange{Section: section, Name: name, Amount: amount, Quantity: quantity}}
	}
	a := advisor.Advice{ID: ref.String() + "/" + container + "/memory-limit", Kind: advisor.KindMemoryLimit,
		Target: advisor.Target{Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name, Container: container},
		Changes: []advisor.Change{
			set(advisor.Requests, advisor.Memory, cut.Requests.Memory, fmt.Sprintf("%dMi", cut.Requests.Memory>>20)),
			set(advisor.Limits, advisor.Memory, cut.Limits.Memory, fmt.Sprintf("%dMi", cut.Limits.Memory>>20)),
		}}
	patch, err := advisor.BuildPatch(*w, []advisor.Advice{a})
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	plan := resize.New(*w, patch)
	if !plan.InPlace() {
		return false, nil // a pod sits above the new limit now: a window later
	}
	record := advisor.Applied(*w, patch, model.ChangeResize, s.Now())
	for _, step := range plan.Steps {
		for _, dry := range []bool{true, false} {
			if _, err := c.Resize(ctx, ref.Namespace, step.Pod, step.Body, dry); err != nil {
				return false, fmt.Errorf("demo: resizing %s: %w", step.Pod, err)
			}
		}
		record.Pods = append(record.Pods, step.Pod)
	}
	for _, dry := range []bool{true, false} {
		if _, err := c.Apply(ctx, patch, dry); err != nil {
			return false, fmt.Errorf("demo: patching %s: %w", ref, err)
		}
	}
	c.Record(record)
	return true, nil
}
