package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Tests for the third SRE review of issue 12 (the evidence findings).

// shrunkAt is when the change below lowered the memory limit 512Mi -> 176Mi.
var shrunkAt = t0.Add(6 * time.Hour)

// shrunkWorkload is a Deployment whose memory limit kgotop cut in place from
// 512Mi to 176Mi at shrunkAt; its pod was OOMKilled at the 176Mi an hour later.
// Its usage peaked at peakBefore under the old limit, then at 170Mi.
func shrunkWorkload(peakBefore int64) model.Workload {
	mem := func(_ int, at time.Time) (int64, int64) {
		if at.Before(shrunkAt) {
			return 50, peakBefore
		}
		return 50, 170 * mi
	}
	in := oomInstance("pod-a")
	in.LastTermination.FinishedAt = shrunkAt.Add(time.Hour)
	c := model.Container{Name: "app", Resources: res(100, 128*mi, 500, 176*mi), Usage: usage(8*time.Hour, time.Minute, 1, 100, mem),
		Instances: []model.ContainerInstance{in}}
	w := deployment(withProbes(c))
	w.Changes = []model.AppliedChange{{Ref: w.Ref, Way: model.ChangeResize, At: shrunkAt, Template: true, Pods: []string{"pod-a"},
		Resized: map[string]time.Time{"pod-a": shrunkAt},
		Fields: []model.ChangedField{
			{Container: "app", Field: "resources.limits.memory", Before: "512Mi", After: "176Mi", Undo: &model.FieldUndo{Amount: 512 * mi}},
			{Container: "app", Field: "resources.requests.memory", Before: "256Mi", After: "128Mi", Undo: &model.FieldUndo{Amount: 256 * mi}},
		}}}
	return w
}

// Finding 3: a working set never passes its cgroup's limit, so peaks above
// the limit the container was OOMKilled at were seen under the earlier one:
// the request sized from them is not a lower bound, and says where they
// were seen. Peaks at the limit stay a lower bound.
func TestReview3PeaksAboveTheKillLimitAreNotCensored(t *testing.T) {
	w := shrunkWorkload(183 * mi)
	got := AdviseWorkload(w, Options{Now: shrunkAt.Add(2 * time.Hour)})
	r := find(got, KindMemoryRequest)
	if r == nil || strings.Contains(r.Reason, "lower bound") || strings.Contains(strings.Join(r.Notes, " "), "measure again once the raised limit") ||
		!strings.Contains(r.Reason, "not cut by the 176Mi limit it was OOMKilled at: peak 183Mi seen under the 512Mi limit before the change") {
		t.Errorf("peaks above the kill limit: %+v", r)
	}

	w = shrunkWorkload(170 * mi)
	got = AdviseWorkload(w, Options{Now: shrunkAt.Add(2 * time.Hour)})
	if r := find(got, KindMemoryRequest); r == nil || !strings.Contains(r.Reason, "a lower bound: the peaks sit at the 176Mi limit") {
		t.Errorf("peaks at the kill limit: %+v", r)
	}

	w = shrunkWorkload(183 * mi)
	w.Changes = nil // nothing says which limit the peak was seen under
	w.Containers[0].Instances[0].LastTermination.FinishedAt = t0.Add(7 * time.Hour)
	got = AdviseWorkload(w, Options{Now: shrunkAt.Add(2 * time.Hour)})
	if r := find(got, KindMemoryRequest); r == nil || !strings.Contains(r.Reason, "peak 183Mi lies above the 176Mi limit, so it was seen under an earlier, higher one") {
		t.Errorf("peaks above the kill limit, no change known: %+v", r)
	}
}

// Finding 4: the kubelet's Killing events are kept 1h by default: the
// events command is printed only for a recent kill; an older one points at
// the kubelet's log on the node around the kill.
func TestReview3KillingEventsOnlyWhileKept(t *testing.T) {
	killed := t0.Add(2 * time.Hour)
	c := withProbes(model.Container{Name: "app", Resources: res(100, 128*mi, 0, 256*mi), Instances: []model.ContainerInstance{
		{Pod: "api-1", RestartCount: 1, LastTermination: &model.Termination{Reason: "Error", ExitCode: 143, StartedAt: t0, FinishedAt: killed}}}})
	w := deployment(c)
	w.Pods = []model.Pod{{Name: "api-1", Node: "node-7"}}
	for _, tc := range []struct {
		ago    time.Duration
		events bool
	}{{10 * time.Minute, true}, {11 * time.Hour, false}} {
		r := find(AdviseWorkload(w, Options{Now: killed.Add(tc.ago)}), KindRestarts)
		if r == nil {
			t.Fatalf("%s ago: no restart advice", tc.ago)
		}
		notes := strings.Join(r.Notes, " ")
		if got := strings.Contains(r.Code, "reason=Killing"); got != tc.events {
			t.Errorf("%s ago: events command %v, want %v: %q", tc.ago, got, tc.events, r.Code)
		}
		gone := "look in the kubelet's log on node node-7 around 2026-11-01T02:00:00Z (journalctl -u kubelet), or in your event exporter"
		if strings.Contains(notes, gone) == tc.events || !strings.Contains(r.Code, "kubectl logs api-1") {
			t.Errorf("%s ago: notes %q, code %q", tc.ago, notes, r.Code)
		}
	}
}

// Finding 10: a StatefulSet whose updateStrategy kgotop read as
// RollingUpdate gets no hedge about OnDelete, and a partition is named;
// an unknown strategy keeps the hedge.
func TestReview3AStatefulSetPatchSaysItsPartition(t *testing.T) {
	c := model.Container{Name: "app", Resources: res(100, 128*mi, 0, 256*mi)}
	accepted := []Advice{{Target: Target{Kind: model.KindStatefulSet, Namespace: "shop", Name: "api", Container: "app"},
		Changes: []Change{setResource("app", Limits, Memory, 300*mi)}}}
	for _, tc := range []struct {
		strategy  string
		partition int32
		want      string
	}{
		{"", 0, "highest ordinal first (with OnDelete, only pods you delete)"},
		{"RollingUpdate", 0, "replaces the pods one by one, highest ordinal first"},
		{"RollingUpdate", 5, "its rollingUpdate partition 5 is not below its 2 replicas, so no running pod is replaced"},
		{"RollingUpdate", 1, "replaces the pods with an ordinal of 1 or more one by one, highest first: its rollingUpdate partition is 1"},
		{"OnDelete", 0, "its updateStrategy OnDelete replaces no running pod"},
	} {
		w := deployment(c)
		w.Ref.Kind, w.UpdateStrategy, w.Partition = model.KindStatefulSet, tc.strategy, tc.partition
		p, err := BuildPatch(w, accepted)
		if err != nil || !strings.Contains(p.Effect, tc.want) || tc.strategy == "RollingUpdate" && strings.Contains(p.Effect, "OnDelete") {
			t.Errorf("%s/%d: effect %q, %v", tc.strategy, tc.partition, p.Effect, err)
		}
	}
}

// evidenceWords renders evidence as the reports do.
func evidenceWords(evs []Evidence) string {
	var parts []string
	for _, e := range evs {
		parts = append(parts, model.Labelled(e.Label, e.Value, " "))
	}
	return strings.Join(parts, " · ")
}

// Finding 12: the store's counts of OOM kills and restarts (replaced pods
// included) stand beside the live pods' counts in the evidence of the OOM,
// leak and restart advice.
func TestReview3EvidenceHasTheStoresCounts(t *testing.T) {
	store := &model.PastEvents{Source: "Prometheus (monitoring/prometheus-operated)", Range: 8 * 24 * time.Hour, OOMKills: 72, Restarts: 2029}
	oom := model.Container{Resources: res(100, 200*mi, 500, 256*mi), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(70, 250*mi)),
		Instances: []model.ContainerInstance{oomInstance("pod-a")}, Past: store}
	got := AdviseWorkload(deployment(withProbes(oom)), Options{Now: t0.Add(8 * time.Hour)})
	if l := find(got, KindMemoryLimit); l == nil || !strings.Contains(evidenceWords(l.Evidence), "restarts 3 · last termination OOMKilled (1 of 1 pods) · OOMKills, past 8d 72 (Prometheus)") {
		t.Errorf("OOM limit: %+v", l)
	}

	leaking := oom
	leaking.Past = &model.PastEvents{Source: store.Source, Range: store.Range, OOMKills: 72, MemoryPeak: 256 * mi,
		Growth: &model.Growth{PerHour: 8 * float64(mi), Tail: 8 * float64(mi), Climbing: 0.67, Over: 24 * time.Hour}}
	got = AdviseWorkload(deployment(withProbes(leaking)), Options{Now: t0.Add(8 * time.Hour)})
	if l := find(got, KindMemoryLeak); l == nil || !strings.Contains(evidenceWords(l.Evidence), "OOMKills, past 8d 72 (Prometheus)") {
		t.Errorf("leak: %+v", l)
	}

	probe := withProbes(model.Container{Resources: res(100, 128*mi, 0, 256*mi), Past: store, Instances: []model.ContainerInstance{
		{Pod: "pod-a", RestartCount: 8, LastTermination: &model.Termination{Reason: "Error", ExitCode: 143, StartedAt: t0, FinishedAt: t0.Add(time.Hour)}}}})
	got = AdviseWorkload(deployment(probe), Options{Now: t0.Add(2 * time.Hour)})
	r := find(got, KindRestarts)
	if r == nil || !strings.Contains(evidenceWords(r.Evidence), "restarts 8 · exit code 143 · reason Error · restarts, past 8d 2029 (Prometheus)") {
		t.Errorf("restarts: %+v", r)
	}

	store.OOMKills, store.Restarts = 0, 0 // a store that saw none adds nothing
	got = AdviseWorkload(deployment(probe), Options{Now: t0.Add(2 * time.Hour)})
	if r := find(got, KindRestarts); r == nil || strings.Contains(evidenceWords(r.Evidence), "past 8d") {
		t.Errorf("restarts, none in the store: %+v", r)
	}
}
