package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/scenario"
)

// rollout is a rolling update under way: the pods of a scenario that run
// another template are replaced by pods of tmpl, as the controllers do,
// so that the demo shows what a fix does (a raised limit stops the
// OOMKills for a while; a startup probe stops the liveness kills) and how
// it gets there (new pods, new names, one at a time).
type rollout struct {
	sc   scenario.Scenario
	tmpl []corev1.Container
	// hash names a Deployment's new ReplicaSet and its pods; owner owns them.
	hash  string
	owner metav1.OwnerReference
}

// rollouts starts a rollout for each scenario whose pod template changed,
// and takes every rollout under way one step further.
func (s *Sim) rollouts(ctx context.Context) error {
	if s.changed.Swap(false) {
		for _, sc := range stories() {
			if sc.UpdateStrategy == "OnDelete" {
				continue // a new template waits for its pods to be deleted
			}
			tmpl, err := s.template(ctx, sc)
			if err != nil {
				return err
			}
			if err := s.startRollout(ctx, sc, tmpl); err != nil {
				return err
			}
		}
	}
	for _, sc := range stories() {
		r := s.rolling[sc.Name]
		if r == nil {
			continue
		}
		done, err := s.rollStep(ctx, r)
		if err != nil {
			return err
		}
		if done {
			delete(s.rolling, sc.Name)
		}
	}
	return nil
}

// startRollout starts rolling a scenario's pods to tmpl when any of them
// runs another template; a Deployment gets the ReplicaSet of tmpl first.
func (s *Sim) startRollout(ctx context.Context, sc scenario.Scenario, tmpl []corev1.Container) error {
	s.mu.Lock()
	stale := slices.ContainsFunc(s.pods, func(p *pod) bool { return p.sc.Name == sc.Name && !p.runs(tmpl) })
	s.mu.Unlock()
	if !stale {
		delete(s.rolling, sc.Name)
		return nil
	}
	r := &rollout{sc: sc, tmpl: tmpl}
	if sc.Kind != model.KindStatefulSet {
		r.hash = templateHash(sc.Name, tmpl)
		yes := true
		rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: sc.Name + "-" + r.hash, Namespace: scenario.Namespace,
			UID: types.UID("rs-" + sc.Name + "-" + r.hash), OwnerReferences: []metav1.OwnerReference{
				{APIVersion: "apps/v1", Kind: "Deployment", Name: sc.Name, UID: types.UID("deploy-" + sc.Name), Controller: &yes}}}}
		if _, err := s.Kube.AppsV1().ReplicaSets(scenario.Namespace).Create(ctx, rs, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("demo: creating ReplicaSet %s: %w", rs.Name, err)
		}
		r.owner = metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: &yes}
	}
	s.rolling[sc.Name] = r
	return nil
}

// rollStep takes a rollout one step, as the controllers would in one
// metrics window. A Deployment surges by one pod and keeps every replica
// available: a new pod is made, and an old one goes once a new one is
// ready. A StatefulSet replaces its pods in place, the highest ordinal
// first, each once the one before is ready. done reports no old pod left.
func (s *Sim) rollStep(ctx context.Context, r *rollout) (done bool, err error) {
	s.mu.Lock()
	var old, fresh []*pod
	for _, p := range s.pods {
		if p.sc.Name == r.sc.Name {
			if p.runs(r.tmpl) {
				fresh = append(fresh, p)
			} else {
				old = append(old, p)
			}
		}
	}
	starting := slices.ContainsFunc(fresh, func(p *pod) bool { return !p.ready })
	var gone, made []*pod
	switch {
	case len(old) == 0:
		s.mu.Unlock()
		return true, nil
	case starting:
	case r.sc.Kind == model.KindStatefulSet:
		last := old[len(old)-1] // the highest ordinal: a scenario's first pods are made in order, replacements go last
		gone = []*pod{last}
		made = []*pod{s.replacement(r, last.name, last, s.now)}
	default:
		if len(fresh) > 0 || len(old)+len(fresh) > int(r.sc.Replicas) {
			gone = []*pod{old[0]}
		}
		if len(fresh) < int(r.sc.Replicas) {
			name := fmt.Sprintf("%s-%s-%s", r.sc.Name, r.hash, suffix(r.sc.Name+r.hash, int32(len(fresh))))
			made = []*pod{s.replacement(r, name, old[0], s.now)}
		}
	}
	s.pods = slices.DeleteFunc(s.pods, func(p *pod) bool { return slices.Contains(gone, p) })
	s.pods = append(s.pods, made...)
	s.mu.Unlock()
	pods := s.Kube.CoreV1().Pods(scenario.Namespace)
	for _, p := range gone {
		if err := pods.Delete(ctx, p.name, metav1.DeleteOptions{}); err != nil {
			return false, fmt.Errorf("demo: deleting pod %s: %w", p.name, err)
		}
	}
	for _, p := range made {
		if _, err := pods.Create(ctx, p.snapshot(), metav1.CreateOptions{}); err != nil {
			return false, fmt.Errorf("demo: creating pod %s: %w", p.name, err)
		}
	}
	return false, nil
}

// replacement makes the pod name of the rollout's template, to replace
// old: a new pod, created now, with old's index (so its node and its part
// in the story), and old's labels but the new ReplicaSet's hash.
func (s *Sim) replacement(r *rollout, name string, old *pod, now time.Time) *pod {
	owner := old.spec.OwnerReferences[0]
	extra := map[string]string{}
	if r.hash != "" {
		owner, extra[appsv1.DefaultDeploymentUniqueLabelKey] = r.owner, r.hash
	}
	p := s.newPod(r.sc, name, old.index, owner, extra, old.spec.Spec.Containers, now)
	p.spec.UID = types.UID(fmt.Sprintf("pod-%s-%d", name, s.podsMade)) // a pod made again under a name is another pod
	p.rollTo(r.tmpl, now, s.rng)
	return p
}

// runs reports whether the pod was made from the given template: one
// resized in place since still runs the template it was made from.
func (p *pod) runs(tmpl []corev1.Container) bool {
	return p.tmplHash == templateHash(p.sc.Name, tmpl)
}

// templateHash names a Deployment's ReplicaSet for a template, as the
// controller's pod-template-hash does (not the same number).
func templateHash(name string, tmpl []corev1.Container) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	b, _ := json.Marshal(tmpl)
	h.Write(b)
	return fmt.Sprintf("%08x", h.Sum32())
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

// rollTo sets a pod up to run a new template: the new resources and
// probes, and the program starting over.
func (p *pod) rollTo(tmpl []corev1.Container, now time.Time, rng *rand.Rand) {
	p.spec.Spec.Containers = tmpl
	p.tmplHash, p.qos = templateHash(p.sc.Name, tmpl), qosOf(tmpl)
	p.takeResources(tmpl) // the pod's own copy of its containers, with the new resources
	main := tmpl[0]
	c := &p.sc.Containers[0]
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
