package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kgotop/kgotop/internal/scenario"
)

// PodState is what a kubelet would report for one simulated pod: the
// sandbox's seed writes it into a real cluster, so the sandbox shows what the
// demo shows.
type PodState struct {
	Scenario string
	// Index numbers the scenario's pods (a real cluster's are matched to them by name order).
	Index int
	Name  string
	// Custom is true when kwok cannot make this state by itself and the
	// status must be written by hand (restarts, OOMKills, a slow start).
	Custom bool
	Status corev1.PodStatus
}

// PodStates returns every simulated pod's state, by scenario then name.
func (s *Sim) PodStates() []PodState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []PodState
	idx := map[string]int{}
	for _, p := range s.pods {
		out = append(out, PodState{Scenario: p.sc.Name, Index: idx[p.sc.Name], Name: p.name, Custom: p.sc.CustomStatus(), Status: *p.snapshot().Status.DeepCopy()})
		idx[p.sc.Name]++
	}
	return out
}

// Events returns the events the simulated kubelets recorded, oldest first.
func (s *Sim) Events(ctx context.Context) ([]corev1.Event, error) {
	list, err := s.Kube.CoreV1().Events(scenario.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("demo: listing events: %w", err)
	}
	slices.SortFunc(list.Items, func(a, b corev1.Event) int { return a.FirstTimestamp.Compare(b.FirstTimestamp.Time) })
	return list.Items, nil
}

// Run steps the simulation over d without a collector (the sandbox's seed
// needs only its final state).
func (s *Sim) Run(ctx context.Context, d time.Duration) error {
	for end := s.Now().Add(d); s.Now().Before(end); {
		if err := s.Step(ctx, Window); err != nil {
			return err
		}
	}
	return nil
}
