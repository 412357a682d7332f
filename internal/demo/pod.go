package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kgotop/kgotop/internal/scenario"
)

// pod is one simulated pod and the state a kubelet would keep for it.
type pod struct {
	sc   scenario.Scenario
	name string
	// index numbers the scenario's pods from 0.
	index int
	ip    string
	spec  *corev1.Pod
	// started is the pod's start; runStart the current container run's;
	// creepStart when memory last started creeping from its base.
	started, runStart, creepStart time.Time
	ready                         bool
	readySince                    time.Time
	restarts                      int32
	// backoffs counts the failures since the container last ran
	// backoffReset without one: the kubelet's back-off doubles with each.
	backoffs     int32
	last         *corev1.ContainerStateTerminated
	waiting      string
	backoffUntil time.Time
	// startNeeds is how long the current run needs to become ready.
	startNeeds time.Duration
	// startupBudget is how long a startup probe lets the program start
	// (0: none, the liveness probe judges from the start).
	startupBudget time.Duration
	// tmplHash names the template the pod was made from: a controller
	// replaces the pod when its template's changes (see rollout.go).
	tmplHash string
	// gen is the pod's metadata.generation, observed the generation the
	// kubelet has acted on, qos its QoS class; running is what its
	// containers run with, resize the resize asked for (see resize.go).
	gen, observed int64
	qos           corev1.PodQOSClass
	running       []corev1.ResourceRequirements
	resize        *podResize
}

// main is the container a scenario's story is about (the first).
func (p *pod) main() scenario.Container { return p.sc.Containers[0] }

// usage returns a container's CPU (millicores) and memory (bytes) at t,
// with a little deterministic noise.
func (p *pod) usage(c scenario.Container, t time.Time) (cpu, mem int64) {
	age := t.Sub(p.runStart)
	cpu = c.CPU.At(age)
	mem = c.Memory.At(age)
	if c.Hot > 1 && p.index == 0 {
		cpu = int64(float64(cpu) * c.Hot) // the replica the long-lived connections stay with
	}
	if c.CreepPerHour > 0 {
		mem += int64(float64(c.CreepPerHour) * t.Sub(p.creepStart).Hours())
	}
	// ±3% noise from the time, so every run draws the same.
	n := float64((t.Unix()/15)%7-3) / 100
	return max(1, cpu+int64(float64(cpu)*n)), max(1<<20, mem)
}

// eventChange is an event the kubelet would record.
type eventChange struct {
	pod, container   string
	typ, reason, msg string
	count            int32
}

// step moves the pod to time now and reports whether its status changed,
// with the events that came with the change.
func (p *pod) step(now time.Time, rng *rand.Rand) ([]eventChange, bool) {
	c := p.main()
	switch {
	case p.waiting != "":
		if now.Before(p.backoffUntil) {
			return nil, false
		}
		p.start(now, rng) // back-off over: the kubelet starts the container again
		return nil, true
	case !p.ready && c.StartSeconds > 0:
		if now.Sub(p.runStart) >= p.startNeeds {
			p.ready, p.readySince = true, now
			return nil, true
		}
		probe, budget := "Liveness", c.Liveness.Budget()
		if p.startupBudget > 0 {
			probe, budget = "Startup", p.startupBudget
		}
		if c.Liveness != nil && now.Sub(p.runStart) >= budget+10*time.Second {
			// The probe failed FailureThreshold times while the program was still starting.
			p.terminate(now, "Error", 143)
			return []eventChange{
				{p.name, c.Name, corev1.EventTypeWarning, "Unhealthy", fmt.Sprintf(`%s probe failed: Get "http://%s:%d%s": dial tcp %s:%d: connect: connection refused`, probe, p.ip, c.Port, c.Liveness.Path, p.ip, c.Port), c.Liveness.FailureThreshold},
				{p.name, c.Name, corev1.EventTypeNormal, "Killing", fmt.Sprintf("Container %s failed %s probe, will be restarted", c.Name, strings.ToLower(probe)), 1},
				{p.name, c.Name, corev1.EventTypeWarning, "BackOff", fmt.Sprintf("Back-off restarting failed container %s in pod %s_%s(%s)", c.Name, p.name, scenario.Namespace, p.spec.UID), 1},
			}, true
		}
	case c.CrashExit != 0:
		if now.Sub(p.runStart) >= 2*time.Second {
			p.terminate(now, "Error", c.CrashExit)
			p.last.Message = c.CrashMessage
			return []eventChange{{p.name, c.Name, corev1.EventTypeWarning, "BackOff",
				fmt.Sprintf("Back-off restarting failed container %s in pod %s_%s(%s)", c.Name, p.name, scenario.Namespace, p.spec.UID), 1}}, true
		}
	case c.Limits.Memory > 0:
		// Memory at the limit: the kernel's OOM killer ends the container
		// (a creeping one, or one whose limit was cut below its peaks).
		if _, mem := p.usage(c, now); mem >= c.Limits.Memory {
			p.terminate(now, "OOMKilled", 137)
			p.creepStart = now
			return nil, true
		}
	}
	return nil, false
}

// backoffReset is how long a run must last for the kubelet to start its
// back-off over (10s, doubling to 5m): a container OOMKilled every minute
// waits ever longer, one killed hours apart 10s each time.
const backoffReset = 10 * time.Minute

// terminate ends the current run and puts the container in back-off.
func (p *pod) terminate(now time.Time, reason string, code int32) {
	p.last = &corev1.ContainerStateTerminated{Reason: reason, ExitCode: code,
		StartedAt: metav1.Time{Time: p.runStart}, FinishedAt: metav1.Time{Time: now}}
	p.restarts++
	p.ready = false
	p.waiting = "CrashLoopBackOff"
	if now.Sub(p.runStart) >= backoffReset {
		p.backoffs = 0
	}
	p.backoffs++
	p.backoffUntil = now.Add(min(10*time.Second<<min(p.backoffs-1, 5), 5*time.Minute)) // the kubelet's back-off
}

// start begins a new run. A slow starter needs 50-120% of its start time:
// some runs beat the liveness budget, most do not.
func (p *pod) start(now time.Time, rng *rand.Rand) {
	c := p.main()
	p.waiting, p.runStart = "", now
	if c.StartSeconds > 0 {
		p.startNeeds = time.Duration(float64(c.StartSeconds)*(0.5+0.7*rng.Float64())) * time.Second
		return
	}
	p.ready, p.readySince = true, now.Add(5*time.Second)
}

// applyStatus writes the pod's state into its API object's status.
func (p *pod) applyStatus() {
	st := corev1.PodStatus{Phase: corev1.PodRunning, PodIP: p.ip, PodIPs: []corev1.PodIP{{IP: p.ip}},
		StartTime: &metav1.Time{Time: p.started}}
	cond := corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: metav1.Time{Time: p.runStart}}
	if p.ready {
		cond.Status, cond.LastTransitionTime = corev1.ConditionTrue, metav1.Time{Time: p.readySince}
	}
	st.Conditions = []corev1.PodCondition{cond}
	for i, c := range p.sc.Containers {
		cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: "registry.example/" + c.Name + "@sha256:" + fmt.Sprintf("%064x", i+len(c.Name)), Ready: true, Started: ptr(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Time{Time: p.started}}}}
		if i == 0 {
			cs.Ready, cs.RestartCount = p.ready, p.restarts
			cs.State.Running.StartedAt = metav1.Time{Time: p.runStart}
			if p.waiting != "" {
				cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: p.waiting,
					Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s", p.backoffUntil.Sub(p.last.FinishedAt.Time), c.Name, p.name, scenario.Namespace)}}
			}
			if p.last != nil {
				cs.LastTerminationState = corev1.ContainerState{Terminated: p.last.DeepCopy()}
			}
		}
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
	}
	p.resizeStatus(&st)
	p.spec.Generation = p.gen
	p.spec.Status = st
}

// snapshot returns a copy of the pod with its current status, for an update.
func (p *pod) snapshot() *corev1.Pod {
	p.applyStatus()
	return p.spec.DeepCopy()
}

func ptr[T any](v T) *T { return &v }

// record creates or bumps an event as the kubelet's event recorder does.
func (s *Sim) record(ctx context.Context, ev eventChange, now time.Time) error {
	events := s.Kube.CoreV1().Events(scenario.Namespace)
	name := fmt.Sprintf("%s.%s.%s", ev.pod, ev.container, ev.reason)
	e, err := events.Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		e = &corev1.Event{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: scenario.Namespace},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: scenario.Namespace, Name: ev.pod,
				FieldPath: "spec.containers{" + ev.container + "}"},
			Type: ev.typ, Reason: ev.reason, Message: ev.msg, Count: ev.count,
			FirstTimestamp: metav1.Time{Time: now}, LastTimestamp: metav1.Time{Time: now},
			Source: corev1.EventSource{Component: "kubelet"},
		}
		e.UID = types.UID("ev-" + name)
		_, err = events.Create(ctx, e, metav1.CreateOptions{})
	case err == nil:
		e.Count += ev.count
		e.Message, e.LastTimestamp = ev.msg, metav1.Time{Time: now}
		_, err = events.Update(ctx, e, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("demo: recording event %s: %w", name, err)
	}
	return nil
}
