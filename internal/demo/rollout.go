package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/scenario"
)

// rollouts plays the controllers' part: when a patch changed a scenario's
// pod template, its pods are replaced by pods of the new template, so the
// demo shows what a fix does (a raised limit stops the OOMKills for a
// while; a startup probe stops the liveness kills).
func (s *Sim) rollouts(ctx context.Context) error {
	if !s.changed.Swap(false) {
		return nil // no template changed since the last look
	}
	for _, sc := range scenario.All() {
		tmpl, err := s.template(ctx, sc)
		if err != nil {
			return err
		}
		s.mu.Lock()
		var changed []*corev1.Pod
		for _, p := range s.pods {
			if p.sc.Name != sc.Name || equality.Semantic.DeepEqual(p.spec.Spec.Containers, tmpl) {
				continue
			}
			p.rollTo(tmpl, s.now, s.rng)
			changed = append(changed, p.snapshot())
		}
		s.mu.Unlock()
		for _, pod := range changed {
			if _, err := s.Kube.CoreV1().Pods(scenario.Namespace).Update(ctx, pod, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("demo: rolling pod %s: %w", pod.Name, err)
			}
		}
	}
	return nil
}

// template reads the scenario's pod template from the simulated API server.
func (s *Sim) template(ctx context.Context, sc scenario.Scenario) ([]corev1.Container, error) {
	apps := s.Kube.AppsV1()
	if sc.Kind == model.KindStatefulSet {
		st, err := apps.StatefulSets(scenario.Namespace).Get(ctx, sc.Name, metav1.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		return st.Spec.Template.Spec.Containers, nil
	}
	d, err := apps.Deployments(scenario.Namespace).Get(ctx, sc.Name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return d.Spec.Template.Spec.Containers, nil
}

// rollTo replaces the pod by one of the new template: fresh, with the new
// resources and probes, and the program starting over.
func (p *pod) rollTo(tmpl []corev1.Container, now time.Time, rng *rand.Rand) {
	p.spec.Spec.Containers = tmpl
	main := tmpl[0]
	p.sc.Containers = append([]scenario.Container(nil), p.sc.Containers...) // the pod's own copy
	c := &p.sc.Containers[0]
	c.Limits.Memory = main.Resources.Limits.Memory().Value()
	c.Limits.CPU = main.Resources.Limits.Cpu().MilliValue()
	c.Requests.Memory = main.Resources.Requests.Memory().Value()
	c.Requests.CPU = main.Resources.Requests.Cpu().MilliValue()
	// The program reads its env at start: the new pods run the new env.
	c.Env = nil
	for _, e := range main.Env {
		if e.ValueFrom == nil {
			c.Env = append(c.Env, model.EnvVar{Name: e.Name, Value: e.Value})
		}
	}
	if sp := main.StartupProbe; sp != nil {
		p.startupBudget = time.Duration(sp.InitialDelaySeconds+max(sp.FailureThreshold, 1)*max(sp.PeriodSeconds, 1)) * time.Second
	}
	p.started, p.creepStart = now, now
	p.restarts, p.last, p.waiting = 0, nil, ""
	p.start(now, rng)
}
