package advisor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// adviseRestarts explains why a container keeps restarting, from its last
// termination's exit code, and how it stops (adviseShutdown). An OOMKill
// that is not crash-looping is left to the memory rules, which size the fix.
func adviseRestarts(x wctx) []Advice {
	var out []Advice
	if a := restartAdvice(x); a != nil {
		out = append(out, *a)
	}
	if a := adviseShutdown(x); a != nil {
		out = append(out, *a)
	}
	return out
}

// restartAdvice explains the restarts, pointing at the fix: the previous
// run's log, the liveness probe that killed it, or memory after an OOMKill
// (whose SIGKILL leaves nothing in the log).
func restartAdvice(x wctx) *Advice {
	restarts := x.c.RestartCount()
	last := x.c.LastTermination()
	crashLoop := crashLooping(x)
	if !crashLoop && (restarts == 0 || last == nil || last.Reason == "OOMKilled") {
		return nil
	}
	if x.w.Ref.Kind == model.KindJob || x.w.Ref.Kind == model.KindCronJob {
		if !crashLoop && last != nil && last.ExitCode == 0 {
			return nil
		}
	}
	oom := last != nil && last.Reason == "OOMKilled"
	sev := Warning
	switch {
	case crashLoop:
		sev = Critical
	case restarts < 3:
		sev = Info
	}
	why := "the container restarts"
	if last != nil {
		why = explainExit(*last, x.w.Ref.Kind)
	}
	if msg := says(last); msg != "" {
		why = fmt.Sprintf("exit %d, and the program says why: %s", last.ExitCode, msg)
	}
	kills := probeFailure(x.c, model.Liveness).Kills
	byProbe := kills > 0 && last != nil && killedBySignal(*last)
	if byProbe {
		why = fmt.Sprintf("its liveness probe killed it %s (exit %d); the probe advice says how to stop that", times(kills), last.ExitCode)
	}
	reason := fmt.Sprintf("restarted %s: %s", times(restarts), why)
	switch {
	case crashLoop && x.c.Waiting() == "CrashLoopBackOff":
		reason = fmt.Sprintf("CrashLoopBackOff after %s: %s", count(restarts, "restart"), why)
	case crashLoop:
		// Running, maybe ready, in one of the short runs between back-offs:
		// the kubelet does not say CrashLoopBackOff now.
		reason = fmt.Sprintf("restarting in a loop (%s, each run short): %s", count(restarts, "restart"), why)
	}
	a := x.advice(KindRestarts, sev, reason)
	a.Current = countValue(int64(restarts), count(restarts, "restart"))
	a.Suggested = textValue("find the cause in the previous run's log")
	switch {
	case says(last) != "":
		// The program said why it stopped: that is the lead, the log the rest.
		a.Suggested = textValue("fix what it says: " + says(last))
	case byProbe:
		a.Suggested = textValue("fix the liveness probe (see the probe advice)")
	case last != nil && killedBySignal(*last):
		a.Suggested = textValue("find who stopped it: the kubelet's Killing events")
		if pod, _ := restartedPod(x, last); killingOf(x.c, pod) == nil && !eventsKept(x, last) {
			a.Suggested = textValue("find who stopped it: the kubelet's log on its node")
		}
	case oom:
		a.Suggested = textValue("more memory, or less use (see the memory advice)")
		a.Notes = append(a.Notes, "the OOM killer's SIGKILL leaves nothing in the log: the memory limit advice sizes the fix, and a climb like a leak needs a heap profile")
	}
	a.Evidence = restartEvidence(restarts, last, kills)
	a.Evidence = append(a.Evidence, storeEvidence(x.c, storeRestarts)...)
	if oom {
		a.Evidence = append(a.Evidence, storeEvidence(x.c, storeOOMKills)...)
	}
	// Liveness kills for every restart: the cause is known, no need to
	// look for who sent the signal.
	known := byProbe && kills >= restarts
	a.Code, a.Notes = restartCommands(x, last, oom, !known, a.Notes)
	if a.Code != "" {
		a.CodeLang = "shell"
	}
	return &a
}

// eventTTL is how long the API server keeps events by default
// (kube-apiserver --event-ttl).
const eventTTL = time.Hour

// eventsKept reports whether a termination is recent enough for the
// kubelet's events about it to be still kept (or its time is unknown).
func eventsKept(x wctx, t *model.Termination) bool {
	return t.FinishedAt.IsZero() || x.opts.Now.IsZero() || x.opts.Now.Sub(t.FinishedAt) < eventTTL
}

// restartCommands returns the commands that find why the container last
// stopped: the previous run's log (an OOMKill leaves none), and, when who
// stopped it is still a question (whom), the kubelet's Killing events: the
// command, quoting the newest one kgotop holds for the pod; with none held,
// the command while the API server likely keeps them (1h by default), else
// a note that points at the kubelet's log on the node around the kill.
func restartCommands(x wctx, last *model.Termination, oom, whom bool, notes []string) (string, []string) {
	pod, node := restartedPod(x, last)
	var code []string
	if !oom {
		code = append(code, fmt.Sprintf("kubectl logs %s -n %s -c %s --previous", pod, x.w.Ref.Namespace, x.c.Name))
	}
	events := fmt.Sprintf("kubectl get events -n %s --field-selector involvedObject.name=%s,reason=Killing", x.w.Ref.Namespace, pod)
	held := killingOf(x.c, pod)
	switch {
	case !whom || last == nil || !killedBySignal(*last):
	case held != nil:
		code = append(code, events)
		notes = append(notes, fmt.Sprintf("the kubelet's Killing event for %s, %s ago: %q", pod, formatDuration(x.opts.Now.Sub(held.LastSeen)), held.Message))
	case eventsKept(x, last):
		// The log cannot say who sent the signal; the kubelet's events can.
		code = append(code, events)
	default:
		on := "on its node"
		if node != "" {
			on = "on node " + node
		}
		notes = append(notes, fmt.Sprintf("kgotop holds no Killing event for %s, and they are likely gone: kube-apiserver keeps events for 1h by default (--event-ttl), and "+
			"the container stopped %s ago; look in the kubelet's log %s around %s (journalctl -u kubelet), or in your event exporter",
			pod, formatDuration(x.opts.Now.Sub(last.FinishedAt)), on, last.FinishedAt.UTC().Format(time.RFC3339)))
	}
	return strings.Join(code, "\n"), notes
}

// restartedPod is the pod (and its node, "" unknown) whose container last
// stopped; "POD" when no instance restarted.
func restartedPod(x wctx, last *model.Termination) (pod, node string) {
	pod = "POD"
	for _, in := range x.c.Instances {
		if in.RestartCount > 0 && (pod == "POD" || in.LastTermination == last) {
			pod = in.Pod
		}
	}
	for _, p := range x.w.Pods {
		if p.Name == pod {
			node = p.Node
		}
	}
	return pod, node
}

// killingOf is the newest Killing event kgotop holds for the container in
// pod, nil when it holds none.
func killingOf(c model.Container, pod string) *model.Event {
	for i, e := range c.Killings { // newest first
		if e.Object == "Pod/"+pod {
			return &c.Killings[i]
		}
	}
	return nil
}

// restartEvidence is the numbers restart advice rests on.
func restartEvidence(restarts int32, last *model.Termination, kills int32) []Evidence {
	out := []Evidence{num("restarts", fmt.Sprint(restarts), float64(restarts), Count)}
	if last != nil {
		out = append(out, num("exit code", fmt.Sprint(last.ExitCode), float64(last.ExitCode), Count))
		if last.Reason != "" {
			out = append(out, ev("reason", last.Reason))
		}
		if last.Message != "" {
			out = append(out, ev("message", last.Message))
		}
	}
	if kills > 0 {
		out = append(out, num("liveness kills", fmt.Sprint(kills), float64(kills), Count))
	}
	return out
}

// explainExit says what an exit code means for a Go program in a pod.
func explainExit(t model.Termination, kind model.Kind) string {
	switch c := t.ExitCode; {
	case t.Reason == "OOMKilled":
		return fmt.Sprintf("exit %d = SIGKILL from the kernel's OOM killer: the container reached its memory limit", c)
	case c == 0:
		if kind == model.KindJob || kind == model.KindCronJob {
			return "exit 0"
		}
		return "exit 0: the program ended on its own, but a long-running workload's main must not return"
	case c == 1:
		return "exit 1: the program reported a failure (log.Fatal, os.Exit(1)); its log says why"
	case c == 2 && panicked(t):
		return "exit 2: a Go panic or fatal runtime error; its stack trace is in the previous run's log"
	case c == 2:
		return "exit 2: a Go panic or fatal runtime error, whose stack trace is in the previous run's log; with none there, SIGTERM the program " +
			"does not handle while it runs as PID 1 (the Go runtime then exits 2, not 143)"
	case c == 137:
		return "exit 137 = 128+9, SIGKILL: killed from outside (a liveness probe kill past the grace period, or the OOM killer)"
	case c == 143:
		return "exit 143 = 128+15, SIGTERM not handled: asked to stop in place (a liveness probe kill, an in-place resize that restarts the container, " +
			"or a signal from inside the pod); a Go server that handles SIGTERM exits 0 after draining"
	case c == 139:
		return "exit 139 = 128+11, SIGSEGV: a segmentation fault, usually in cgo code"
	case c == 134:
		return "exit 134 = 128+6, SIGABRT: aborted (GOTRACEBACK=crash, or a C library)"
	case c > 128 && c < 160:
		return fmt.Sprintf("exit %d = 128+%d: killed by signal %d", c, c-128, c-128)
	}
	return fmt.Sprintf("exit %d: see the log of the previous run", t.ExitCode)
}

// crashWindow is how long a run may last and still be a crash loop's run
// between back-offs (the kubelet's back-off grows to 5 minutes).
const crashWindow = 10 * time.Minute

// crashLooping reports whether the container is crash-looping: waiting in
// CrashLoopBackOff, or in one of the short runs between back-offs, when the
// kubelet reports it Running (restarted 3 times or more, its last run
// failed, the current one younger than crashWindow). Without the second
// case its advice, and the dashboard's order, flicker with every run.
func crashLooping(x wctx) bool {
	var news []oomKill
	if x.c.Terminations("OOMKilled") > 0 {
		news = oomKills(x.w, x.c)
	}
	for _, in := range x.c.Instances {
		if t := in.LastTermination; t != nil && t.Reason == "OOMKilled" && !slices.ContainsFunc(news, func(k oomKill) bool { return k.pod == in.Pod }) {
			continue // killed at the memory from before a resize: the back-off of old news
		}
		if in.Waiting == "CrashLoopBackOff" || briefRun(in, x.opts.Now) {
			return true
		}
	}
	return false
}

// briefRun reports whether an instance is running again shortly after
// failing for the third time or more, a failure that came after a short run
// itself: restart counts never reset, so one failure of a pod that restarted
// three times last month is not a crash loop.
func briefRun(in model.ContainerInstance, now time.Time) bool {
	t := in.LastTermination
	return in.RestartCount >= 3 && t != nil && t.ExitCode != 0 && !in.StartedAt.IsZero() && now.Sub(in.StartedAt) < crashWindow &&
		!t.StartedAt.IsZero() && t.FinishedAt.Sub(t.StartedAt) < crashWindow && now.Sub(t.FinishedAt) < crashWindow
}

// says returns a termination message that tells why the program stopped in
// its own words (log.Fatal's line, with terminationMessagePolicy
// FallbackToLogsOnError or a termination log), shortened; "" for a panic's
// stack, a kill, or none.
func says(t *model.Termination) string {
	if t == nil || t.Reason == "OOMKilled" || panicked(*t) || killedBySignal(*t) {
		return ""
	}
	msg := strings.TrimSpace(t.Message)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	if r := []rune(msg); len(r) > 120 {
		msg = string(r[:119]) + "…"
	}
	return msg
}
