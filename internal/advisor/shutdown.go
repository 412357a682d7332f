package advisor

import (
	"fmt"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// servedRun is the least a run must have lasted for its end to say how the
// program stops once serving: a kill while it starts may come before it
// installs its signal handler.
const servedRun = 5 * time.Minute

// stopVerdict is how a container's serving run last ended.
type stopVerdict struct {
	pod  string
	term model.Termination
	// ignored: the program died of SIGTERM itself (no handler): exit 143, or
	// exit 2 as PID 1 (asPID1); otherwise exit 137 not from the OOM killer,
	// SIGKILL after the grace period.
	ignored, asPID1 bool
}

// sigtermExit reports whether a termination is how a Go program that does
// not handle SIGTERM dies of it: exit 143 (128+15, the signal's default
// action), or exit 2 with no panic in its termination message. The Go
// runtime catches SIGTERM, and without a handler of the program's it
// re-raises it with the default action (runtime.dieFromSignal); the kernel
// ignores that signal for the init process of a PID namespace, which a
// container's entrypoint is, so the runtime ends with exit(2). 143 shows a
// program that is not PID 1 (behind tini, or in a shared process namespace).
func sigtermExit(t model.Termination) bool {
	return t.Reason != "OOMKilled" && (t.ExitCode == 143 || t.ExitCode == 2 && !panicked(t))
}

// panicked reports whether the termination message shows a Go panic or
// fatal runtime error (with terminationMessagePolicy FallbackToLogsOnError,
// the end of the log).
func panicked(t model.Termination) bool {
	return strings.Contains(t.Message, "panic:") || strings.Contains(t.Message, "fatal error:")
}

// killedBySignal reports whether a termination is a kill from outside:
// SIGTERM not handled (sigtermExit), or SIGKILL (exit 137) not from the
// OOM killer.
func killedBySignal(t model.Termination) bool {
	return sigtermExit(t) || t.ExitCode == 137 && t.Reason != "OOMKilled"
}

// decideShutdown finds the newest end of a serving run by a signal:
// SIGTERM not handled (exit 143, or 2 as PID 1) or exit 137 not from the
// OOM killer (still running when the grace period ended).
func decideShutdown(x wctx) (stopVerdict, bool) {
	if x.w.Ref.Kind == model.KindJob || x.w.Ref.Kind == model.KindCronJob {
		return stopVerdict{}, false
	}
	var v stopVerdict
	found := false
	for _, in := range x.c.Instances {
		t := in.LastTermination
		if t == nil || t.StartedAt.IsZero() || t.FinishedAt.Sub(t.StartedAt) < servedRun || !killedBySignal(*t) {
			continue
		}
		if !found || t.FinishedAt.After(v.term.FinishedAt) {
			v, found = stopVerdict{pod: in.Pod, term: *t, ignored: sigtermExit(*t), asPID1: t.ExitCode == 2}, true
		}
	}
	return v, found
}

// adviseShutdown says when the program does not stop gracefully. Every
// rollout (kgotop's patches included), eviction and scale-in sends SIGTERM
// and, after terminationGracePeriodSeconds, SIGKILL: a Go program that does
// not catch SIGTERM dies at once (exit 143, or 2 as PID 1) and cuts its
// in-flight requests; one that exits 137 was still running when the grace
// period ended.
func adviseShutdown(x wctx) *Advice {
	v, ok := decideShutdown(x)
	if !ok {
		return nil
	}
	run := formatDuration(v.term.FinishedAt.Sub(v.term.StartedAt))
	sev := Info
	if _, serves := servingPort(x.c); serves {
		sev = Warning
	}
	const cuts = "it does not handle the signal, so every rollout (kgotop's patches too), eviction and scale-in cuts its in-flight requests; catch SIGTERM and drain"
	var a Advice
	switch {
	case v.asPID1:
		a = x.advice(KindShutdown, sev, fmt.Sprintf(
			"after a %s run the program exited 2 with no panic in its termination message: most likely it died of SIGTERM as PID 1 "+
				"(the Go runtime re-raises an unhandled SIGTERM, which the kernel ignores for a container's first process, and exits 2); "+cuts, run))
		a.Suggested = textValue("catch SIGTERM, drain, exit 0")
		a.Confidence = Confidence{Level: Medium, Score: 0.5,
			Note: "a panic exits 2 too, and prints its stack trace to the log: with none in the previous run's log, it was SIGTERM"}
	case v.ignored:
		a = x.advice(KindShutdown, sev, fmt.Sprintf("after a %s run the program died of SIGTERM (exit 143): "+cuts, run))
		a.Suggested = textValue("catch SIGTERM, drain, exit 0")
	default:
		a = x.advice(KindShutdown, sev, fmt.Sprintf(
			"after a %s run the program was SIGKILLed (exit 137, not by the OOM killer): it was still running when the grace period ended, so every rollout waits it out and then cuts what is in flight; bound the shutdown below terminationGracePeriodSeconds",
			run))
		a.Suggested = textValue("a shutdown that ends within the grace period")
	}
	a.Current = textValue(fmt.Sprintf("exit %d", v.term.ExitCode))
	a.Evidence = []Evidence{ev("pod", v.pod), num("exit code", fmt.Sprint(v.term.ExitCode), float64(v.term.ExitCode), Count),
		num("run", run, v.term.FinishedAt.Sub(v.term.StartedAt).Seconds(), Seconds)}
	if v.term.Reason != "" {
		a.Evidence = append(a.Evidence, ev("reason", v.term.Reason))
	}
	a.Notes = append(a.Notes, "the Service drops the pod a moment after SIGTERM: keep serving a few seconds before draining (or a preStop sleep)")
	a.Code, a.CodeLang = shutdownSnippet, "go"
	return &a
}

const shutdownSnippet = `ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
defer stop()
go func() {
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}()
<-ctx.Done()
time.Sleep(5 * time.Second) // endpoints stop sending first
drain, cancel := context.WithTimeout(context.Background(), 20*time.Second) // under terminationGracePeriodSeconds (30s)
defer cancel()
if err := srv.Shutdown(drain); err != nil {
	log.Print(err)
}`
