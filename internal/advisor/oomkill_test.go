package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// ledgerAt is when kgotop raised ledger's memory in the tests below.
var ledgerAt = t0.Add(8 * time.Hour)

// ledger is an OnDelete StatefulSet OOMKilled at its 176Mi limit (request
// 128Mi), with 9h of usage whose memory after ledgerAt comes from after,
// and the patch that raises it to 276Mi (request 195Mi).
func ledger(t *testing.T, after int64) (model.Workload, Patch) {
	t.Helper()
	h := usage(9*time.Hour, time.Minute, 2, 100, func(i int, at time.Time) (int64, int64) {
		switch {
		case at.After(ledgerAt):
			return 60, after
		case i%10 == 9:
			return 80, 176 * mi
		}
		return 60, 150 * mi
	})
	c := withProbes(model.Container{Name: "ledger", Resources: res(100, 128*mi, 500, 176*mi), Usage: h,
		Instances: []model.ContainerInstance{{Pod: "ledger-0", RestartCount: 5, LastTermination: &model.Termination{Reason: "OOMKilled", ExitCode: 137,
			FinishedAt: ledgerAt.Add(-10 * time.Minute)}}, {Pod: "ledger-1"}}})
	w := deployment(c)
	w.Ref = model.WorkloadRef{Kind: model.KindStatefulSet, Namespace: "shop", Name: "ledger"}
	w.UpdateStrategy = "OnDelete"
	w.Pods = []model.Pod{{Name: "ledger-0", Created: t0, Phase: "Running", Ready: true}, {Name: "ledger-1", Created: t0, Phase: "Running", Ready: true}}
	a := Advice{ID: "raise", Kind: KindMemoryLimit, Target: Target{Kind: w.Ref.Kind, Namespace: "shop", Name: "ledger", Container: "ledger"},
		Changes: []Change{setResource("ledger", Limits, Memory, 276*mi), setResource("ledger", Requests, Memory, 195*mi)}}
	p, err := BuildPatch(w, []Advice{a})
	if err != nil {
		t.Fatal(err)
	}
	return w, p
}

// Finding 2 of the second review: an OOMKill counts only at the memory
// limit the pod runs with. A pod resized in place keeps its OOMKilled last
// state: that kill is old news, and the limit is not raised again (on main
// it walked 176 -> 276 -> 376Mi, "OOMKilled at the 276Mi limit"). A kill
// after the raise, once the memory passed the old limit, is news at the new
// one; one while the resize was still under way is not.
func TestAnOOMKillCountsAtTheLimitItCameAt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		after  int64         // memory after the raise
		kill   time.Duration // when the kill ended, from the raise
		resize bool          // resized in place, else only the template (OnDelete: pods keep 176Mi)
		wait   bool          // the killed pod waits out its back-off
		seen   time.Duration // when the run saw the pod resized, from the raise (0: not recorded)
		raise  string        // the limit advised, "" for none
		reason string
		since  int    // pods OOMKilled since the change
		after2 string // what the after-change advice says, "" for none
	}{
		{name: "a kill before the in-place raise is old news", after: 170 * mi, kill: -10 * time.Minute, resize: true},
		{name: "a kill while the resize was under way is old news", after: 170 * mi, kill: time.Minute, resize: true},
		{name: "and so is its back-off", after: 170 * mi, kill: time.Minute, resize: true, wait: true},
		{name: "a kill while the pod waited its turn in the run is old news", after: 170 * mi, kill: 10 * time.Minute, resize: true, seen: 15 * time.Minute},
		{name: "a kill at the raised limit is news", after: 270 * mi, kill: 30 * time.Minute, resize: true,
			raise: "370Mi", reason: "OOMKilled at the 276Mi limit", since: 1, after2: "the raise was not enough"},
		{name: "a pod that kept 176Mi is answered by the template's 276Mi", after: 170 * mi, kill: 20 * time.Minute, since: 1,
			after2: "still run the values from before the change"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, p := ledger(t, tc.after)
			w = resizedInPlace(t, w, p, ledgerAt, tc.resize)
			w.Containers[0].Instances[0].LastTermination.FinishedAt = ledgerAt.Add(tc.kill)
			if tc.seen != 0 {
				w.Changes[0].Resized = map[string]time.Time{"ledger-0": ledgerAt.Add(tc.seen)}
			}
			if tc.wait {
				w.Containers[0].Instances[0].Waiting = "CrashLoopBackOff"
			}
			as := AdviseWorkload(w, Options{Now: t0.Add(9 * time.Hour)})
			checkInvariants(t, w, as)
			l := find(as, KindMemoryLimit)
			switch {
			case tc.raise == "" && l != nil && l.Suggested.Amount > w.Containers[0].Resources.Limits.Memory:
				t.Errorf("the limit rises again: %s", l.Reason)
			case tc.raise != "" && (l == nil || l.Suggested.Display != tc.raise || !strings.Contains(l.Reason, tc.reason)):
				t.Errorf("want a raise to %s, %q: %+v", tc.raise, tc.reason, l)
			}
			if s, _ := FollowUp(w); s.OOMKilledPods != tc.since {
				t.Errorf("pods OOMKilled since the change: %d, want %d", s.OOMKilledPods, tc.since)
			}
			if r := find(as, KindRestarts); r != nil && tc.since == 0 {
				t.Errorf("the restarts of an old kill: %s", r.Reason)
			}
			a := find(as, KindAfterChange)
			switch {
			case a != nil && (a.Severity == Critical || a.Code != ""):
				t.Errorf("an undo after a raise: %s", a.Reason)
			case tc.after2 == "" && a != nil:
				t.Errorf("after-change advice with nothing since: %s", a.Reason)
			case tc.after2 != "" && (a == nil || !strings.Contains(a.Reason, tc.after2)):
				t.Errorf("after-change advice %+v, want %q", a, tc.after2)
			}
		})
	}
}
