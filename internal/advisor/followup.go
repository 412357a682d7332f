package advisor

import (
	"fmt"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// KindAfterChange is the advice raised when a change kgotop applied was
// followed by an OOMKill, a crash loop or throttling: undo it.
const KindAfterChange Kind = "after-change"

// throttledWindows is how many metrics windows at 95% or more of the CPU
// limit after a change make it "followed by throttling".
const throttledWindows = 3

// Since is what followed the newest change kgotop applied to a workload.
type Since struct {
	Change model.AppliedChange
	// NewPods were made after the change (a rollout's); NewReady of them are
	// ready; OldPods were there before it and still run.
	NewPods, NewReady, OldPods int
	// Resized counts the pods the change resized in place that have it
	// (the kubelet acted on it, nothing pending); Replaced those gone or
	// made again since (a rollout after the template patch replaces them);
	// Waiting names each of the others with what holds it ("Deferred:
	// ..."), in pod order.
	Resized, Replaced int
	Waiting           []string
	// Restarts are the restarts since the change, across pods;
	// OOMKilledPods counts the pods a container of which last ended in an
	// OOMKill since it; CrashLoop names a container in CrashLoopBackOff
	// after restarting since.
	Restarts      int32
	OOMKilledPods int
	CrashLoop     string
	// Throttled counts the metrics windows since the change in which a
	// container the change set the CPU of used 95% or more of its limit.
	Throttled int
}

// FollowUp returns what followed the newest change kgotop applied to w,
// and false when it applied none.
func FollowUp(w model.Workload) (Since, bool) {
	if len(w.Changes) == 0 {
		return Since{}, false
	}
	ch := w.Changes[0]
	s := Since{Change: ch}
	restarts, oom := map[string]int32{}, map[string]bool{}
	for _, c := range w.Containers {
		for _, in := range c.Instances {
			restarts[in.Pod] += in.RestartCount
			since := ch.ReachedAt(in.Pod)
			if t := in.LastTermination; t != nil && t.Reason == "OOMKilled" && t.FinishedAt.After(since) {
				oom[in.Pod] = true
			}
			if in.Waiting == "CrashLoopBackOff" && s.CrashLoop == "" && in.LastTermination != nil && in.LastTermination.FinishedAt.After(since) {
				s.CrashLoop = c.Name
			}
		}
		if changesCPU(ch, c.Name) && c.Resources.Limits.CPU > 0 && c.Usage != nil {
			for _, p := range c.Usage.Points() {
				if p.Time().After(ch.At) && float64(p.CPU) >= throttledAt*float64(c.Resources.Limits.CPU) {
					s.Throttled++
				}
			}
		}
	}
	s.OOMKilledPods = len(oom)
	pods := map[string]model.Pod{}
	for _, p := range w.Pods {
		pods[p.Name] = p
		s.Restarts += ch.RestartsSince(p, restarts[p.Name])
		switch {
		case p.Created.Before(ch.At):
			s.OldPods++
		case p.Ready:
			s.NewPods, s.NewReady = s.NewPods+1, s.NewReady+1
		default:
			s.NewPods++
		}
	}
	for _, name := range ch.Pods {
		p, ok := pods[name]
		switch {
		case !ok || !p.Created.Before(ch.At):
			s.Replaced++
		case p.Resize.Pending != nil:
			s.Waiting = append(s.Waiting, name+": "+conditionText(*p.Resize.Pending))
		case p.Resize.InProgress != nil && p.Resize.InProgress.Reason != "":
			s.Waiting = append(s.Waiting, name+": "+conditionText(*p.Resize.InProgress))
		case p.Resize.Settled():
			s.Resized++
		default:
			s.Waiting = append(s.Waiting, name+": being applied")
		}
	}
	return s, true
}

// conditionText is "Deferred: Node didn't have enough resource: cpu ...".
func conditionText(c model.Condition) string {
	if c.Message == "" {
		return c.Reason
	}
	return c.Reason + ": " + c.Message
}

// changesCPU reports whether the change set a CPU request or limit of container.
func changesCPU(ch model.AppliedChange, container string) bool {
	for _, f := range ch.Fields {
		if f.Container == container && (f.Field == "resources.limits.cpu" || f.Field == "resources.requests.cpu") {
			return true
		}
	}
	return false
}

// Trouble says in a few words what went wrong since the change ("OOMKilled
// in 2 pods, 3 restarts"), or "" when nothing did.
func (s Since) Trouble() string {
	var out []string
	if s.OOMKilledPods > 0 {
		out = append(out, "OOMKilled in "+count(s.OOMKilledPods, "pod"))
	}
	if s.CrashLoop != "" {
		out = append(out, s.CrashLoop+" in CrashLoopBackOff")
	}
	if s.Throttled >= throttledWindows {
		out = append(out, fmt.Sprintf("CPU at its limit in %d metrics windows (throttled)", s.Throttled))
	}
	if len(out) > 0 && s.Restarts > 0 {
		out = append(out, count(s.Restarts, "restart"))
	}
	return strings.Join(out, ", ")
}

// afterChange raises the newest change kgotop applied to w when an OOMKill,
// a crash loop or throttling followed it, with the undo patch's command.
func afterChange(w model.Workload) []Advice {
	s, ok := FollowUp(w)
	if !ok || s.Trouble() == "" {
		return nil
	}
	ch := s.Change
	var changed []string
	for _, f := range ch.Fields {
		changed = append(changed, fmt.Sprintf("%s %s → %s", fieldLabel(f.Field), f.Before, f.After))
	}
	reason := fmt.Sprintf("%s since kgotop %s it (%s)", s.Trouble(), ch.Way.Past(), strings.Join(changed, ", "))
	a := workloadAdvice(w, KindAfterChange, Critical, reason)
	a.Current, a.Suggested = textValue(s.Trouble()), Value{Display: "undo the change"}
	a.Evidence = []Evidence{
		{Label: "changed at", Value: ch.At.UTC().Format(time.RFC3339)},
		{Label: "restarts since", Value: fmt.Sprint(s.Restarts)},
		{Label: "pods OOMKilled since", Value: fmt.Sprint(s.OOMKilledPods)},
	}
	if undo, err := UndoPatch(w, ch); err == nil {
		a.Code, a.CodeLang = undo.Command, "shell"
		a.Notes = append(a.Notes, "the command puts the template's values from before the change back; in the dashboard, u opens it and can resize the running pods back in place too")
	} else {
		a.Notes = append(a.Notes, "no undo patch: "+err.Error())
	}
	return []Advice{a}
}

// fieldLabel names a template field for people: "memory limit", "env GOMEMLIMIT".
func fieldLabel(field string) string {
	switch field {
	case "resources.requests.cpu":
		return "CPU request"
	case "resources.limits.cpu":
		return "CPU limit"
	case "resources.requests.memory":
		return "memory request"
	case "resources.limits.memory":
		return "memory limit"
	}
	if name, ok := strings.CutPrefix(field, "env["); ok {
		return "env " + strings.TrimSuffix(name, "]")
	}
	return field
}
