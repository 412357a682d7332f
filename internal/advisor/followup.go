package advisor

import "github.com/kgotop/kgotop/internal/model"

// KindAfterChange is the advice raised when a change kgotop applied was
// followed by an OOMKill, a crash loop or throttling: undo it when the
// change lowered what then failed, else say it was not enough.
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
	// OOMKill since it, at the memory it runs with (see oomKills), and
	// OOMKilledUntaken those of them that run without the change (a
	// template patch an OnDelete StatefulSet's pods do not take); CrashLoop
	// names a container in CrashLoopBackOff after restarting since, and
	// CrashOOM says its last run ended in an OOMKill.
	Restarts         int32
	OOMKilledPods    int
	OOMKilledUntaken int
	CrashLoop        string
	CrashOOM         bool
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
	restarts, oom, untaken := map[string]int32{}, map[string]bool{}, map[string]bool{}
	for _, c := range w.Containers {
		news := map[string]bool{} // pods whose last OOMKill came at the memory they run with
		for _, k := range oomKills(w, c) {
			news[k.pod] = true
			if k.at.After(ch.At) {
				oom[k.pod], untaken[k.pod] = true, !tookChange(w, ch, k.pod)
			}
		}
		for _, in := range c.Instances {
			restarts[in.Pod] += in.RestartCount
			t := in.LastTermination
			if in.Waiting != "CrashLoopBackOff" || s.CrashLoop != "" || t == nil || !t.FinishedAt.After(ch.ReachedAt(in.Pod)) || t.Reason == "OOMKilled" && !news[in.Pod] {
				continue // a kill at the memory from before a resize waits out the back-off
			}
			s.CrashLoop, s.CrashOOM = c.Name, t.Reason == "OOMKilled"
		}
		s.Throttled += throttledSince(c, ch)
	}
	s.OOMKilledPods = len(oom)
	for _, u := range untaken {
		if u {
			s.OOMKilledUntaken++
		}
	}
	s.pods(w, restarts)
	return s, true
}

// throttledSince counts the metrics windows since the change in which the
// container used 95% or more of its CPU limit, when the change set its CPU.
func throttledSince(c model.Container, ch model.AppliedChange) int {
	if !changesCPU(ch, c.Name) || c.Resources.Limits.CPU <= 0 || c.Usage == nil {
		return 0
	}
	n := 0
	for _, p := range c.Usage.Points() {
		if p.Time().After(ch.At) && float64(p.CPU) >= throttledAt*float64(c.Resources.Limits.CPU) {
			n++
		}
	}
	return n
}

// pods counts the pods new and old since the change, the restarts since,
// and how far the pods the change resized in place have come.
func (s *Since) pods(w model.Workload, restarts map[string]int32) {
	ch := s.Change
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

// Undoes reports whether a is the after-change advice to undo kgotop's last
// change: while it stands, it comes before the advice it holds back.
func (a Advice) Undoes() bool {
	return a.Kind == KindAfterChange && a.Suggested.Display == undoSuggested
}
