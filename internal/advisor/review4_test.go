package advisor

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Finding 2: whether the kubelet's Killing events are gone is decided from
// the events kgotop holds, not guessed from the default 1h TTL: one held
// for the pod is quoted beside the command; with none held an old kill
// points at the kubelet's log; liveness kills for every restart need neither.
func TestReview4KillingEventsFromWhatIsHeld(t *testing.T) {
	killed := t0.Add(2 * time.Hour)
	now := killed.Add(7*time.Hour + 41*time.Minute)
	killing := func(pod, msg string, at time.Time) model.Event {
		return model.Event{Type: "Normal", Reason: "Killing", Message: msg, Count: 1, LastSeen: at, Object: "Pod/" + pod, Container: "app"}
	}
	stop := "Stopping container app"
	gone := "look in the kubelet's log on node node-7"
	cases := []struct {
		name     string
		killings []model.Event
		kills    int32 // liveness kills counted
		events   bool  // the events command is printed
		quote    string
		gone     bool
	}{
		{name: "none held: the TTL guess", gone: true},
		{name: "one held for another pod: the TTL guess", killings: []model.Event{killing("api-2", stop, killed)}, gone: true},
		{name: "one held for the pod: quoted, with the command", killings: []model.Event{killing("api-2", stop, now), killing("api-1", stop, killed.Add(-time.Minute))},
			events: true, quote: `the kubelet's Killing event for api-1, 7h42m ago: "Stopping container app"`},
		{name: "liveness kills for every restart: the cause is known", kills: 1,
			killings: []model.Event{killing("api-1", "Container app failed liveness probe, will be restarted", killed)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := withProbes(model.Container{Name: "app", Resources: res(100, 128*mi, 0, 256*mi), Killings: tc.killings, Instances: []model.ContainerInstance{
				{Pod: "api-1", RestartCount: 1, LastTermination: &model.Termination{Reason: "Error", ExitCode: 143, StartedAt: t0, FinishedAt: killed}}}})
			if tc.kills > 0 {
				c.ProbeFailures = []model.ProbeFailure{{Probe: model.Liveness, Count: 3 * tc.kills, Kills: tc.kills, LastSeen: killed}}
			}
			w := deployment(c)
			w.Pods = []model.Pod{{Name: "api-1", Node: "node-7"}, {Name: "api-2", Node: "node-8"}}
			r := find(AdviseWorkload(w, Options{Now: now}), KindRestarts)
			if r == nil {
				t.Fatal("no restart advice")
			}
			notes := strings.Join(r.Notes, " ")
			if got := strings.Contains(r.Code, "involvedObject.name=api-1,reason=Killing"); got != tc.events {
				t.Errorf("events command %v, want %v: %q", got, tc.events, r.Code)
			}
			if strings.Contains(notes, gone) != tc.gone || strings.Contains(notes, "likely gone") != tc.gone {
				t.Errorf("notes %q, want the TTL guess %v", notes, tc.gone)
			}
			if tc.quote != "" && !strings.Contains(notes, tc.quote) {
				t.Errorf("notes %q lack %q", notes, tc.quote)
			}
			if !strings.Contains(r.Code, "kubectl logs api-1") {
				t.Errorf("code %q lacks the previous run's log", r.Code)
			}
		})
	}
}

// Finding 4: with 8d of history of which the ring holds only the last
// three live windows, the CPU limit's step cites the whole history (the
// share of its samples at the limit, P50 and P90), and whether that shows
// throttling is judged on the same numbers: at the limit most of 8d is
// relief that stays in the patch beside a GOMAXPROCS fix; a rare touch is
// not, whatever the live windows say.
func TestReview4CPULimitEvidenceIsTheWholeHistory(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cpus    []int64 // cycled, one every 2 minutes over 8d
		want    string
		shown   bool
		without string
	}{
		{"at the limit most of 8d", []int64{880, 900, 990, 998, 1000}, "in 60% of the samples over the 8d of history (P50 1 core, P90 1 core)", true, "metrics windows"},
		{"a rare touch", []int64{600, 620, 640, 610, 630, 600, 620, 640, 610, 1000}, "usage sat at 95% or more of the 1-core limit in 10% of the samples over the 8d of history", false, "metrics windows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := model.NewHistory(model.DefaultHistoryConfig)
			end := t0.Add(8 * 24 * time.Hour)
			i := 0
			for at := t0; at.Before(end); at = at.Add(2 * time.Minute) {
				h.Add("pod-a", model.Sample{Time: at, Window: time.Minute, CPU: tc.cpus[i%len(tc.cpus)], Memory: 220 * mi}, 500)
				i++
			}
			for k, cpu := range []int64{900, 910, 1000} { // the live windows: 1 of 3 at the limit
				at := end.Add(time.Duration(k) * 15 * time.Second)
				h.Add("pod-a", model.Sample{Time: at, Window: 15 * time.Second, CPU: cpu, Memory: 220 * mi}, 500)
				h.AddPoint(model.Point{Unix: at.Unix(), CPU: cpu, Memory: 220 * mi})
			}
			c := withProbes(model.Container{Resources: res(500, 256*mi, 1000, 512*mi), Usage: h,
				Go: goRuntime("1.23.4", func(r *model.GoRuntime) { r.GOMAXPROCS = 8 })})
			w := deployment(c)
			got := AdviseWorkload(w, Options{})
			checkInvariants(t, w, got)
			lim := find(got, KindCPULimit)
			if lim == nil {
				t.Fatal("no CPU limit advice")
			}
			if !strings.Contains(lim.Reason, tc.want) || strings.Contains(lim.Reason, tc.without) {
				t.Errorf("reason %q, want %q without %q", lim.Reason, tc.want, tc.without)
			}
			if ev := evidenceWords(lim.Evidence); !strings.Contains(ev, "samples at >= 95% of the limit") || strings.Contains(ev, "windows at") {
				t.Errorf("evidence %q", ev)
			}
			if in := lim.Patchable() && !lim.Held; in != tc.shown {
				t.Errorf("in the patch %v, want %v: %q", in, tc.shown, lim.Notes)
			}
		})
	}
}

// Finding 5: an HPA with no current value for its metric says "?", never
// 0%; one that reads 0% says 0%.
func TestReview4HPAWithoutACurrentMetric(t *testing.T) {
	over := usage(84*time.Hour, 5*time.Minute, 1, 500, steady(50, 100*mi))
	for _, tc := range []struct {
		noCurrent bool
		current   string
		note      string
	}{
		{true, "? of 500m", "the HPA reports no current utilization"},
		{false, "0% of 500m", "the HPA reports 0% utilization now"},
	} {
		w := deployment(withProbes(model.Container{Resources: res(500, 0, 0, 0), Usage: over}))
		w.HPA = &model.HPA{Name: "web", MinReplicas: 3, MaxReplicas: 10, CurrentReplicas: 3,
			Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, NoCurrent: tc.noCurrent}}}
		a := find(AdviseWorkload(w, Options{}), KindHPAShift)
		if a == nil || a.Current.Display != tc.current || !strings.Contains(a.Confidence.Note, tc.note) {
			t.Errorf("no current %v: %+v, want %q and %q", tc.noCurrent, a, tc.current, tc.note)
		}
	}
}

// Finding 6: a store's samples are pod-minutes (a 2m step counts two),
// live ones pod-windows: the evidence says which are which, and its number
// (and the confidence's count) stays the total.
func TestReview4SamplesSayWhatTheyCount(t *testing.T) {
	h := eightDaysFromPrometheus()
	c := withProbes(model.Container{Resources: res(500, 1024*mi, 0, 0), Usage: h})
	a := find(AdviseWorkload(deployment(c), Options{Now: t0.Add(10 * time.Minute)}), KindCPURequest)
	if a == nil {
		t.Fatal("no CPU request advice")
	}
	live := h.Samples - h.Past.Samples
	want := fmt.Sprintf("samples %d (11520 pod-minutes from Prometheus, %d live)", h.Samples, live)
	if ev := evidenceWords(a.Evidence); live <= 0 || !strings.Contains(ev, want) || a.Confidence.Samples != h.Samples {
		t.Errorf("evidence %q, want %q; confidence %+v", ev, want, a.Confidence)
	}
	// All live: one count, no unit to tell apart.
	c.Usage = usage(26*time.Hour, time.Minute, 1, 500, steady(100, 150*mi))
	a = find(AdviseWorkload(deployment(c), Options{}), KindCPURequest)
	if ev := evidenceWords(a.Evidence); !strings.Contains(ev, fmt.Sprintf("samples %d", c.Usage.Samples)) || strings.Contains(ev, "pod-minutes") {
		t.Errorf("live evidence %q", ev)
	}
}
