// Package resize plans in-place resizes: how the CPU and memory changes of
// a workload's template patch reach its running pods through the
// pods/resize subresource (KEP-1287, GA in Kubernetes 1.35), pod by pod and
// in which order, what cannot be done in place and why, and, from the pods'
// status afterwards, how far each pod has come. It is pure: model and
// advisor values in, a plan or a pod's progress out. internal/collect sends
// the calls; the dashboard paces them.
package resize

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// Plan is how a template patch's CPU and memory changes reach the running
// pods in place, and what the template patch does after them.
type Plan struct {
	// Refused says why the change cannot be made in place (the template
	// patch, a rollout, is then the way); empty when it can.
	Refused []string
	// Steps are the pods to resize, in the order they go.
	Steps []Step
	// Skipped names the pods left alone, each with why.
	Skipped []string
	// Order says why the steps go in their order.
	Order string
	// Notes are what to know before: containers the resize restarts, a
	// GOMEMLIMIT or GOMAXPROCS that stays as the program started with,
	// template changes that only new pods get.
	Notes []string
	// Rolls says the template patch replaces the pods after the resize
	// (any template change rolls a Deployment, and a StatefulSet or
	// DaemonSet unless its updateStrategy is OnDelete).
	Rolls bool
	// Raises says the change raises a request or limit: the resize is
	// relief now, before any rollout.
	Raises bool
}

// InPlace reports whether the plan resizes any pod.
func (p Plan) InPlace() bool { return len(p.Refused) == 0 && len(p.Steps) > 0 }

// Step is the resize of one pod.
type Step struct {
	Pod string
	// UID and Generation are the pod's when planned: another UID is another
	// pod; the resize moves the generation on.
	UID        string
	Generation int64
	// Body is the strategic-merge patch of the pods/resize subresource.
	Body []byte
	// Containers are the containers it changes, before and after.
	Containers []ContainerStep
	// Restarts names the containers it restarts (resizePolicy RestartContainer).
	Restarts []string
}

// ContainerStep is one container of a pod before and after its resize.
type ContainerStep struct {
	Name          string
	Before, After model.Resources
}

// Command is the kubectl command that makes the step.
func (s Step) Command(namespace string) string {
	return fmt.Sprintf("kubectl patch pod %s -n %s --subresource resize --type=strategic -p '%s'", s.Pod, namespace, s.Body)
}

// resourceChanges returns the patch's request and limit changes.
func resourceChanges(p advisor.Patch) []advisor.Change {
	var out []advisor.Change
	for _, ch := range p.Changes {
		if ch.Resource != nil {
			out = append(out, ch)
		}
	}
	return out
}

// Offered reports whether an in-place resize is worth offering for the
// patch: it changes a request or a limit.
func Offered(p advisor.Patch) bool { return len(resourceChanges(p)) > 0 }

// New plans the in-place resize of w's running pods for the request and
// limit changes of p, a template patch of w.
func New(w model.Workload, p advisor.Patch) Plan {
	changes := resourceChanges(p)
	var plan Plan
	if len(changes) == 0 {
		plan.Refused = append(plan.Refused, "the patch changes no request or limit: only those change in place")
		return plan
	}
	for _, ch := range changes {
		if ch.Resource.Remove {
			plan.Refused = append(plan.Refused, fmt.Sprintf("it removes the %s %s of %s: a running pod's requests and limits can change in place, not go away (the API server refuses it)",
				word(ch.Resource.Name), singular(ch.Resource.Section), ch.Container))
		}
	}
	if len(plan.Refused) > 0 {
		return plan
	}
	for _, pod := range w.Pods {
		step, skip, refuse := stepFor(w, pod, changes)
		switch {
		case refuse != "":
			plan.Refused = append(plan.Refused, refuse)
		case skip != "":
			plan.Skipped = append(plan.Skipped, pod.Name+": "+skip)
		default:
			plan.Steps = append(plan.Steps, step)
		}
	}
	if why := rollsAnyway(w, p, changes); why != "" {
		plan.Refused = append(plan.Refused, why)
	}
	plan.Refused = slices.Compact(plan.Refused)
	if len(plan.Refused) == 0 && len(plan.Steps) == 0 {
		plan.Refused = append(plan.Refused, "no running pod takes it in place: the template patch is the way")
	}
	plan.Raises = raises(w, changes)
	plan.Order = order(w, plan.Steps, plan.Raises, cpuOnly(changes))
	plan.Notes = notes(w, p, changes, plan.Steps)
	plan.Rolls = p.RestartsPods
	return plan
}

// stepFor makes the step of one pod; or says why the pod is left alone
// (skip) or why the change cannot be made in place at all (refuse).
func stepFor(w model.Workload, pod model.Pod, changes []advisor.Change) (s Step, skip, refuse string) {
	switch {
	case pod.Phase != "Running":
		return s, "not running (" + pod.Phase + ")", ""
	case pod.Resize.Pending != nil || pod.Resize.InProgress != nil:
		return s, "a resize of it is still pending or in progress", ""
	}
	s = Step{Pod: pod.Name, UID: pod.UID, Generation: pod.Resize.Generation}
	var all []model.Resources
	body := map[string]any{}
	var containers []any
	for _, c := range w.Containers {
		in, ok := instance(c, pod.Name)
		if !ok {
			return Step{}, "it does not run container " + c.Name + " (made from another template)", ""
		}
		before := in.Resources.Spec
		after, restarts := apply(before, c, changes)
		all = append(all, after)
		if after.Requests == before.Requests && after.Limits == before.Limits {
			continue
		}
		if u := in.Usage; u != nil && after.Limits.Memory > 0 && u.Memory >= after.Limits.Memory {
			return Step{}, "", fmt.Sprintf("the memory limit of %s would go to %s, below what it uses in pod %s now (%s): the kubelet refuses to cut a limit below usage; the rollout starts new pods small instead",
				c.Name, model.FormatBytes(after.Limits.Memory), pod.Name, model.FormatBytes(u.Memory))
		}
		s.Containers = append(s.Containers, ContainerStep{Name: c.Name, Before: before, After: after})
		if restarts {
			s.Restarts = append(s.Restarts, c.Name)
		}
		containers = append(containers, map[string]any{"name": c.Name, "resources": resourcesDoc(after)})
	}
	if len(s.Containers) == 0 {
		return Step{}, "it has the new values already", ""
	}
	if was, now := podQoS(pod, w), model.QoS(all); was != "" && was != now {
		return Step{}, "", fmt.Sprintf("the QoS class of the pods would change from %s to %s: a running pod keeps its QoS class (the API server refuses the resize); the rollout makes new pods %s",
			was, now, now)
	}
	body["spec"] = map[string]any{"containers": containers}
	s.Body, _ = json.Marshal(body) // maps of strings: cannot fail
	return s, "", ""
}

// podQoS is the pod's QoS class as its status says, or as its containers'
// resources make it when the status does not say.
func podQoS(pod model.Pod, w model.Workload) string {
	if pod.QoS != "" {
		return pod.QoS
	}
	var rs []model.Resources
	for _, c := range w.Containers {
		if in, ok := instance(c, pod.Name); ok {
			rs = append(rs, in.Resources.Spec)
		}
	}
	return model.QoS(rs)
}

// instance returns the container's instance in the pod.
func instance(c model.Container, pod string) (model.ContainerInstance, bool) {
	i := slices.IndexFunc(c.Instances, func(in model.ContainerInstance) bool { return in.Pod == pod })
	if i < 0 {
		return model.ContainerInstance{}, false
	}
	return c.Instances[i], true
}

// apply returns r with the changes to container c, and whether one of them
// changes a resource its resizePolicy restarts the container for.
func apply(r model.Resources, c model.Container, changes []advisor.Change) (model.Resources, bool) {
	restarts := false
	for _, ch := range changes {
		if ch.Container != c.Name {
			continue
		}
		l := &r.Requests
		if ch.Resource.Section == advisor.Limits {
			l = &r.Limits
		}
		old := *l
		if ch.Resource.Name == advisor.CPU {
			l.CPU = ch.Resource.Amount
		} else {
			l.Memory = ch.Resource.Amount
		}
		if *l != old && (ch.Resource.Name == advisor.CPU && c.RestartOnResize.CPU || ch.Resource.Name == advisor.Memory && c.RestartOnResize.Memory) {
			restarts = true
		}
	}
	r.Implied = model.ResourceFlags{}
	return r, restarts
}

// resourcesDoc is a container's requests and limits as the patch sets them.
func resourcesDoc(r model.Resources) map[string]any {
	out := map[string]any{}
	for _, s := range []struct {
		name string
		l    model.ResourceList
	}{{"requests", r.Requests}, {"limits", r.Limits}} {
		m := map[string]any{}
		if s.l.CPU > 0 {
			m["cpu"] = cpuQuantity(s.l.CPU)
		}
		if s.l.Memory > 0 {
			m["memory"] = quantity(s.l.Memory)
		}
		if len(m) > 0 {
			out[s.name] = m
		}
	}
	return out
}

// notes says what the person should know before the resize.
func notes(w model.Workload, p advisor.Patch, changes []advisor.Change, steps []Step) []string {
	var out []string
	restarting := map[string]bool{}
	for _, s := range steps {
		for _, c := range s.Restarts {
			restarting[c] = true
		}
	}
	for _, c := range w.Containers {
		if restarting[c.Name] {
			out = append(out, fmt.Sprintf("%s has resizePolicy RestartContainer for a resource that changes: resizing restarts it in each pod (its restart count goes up by one)", c.Name))
		}
		out = append(out, runtimeNotes(c, p, changes)...)
	}
	var others []string
	for _, f := range p.Fields {
		if !strings.HasPrefix(f.Field, "resources.") {
			others = append(others, f.Container+" "+f.Field)
		}
	}
	if len(others) > 0 {
		out = append(out, fmt.Sprintf("%s cannot change in a running pod: only the template patch carries %s, to pods made from now on",
			strings.Join(others, ", "), ifElse(len(others) == 1, "it", "them")))
	}
	return out
}

// runtimeNotes says what a Go program keeps from its start when its
// container's limits change in place: env vars are read at start.
func runtimeNotes(c model.Container, p advisor.Patch, changes []advisor.Change) []string {
	var memLimit, cpuLimit bool
	for _, ch := range changes {
		if ch.Container == c.Name && ch.Resource.Section == advisor.Limits {
			memLimit = memLimit || ch.Resource.Name == advisor.Memory
			cpuLimit = cpuLimit || ch.Resource.Name == advisor.CPU
		}
	}
	var out []string
	if e, ok := c.LookupEnv("GOMEMLIMIT"); ok && memLimit {
		patched := slices.ContainsFunc(p.Fields, func(f advisor.FieldChange) bool { return f.Container == c.Name && f.Field == "env[GOMEMLIMIT]" })
		switch {
		case e.From.FromLimit("memory"):
			out = append(out, fmt.Sprintf("%s: GOMEMLIMIT comes from limits.memory through the downward API, which is read at start: the running program keeps the old value until it restarts", c.Name))
		case patched:
			note := fmt.Sprintf("%s: GOMEMLIMIT in the env is read at start: the running program keeps %s until it restarts; the template patch carries the new value", c.Name, e.Value)
			if limit := newMemoryLimit(changes, c.Name); limit > 0 {
				if v, err := advisor.ParseGoBytes(e.Value); err == nil && v >= limit {
					note += fmt.Sprintf(". %s is above the new %s limit: until the program restarts, its GC does not keep the heap under the limit, and the OOM killer may end it first",
						e.Value, model.FormatBytes(limit))
				}
			}
			out = append(out, note)
		default:
			out = append(out, fmt.Sprintf("%s: GOMEMLIMIT in the env (%s) is read at start: nothing moves it with the new memory limit in a running program", c.Name, e.Value))
		}
	}
	if cpuLimit {
		_, pinned := c.LookupEnv("GOMAXPROCS")
		switch {
		case pinned:
			out = append(out, fmt.Sprintf("%s: GOMAXPROCS is set in the env: the running program keeps it whatever the CPU limit", c.Name))
		case goBefore125(c):
			out = append(out, fmt.Sprintf("%s: Go %s sets GOMAXPROCS once at start: it keeps it until it restarts (Go 1.25 and later follow a CPU limit that changes)", c.Name, c.Go.Version))
		}
	}
	return out
}

// newMemoryLimit is the memory limit the changes give container, 0 when
// they leave it.
func newMemoryLimit(changes []advisor.Change, container string) int64 {
	for _, ch := range changes {
		if ch.Container == container && ch.Resource.Section == advisor.Limits && ch.Resource.Name == advisor.Memory && !ch.Resource.Remove {
			return ch.Resource.Amount
		}
	}
	return 0
}

// goBefore125 reports whether the container's Go is known to be older
// than 1.25, which set GOMAXPROCS only at start.
func goBefore125(c model.Container) bool {
	ok, known := advisor.GoAtLeast(c, 25)
	return known && !ok
}

func word(name string) string {
	if name == advisor.CPU {
		return "CPU"
	}
	return name
}

func singular(section string) string {
	if section == advisor.Limits {
		return "limit"
	}
	return "request"
}

func ifElse[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

// cpuQuantity renders millicores as a Kubernetes quantity ("250m", "2").
func cpuQuantity(m int64) string {
	if m%1000 == 0 {
		return fmt.Sprint(m / 1000)
	}
	return fmt.Sprintf("%dm", m)
}

// quantity renders bytes as a Kubernetes quantity ("484Mi").
func quantity(b int64) string {
	const mi = 1 << 20
	switch {
	case b%(1<<30) == 0:
		return fmt.Sprintf("%dGi", b>>30)
	case b%mi == 0:
		return fmt.Sprintf("%dMi", b/mi)
	case b%(1<<10) == 0:
		return fmt.Sprintf("%dKi", b>>10)
	}
	return fmt.Sprint(b)
}
