package advisor

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kgotop/kgotop/internal/model"
)

// Patch is one strategic-merge patch that applies every accepted change for
// a workload's pod template, with what the API needs to send it and the
// kubectl command that does the same.
type Patch struct {
	// Kind, Group, Version and Resource name the object to patch
	// (Deployment, "apps", "v1", "deployments").
	Kind      model.Kind `json:"kind"`
	Group     string     `json:"group"`
	Version   string     `json:"version"`
	Resource  string     `json:"resource"`
	Namespace string     `json:"namespace"`
	Name      string     `json:"name"`
	// Type is the patch type, always "strategic".
	Type string `json:"type"`
	// Data is the patch document.
	Data json.RawMessage `json:"patch"`
	// Command is the exact, shell-safe kubectl command applying Data.
	Command string `json:"command"`
	// RestartsPods is true when applying the patch replaces running pods
	// (any pod template change of a Deployment, StatefulSet or DaemonSet);
	// Effect says what applying it does, in one line.
	RestartsPods bool   `json:"restarts_pods"`
	Effect       string `json:"effect"`
	// Fields is the before and after of every field the patch changes.
	Fields []FieldChange `json:"fields"`
	// Advice lists the IDs of the advice the patch applies.
	Advice []string `json:"advice"`
	// Warnings are things to know before applying: accepted advice that
	// assumes other advice which is not in the patch, code-only advice left out.
	Warnings []string `json:"warnings,omitempty"`
	// Changes are the patch's changes, typed, in the order of Fields: what
	// an in-place resize of the running pods takes from it.
	Changes []Change `json:"-"`
}

// FieldChange is one field of one container before and after the patch.
type FieldChange struct {
	Container string `json:"container"`
	Field     string `json:"field"`
	Before    string `json:"before"`
	After     string `json:"after"`
	// Undo is how to put Before back (see Applied); nil when a patch cannot.
	Undo *model.FieldUndo `json:"-"`
}

// ErrNotPatchable is returned (wrapped, with the reason) for workloads
// whose pod template cannot be changed in place.
var ErrNotPatchable = errors.New("cannot be patched in place")

// ErrNoChanges is returned when none of the accepted advice changes the pod template.
var ErrNoChanges = errors.New("no accepted advice changes the pod template")

// ErrInconsistent is returned when the accepted advice, applied, would leave
// a container the API server refuses or the Go runtime mishandles; it
// happens when advice is accepted without the advice it is sized to.
var ErrInconsistent = errors.New("inconsistent result")

// onDelete is the update strategy of a StatefulSet or DaemonSet whose pods
// take a new template only when they are deleted.
const onDelete = "OnDelete"

// target is where a kind's pod template lives and how a change reaches its pods.
type target struct {
	group, resource string
	path            []string // from the object to the pod spec
	restarts        bool
	effect          string
}

func patchTarget(k model.Kind) (target, error) {
	tmpl := []string{"spec", "template", "spec"}
	switch k {
	case model.KindDeployment:
		return target{"apps", "deployments", tmpl, true, "rolls out new pods (a rolling update)"}, nil
	case model.KindStatefulSet:
		return target{"apps", "statefulsets", tmpl, true, "replaces the pods one by one, highest ordinal first (with OnDelete, only pods you delete)"}, nil
	case model.KindDaemonSet:
		return target{"apps", "daemonsets", tmpl, true, "replaces the pod on every node (a rolling update)"}, nil
	case model.KindReplicaSet:
		return target{"apps", "replicasets", tmpl, false,
			"changes only pods created from now on: a ReplicaSet does not replace running pods; delete them one by one to apply"}, nil
	case model.KindCronJob:
		return target{"batch", "cronjobs", []string{"spec", "jobTemplate", "spec", "template", "spec"}, false,
			"applies to the Jobs the CronJob starts from now on; running Jobs keep their pods"}, nil
	case model.KindJob:
		return target{}, fmt.Errorf("job: %w: a Job's pod template is immutable; change its manifest (or its CronJob) and create it again", ErrNotPatchable)
	case model.KindPod:
		return target{}, fmt.Errorf("pod: %w: a running pod's env and image are immutable and its resources change only through the "+
			"in-place resize subresource, which kgotop does not use; change the manifest that made the pod and create it again, "+
			"or better, run it under a Deployment", ErrNotPatchable)
	}
	return target{}, fmt.Errorf("%s: %w: unknown workload kind", k, ErrNotPatchable)
}

// strategyEffect says how the patch reaches the pods under the update
// strategy kgotop read: OnDelete replaces none; a StatefulSet's
// RollingUpdate replaces them all, or with a partition only the pods whose
// ordinal is at least it. An unknown strategy keeps the kind's words.
func strategyEffect(w model.Workload, t target) string {
	switch {
	case w.UpdateStrategy == onDelete && (w.Ref.Kind == model.KindStatefulSet || w.Ref.Kind == model.KindDaemonSet):
		return "changes only pods made from now on: its updateStrategy OnDelete replaces no running pod; delete them one by one to apply it"
	case w.Ref.Kind != model.KindStatefulSet || w.UpdateStrategy != "RollingUpdate":
		return t.effect
	case w.Desired > 0 && w.Partition >= w.Desired:
		return fmt.Sprintf("changes only pods made from now on: its rollingUpdate partition %d is not below its %d replicas, so no running pod "+
			"is replaced until the partition is lowered", w.Partition, w.Desired)
	case w.Partition > 0:
		return fmt.Sprintf("replaces the pods with an ordinal of %d or more one by one, highest first: its rollingUpdate partition is %d, "+
			"so the pods below it keep the old template until the partition is lowered", w.Partition, w.Partition)
	}
	return "replaces the pods one by one, highest ordinal first"
}

// BuildPatch merges the changes of the accepted advice for workload w into
// one strategic-merge patch: containers merge by name, env vars by name.
// Accepted advice without changes (code-only), advice that rests on advice
// not accepted (GOMEMLIMIT sized to a new limit left out), and Alongside
// advice with nothing else to go with, are left out and said in Warnings.
// It fails for bare pods and Jobs (whose templates are immutable), for
// advice about another workload or an unknown container, for two different
// values for one field, for a result the API server would refuse or the Go
// runtime would choke on (a request above its limit, a GOMEMLIMIT not below
// the memory limit), and when nothing changes.
func BuildPatch(w model.Workload, accepted []Advice) (Patch, error) {
	t, err := patchTarget(w.Ref.Kind)
	if err != nil {
		return Patch{}, err
	}
	t.effect = strategyEffect(w, t)
	if w.UpdateStrategy == onDelete && (w.Ref.Kind == model.KindStatefulSet || w.Ref.Kind == model.KindDaemonSet) ||
		w.Ref.Kind == model.KindStatefulSet && w.Desired > 0 && w.Partition >= w.Desired {
		t.restarts = false
	}
	b := newPatchBuilder(w, t)
	accepted, left := withRequirements(accepted)
	b.p.Warnings = append(b.p.Warnings, left...)
	accepted, left = withoutLoneAlongside(accepted)
	b.p.Warnings = append(b.p.Warnings, left...)
	if err := b.addAdvice(accepted); err != nil {
		return Patch{}, err
	}
	// A request the template leaves out follows the limit on each new pod:
	// pin it where a limit changes, or the limit change moves it too.
	pins := impliedRequestPins(w, accepted)
	for _, ch := range pins {
		if err := b.add(ch); err != nil {
			return Patch{}, err
		}
		b.p.Warnings = append(b.p.Warnings, fmt.Sprintf("%s: the template sets no %s request, so pods take the limit as theirs; "+
			"the patch sets it to %s, or the limit change would move it too", ch.Container, resourceWord(ch.Resource.Name), ch.Resource.Quantity))
	}
	if len(pins) > 0 {
		accepted = append(slices.Clip(accepted), Advice{Changes: pins})
	}
	return b.finish(accepted)
}

// patchBuilder gathers the changes of one workload's patch.
type patchBuilder struct {
	w     model.Workload
	t     target
	p     Patch
	index map[string]int // container name -> index
	// patches holds each container's part of the patch (nil when untouched);
	// set each container/field's value, to find conflicts.
	patches []map[string]any
	set     map[string]string
}

func newPatchBuilder(w model.Workload, t target) *patchBuilder {
	b := &patchBuilder{w: w, t: t, index: map[string]int{}, patches: make([]map[string]any, len(w.Containers)), set: map[string]string{}}
	b.p = Patch{
		Kind: w.Ref.Kind, Group: t.group, Version: "v1", Resource: t.resource,
		Namespace: w.Ref.Namespace, Name: w.Ref.Name, Type: "strategic",
		RestartsPods: t.restarts, Effect: t.effect,
	}
	for i, c := range w.Containers {
		b.index[c.Name] = i
	}
	return b
}

// addAdvice adds the changes of the accepted advice; code-only advice is
// left out with a warning.
func (b *patchBuilder) addAdvice(accepted []Advice) error {
	for _, a := range accepted {
		if a.Target.Ref() != b.w.Ref {
			return fmt.Errorf("advice %s is about %s, not %s", a.ID, a.Target.Ref(), b.w.Ref)
		}
		if !a.Patchable() {
			b.p.Warnings = append(b.p.Warnings, fmt.Sprintf("%s left out: it is a change in code, not in the pod template", describe(a)))
			continue
		}
		b.p.Advice = append(b.p.Advice, a.ID)
		for _, ch := range a.Changes {
			if _, ok := b.index[ch.Container]; !ok {
				return fmt.Errorf("advice %s changes container %q, which %s does not have", a.ID, ch.Container, b.w.Ref)
			}
			if err := b.add(ch); err != nil {
				return err
			}
		}
	}
	return nil
}

// add puts one change into its container's part of the patch, once.
func (b *patchBuilder) add(ch Change) error {
	fresh, err := claim(b.set, ch)
	if err != nil || !fresh {
		return err
	}
	i := b.index[ch.Container]
	if b.patches[i] == nil {
		b.patches[i] = map[string]any{"name": ch.Container}
	}
	c := b.w.Containers[i]
	apply(b.patches[i], c, ch)
	b.p.Fields = append(b.p.Fields, FieldChange{Container: ch.Container, Field: ch.Field(), Before: currentValue(c, ch), After: changeValue(ch), Undo: undoOf(c, ch)})
	b.p.Changes = append(b.p.Changes, ch)
	return nil
}

// finish checks each changed container's result and encodes the patch.
func (b *patchBuilder) finish(accepted []Advice) (Patch, error) {
	var containers []any
	for i, cp := range b.patches {
		if cp == nil {
			continue
		}
		if err := checkResult(b.w.Containers[i], accepted); err != nil {
			return Patch{}, err
		}
		containers = append(containers, cp)
	}
	if len(containers) == 0 {
		return b.p, ErrNoChanges
	}
	var doc any = map[string]any{"containers": containers}
	for i := len(b.t.path) - 1; i >= 0; i-- {
		doc = map[string]any{b.t.path[i]: doc}
	}
	var err error
	if b.p.Data, err = json.Marshal(doc); err != nil {
		return Patch{}, fmt.Errorf("encode patch: %w", err)
	}
	w := b.w.Ref
	b.p.Command = fmt.Sprintf("kubectl patch %s %s -n %s --type=strategic -p %s",
		strings.ToLower(string(w.Kind)), shellQuote(w.Name), shellQuote(w.Namespace), shellQuote(string(b.p.Data)))
	return b.p, nil
}

// apply adds one change to a container's patch.
func apply(cp map[string]any, c model.Container, ch Change) {
	sub := func(m map[string]any, k string) map[string]any {
		if v, ok := m[k].(map[string]any); ok {
			return v
		}
		v := map[string]any{}
		m[k] = v
		return v
	}
	switch {
	case ch.Resource != nil:
		var v any = ch.Resource.Quantity
		if ch.Resource.Remove {
			v = nil
		}
		sub(sub(cp, "resources"), ch.Resource.Section)[ch.Resource.Name] = v
	case ch.Env != nil:
		e := map[string]any{"name": ch.Env.Name}
		if ch.Env.Remove {
			e["$patch"] = "delete"
		} else {
			e["value"] = ch.Env.Value
			if cur, ok := c.LookupEnv(ch.Env.Name); ok && cur.From != nil {
				// Env merges field by field: drop valueFrom, or both would be set.
				e["valueFrom"] = nil
			}
		}
		env, _ := cp["env"].([]any)
		cp["env"] = append(env, e)
	case ch.Image != nil:
		cp["image"] = ch.Image.Image
	case ch.Probe != nil:
		probe := sub(cp, probeField(ch.Probe.Probe))
		for k, v := range ch.Probe.Set {
			probe[k] = v
		}
	}
}

// changeValue renders the value a change sets.
func changeValue(ch Change) string {
	switch {
	case ch.Resource != nil && ch.Resource.Remove, ch.Env != nil && ch.Env.Remove:
		return "(removed)"
	case ch.Resource != nil:
		return ch.Resource.Quantity
	case ch.Env != nil:
		return ch.Env.Value
	case ch.Image != nil:
		return ch.Image.Image
	case ch.Probe != nil:
		b, _ := json.Marshal(ch.Probe.Set)
		return string(b)
	}
	return ""
}

// currentValue renders the value a change replaces.
func currentValue(c model.Container, ch Change) string {
	switch {
	case ch.Resource != nil:
		l := c.Resources.Requests
		if ch.Resource.Section == Limits {
			l = c.Resources.Limits
		}
		v := memValue(l.Memory)
		if ch.Resource.Name == CPU {
			v = cpuValue(l.CPU)
		}
		return v.Display
	case ch.Env != nil:
		e, ok := c.LookupEnv(ch.Env.Name)
		switch {
		case !ok:
			return "not set"
		case e.From != nil:
			return "from " + e.From.String()
		}
		return e.Value
	case ch.Image != nil:
		return c.Image
	case ch.Probe != nil:
		if p := c.Probes.Get(ch.Probe.Probe); p != nil {
			return p.String()
		}
		return "not set"
	}
	return ""
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9._/:=@%+,-]+$`)

// shellQuote returns s as one shell word: as is when it holds only safe
// characters, else in single quotes, where each single quote inside ends the
// quoted run, is written escaped with a backslash, and starts a new run.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
