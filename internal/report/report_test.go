package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

var now = time.Date(2026, 11, 25, 6, 10, 12, 0, time.UTC)

// history builds a usage history of n samples one window apart ending at now.
func history(n int, cpu, mem int64) *model.History {
	h := model.NewHistory(model.DefaultHistoryConfig)
	for i := n - 1; i >= 0; i-- {
		at := now.Add(-time.Duration(i) * 15 * time.Second)
		h.Add("p", model.Sample{Time: at, Window: 15 * time.Second, CPU: cpu, Memory: mem}, 100)
		h.AddPoint(model.Point{Unix: at.Unix(), CPU: cpu, Memory: mem})
	}
	return h
}

func instance(pod string, cpu, mem int64) model.ContainerInstance {
	return model.ContainerInstance{Pod: pod, Ready: true, Usage: &model.Sample{Time: now, CPU: cpu, Memory: mem}}
}

func fixture() model.Snapshot {
	return model.Snapshot{
		Taken: now, Context: "prod-eu", Namespace: "store",
		Sources: model.Sources{Synced: true, API: model.APIStatus{Live: true},
			Metrics: model.MetricsStatus{State: model.MetricsAvailable, Windows: 28, Window: 15 * time.Second, Newest: now}},
		Workloads: []model.Workload{
			{
				Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "store", Name: "accounts"}, Desired: 2, Ready: 2,
				Pods: []model.Pod{{Name: "accounts-1"}, {Name: "accounts-2"}},
				HPA:  &model.HPA{Name: "accounts", MinReplicas: 2, MaxReplicas: 10, CurrentReplicas: 2, Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, CurrentUtilization: 3}}},
				Containers: []model.Container{{
					Name: "app", Image: "registry.example/accounts:1.4.2",
					Resources: model.Resources{Requests: model.ResourceList{CPU: 1000, Memory: 1 << 30}, Limits: model.ResourceList{CPU: 2000, Memory: 2 << 30}},
					Env:       []model.EnvVar{{Name: "GOMEMLIMIT", From: &model.EnvSource{Kind: model.EnvResourceField, Resource: "limits.memory"}}},
					Instances: []model.ContainerInstance{instance("accounts-1", 25, 70<<20), instance("accounts-2", 31, 72<<20)},
					Usage:     history(28, 31, 72<<20),
					Go:        model.GoInfo{Detection: model.GoLikely, Evidence: "env GOMEMLIMIT"},
				}},
			},
			{
				Ref: model.WorkloadRef{Kind: model.KindStatefulSet, Namespace: "store", Name: "orders"}, Desired: 1, Ready: 1,
				Pods: []model.Pod{{Name: "orders-0"}},
				Containers: []model.Container{{
					Name: "orders", Image: "registry.example/orders:0.9.7",
					Resources: model.Resources{Requests: model.ResourceList{CPU: 250, Memory: 300 << 20}, Limits: model.ResourceList{CPU: 1000, Memory: 384 << 20}},
					Instances: []model.ContainerInstance{{Pod: "orders-0", Ready: true, RestartCount: 4, Usage: &model.Sample{Time: now, CPU: 190, Memory: 379 << 20},
						LastTermination: &model.Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: now.Add(-3 * time.Minute)}}},
					Usage: history(28, 190, 379<<20),
				}, {
					Name: "proxy", Image: "envoy:v1.30",
					Instances: []model.ContainerInstance{instance("orders-0", 5, 20<<20)},
				}},
			},
			{
				Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "store", Name: "thumbs"}, Desired: 1, Ready: 0,
				Pods:   []model.Pod{{Name: "thumbs-1"}},
				Events: []model.Event{{Type: "Warning", Reason: "FailedCreate", Message: "exceeded quota", Count: 2, LastSeen: now.Add(-time.Minute), Object: "ReplicaSet/thumbs-6f"}},
				Containers: []model.Container{{
					Name: "thumbs", Image: "golang:1.16",
					Resources: model.Resources{Requests: model.ResourceList{CPU: 300, Memory: 512 << 20}, Limits: model.ResourceList{Memory: 1 << 30}},
					Instances: []model.ContainerInstance{{Pod: "thumbs-1", RestartCount: 7, Waiting: "CrashLoopBackOff", WaitingMessage: "back-off 5m0s restarting failed container",
						LastTermination: &model.Termination{Reason: "Error", ExitCode: 1, FinishedAt: now.Add(-50 * time.Second)}}},
					ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 9, Kills: 3, LastSeen: now.Add(-2 * time.Minute),
						LastMessage: `Liveness probe failed: Get "http://10.244.0.9:8080/healthz": context deadline exceeded`}},
					Events: []model.Event{{Type: "Warning", Reason: "BackOff", Message: "Back-off restarting failed container", Count: 12, LastSeen: now, Object: "Pod/thumbs-1"}},
					Go:     model.GoInfo{Detection: model.GoLikely, Version: "1.16", Evidence: "image golang:1.16"},
				}},
			},
		},
	}
}

// unknownGo is what cmd/kgotop passes: the containers of unknown Go
// version under a CPU limit with no sign of throttling.
func unknownGo(s model.Snapshot) []advisor.Target {
	var out []advisor.Target
	for _, w := range s.Workloads {
		out = append(out, advisor.UnknownGoVersions(w, advisor.Options{})...)
	}
	return out
}

// plain renders text as a pipe would receive it (no colour).
func render(t *testing.T, s model.Snapshot, opts Options, profile colorprofile.Profile) string {
	t.Helper()
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: profile}
	opts.UnknownGo = unknownGo(s)
	if err := Write(w, s, advisor.Advise(s, advisor.Options{}), opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestTextGolden(t *testing.T) {
	for _, c := range []struct {
		name  string
		width int
	}{{"160", 160}, {"80", 80}, {"60", 60}} {
		t.Run(c.name, func(t *testing.T) {
			out := render(t, fixture(), Options{Width: c.width}, colorprofile.NoTTY)
			for _, line := range overWidth(out, c.width) {
				t.Errorf("line is over %d: %q", c.width, line)
			}
			golden.RequireEqual(t, out)
		})
	}
}

// overWidth returns the lines of text output wider than width that may not
// be: commands and code stay whole so they can be copied, and a line with no
// space to break at cannot wrap; prose and tables must fit.
func overWidth(out string, width int) []string {
	var over []string
	code := false // in a snippet: the lines under "change in code (...):" or "run:"
	for _, line := range strings.Split(out, "\n") {
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case strings.HasSuffix(line, "):") && (strings.HasPrefix(line, "      change in code (") || strings.HasPrefix(line, "      in the manifest (")), line == "      run:":
			code = true
			continue
		case line != "" && indent < 8:
			code = false
		}
		body := strings.TrimSpace(line)
		if lipgloss.Width(line) <= width || code || strings.HasPrefix(line, "  $ ") || !strings.Contains(body, " ") {
			continue
		}
		over = append(over, line)
	}
	return over
}

func TestTextColourOnlyWhenAsked(t *testing.T) {
	if out := render(t, fixture(), Options{}, colorprofile.NoTTY); strings.Contains(out, "\x1b[") {
		t.Error("plain output carries escape sequences")
	}
	if out := render(t, fixture(), Options{}, colorprofile.ANSI); !strings.Contains(out, "\x1b[") {
		t.Error("terminal output has no colour")
	}
}

func TestDegradedSourcesAreSaid(t *testing.T) {
	s := fixture()
	s.Sources.API = model.APIStatus{Live: false, StaleSince: now.Add(-90 * time.Second), Error: "connection refused"}
	s.Sources.Metrics = model.MetricsStatus{State: model.MetricsUnavailable, Reason: "metrics.k8s.io is not served by this cluster"}
	s.Sources.Unavailable = []model.Unavailable{{Resource: "events", Verb: "list", Message: "events is forbidden"}}
	for _, c := range s.Workloads {
		for i := range c.Containers {
			c.Containers[i].Usage = nil
			for j := range c.Containers[i].Instances {
				c.Containers[i].Instances[j].Usage = nil
			}
		}
	}
	out := render(t, s, Options{Width: 120}, colorprofile.NoTTY)
	for _, want := range []string{
		"API server unreachable since 06:08:42 (1m30s ago)",
		"Metrics unavailable: metrics.k8s.io is not served",
		"Not shown: events is forbidden",
		"no metrics",
		"?/1/2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fixture(), advisor.Advise(fixture(), advisor.Options{}), Options{Format: JSON, UnknownGo: unknownGo(fixture())}); err != nil {
		t.Fatal(err)
	}
	var r JSONReport
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.SchemaVersion != 1 || len(r.Workloads) != 3 || r.Sources.Metrics != "available" {
		t.Fatalf("report = %+v", r)
	}
	orders := r.Workloads[1].Containers[0]
	if orders.LastTerminated == nil || orders.LastTerminated.Reason != "OOMKilled" || orders.Restarts != 4 ||
		*orders.Usage.MemoryBytes != 379<<20 || orders.MemoryLimit != 384<<20 {
		t.Errorf("orders = %+v", orders)
	}
	if g := r.Workloads[0].Containers[0].Env["GOMEMLIMIT"]; g != "(resourceFieldRef limits.memory)" {
		t.Errorf("GOMEMLIMIT from a field ref = %q", g)
	}
	// The OOMKilled StatefulSet gets a critical memory limit raise with a patch.
	if len(r.Workloads[1].Advice) == 0 || r.Workloads[1].Patch == nil || !strings.Contains(r.Workloads[1].Patch.Command, "kubectl patch statefulset orders -n store") {
		t.Errorf("orders advice %+v patch %+v", r.Workloads[1].Advice, r.Workloads[1].Patch)
	}
	if r.Summary.Critical == 0 || r.Summary.Workloads != 3 || r.Summary.Containers != 4 {
		t.Errorf("summary = %+v", r.Summary)
	}
	golden.RequireEqual(t, buf.Bytes())
}

func TestMarkdownGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fixture(), advisor.Advise(fixture(), advisor.Options{}), Options{Format: Markdown, UnknownGo: unknownGo(fixture())}); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, buf.Bytes())
}

func TestEmptyNamespace(t *testing.T) {
	s := model.Snapshot{Taken: now, Namespace: "empty", Sources: model.Sources{Synced: true, API: model.APIStatus{Live: true}}}
	if out := render(t, s, Options{}, colorprofile.NoTTY); !strings.Contains(out, "No pods or workloads found.") {
		t.Error(out)
	}
}

// With --prometheus off, a past an earlier run read from Prometheus and
// saved is said as saved, then this run's windows (review 2, #13).
func TestASavedPastIsSaidAsSaved(t *testing.T) {
	s := fixture()
	s.Sources.Past = model.PastStatus{State: model.PastOff}
	s.Sources.Metrics.Windows = 1
	h := s.Workloads[0].Containers[0].Usage
	past := model.NewHistory(model.DefaultHistoryConfig)
	past.CPU.Add(0.03, 1, now.Add(-48*time.Hour))
	h.Backfill(model.PastUsage{Past: model.Past{Source: "Prometheus (monitoring/prometheus-operated)", First: now.Add(-8 * 24 * time.Hour),
		Last: now.Add(-time.Hour), Watched: 8 * 24 * time.Hour, Samples: 11520}, CPU: past.CPU, Windows: 8})
	out := render(t, s, Options{Width: 200}, colorprofile.NoTTY)
	if want := "8d saved from Prometheus (monitoring/prometheus-operated), then 1 metrics window"; !strings.Contains(out, want) {
		t.Errorf("header lacks %q:\n%s", want, strings.SplitN(out, "\n", 2)[0])
	}
}

// Review 3, #11: in Markdown the request range is a bullet of its own, not
// spliced between the confidence level and its reason.
func TestMarkdownRangeIsItsOwnBullet(t *testing.T) {
	a := advisor.Advice{Kind: advisor.KindCPURequest, Severity: advisor.Info, Reason: "P90 usage is 81m: request 94m (P90 + 15%)",
		Target:     advisor.Target{Kind: model.KindDeployment, Namespace: "store", Name: "api", Container: "app"},
		Confidence: advisor.Confidence{Level: advisor.Medium, Note: "7h59m of history: a full day shows the daily peak"},
		Range:      &advisor.Range{Lower: advisor.Value{Display: "92m"}, Upper: advisor.Value{Display: "468m"}}}
	var b strings.Builder
	writeMarkdownAdvice(&b, workloadAdvice{w: model.Workload{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "store", Name: "api"}},
		advice: []advisor.Advice{a}})
	out := b.String()
	if !strings.Contains(out, "(confidence medium: 7h59m of history: a full day shows the daily peak)\n") ||
		!strings.Contains(out, "\n  - range: a request anywhere from 92m to 468m would do (the recommender's lower and upper bounds)\n") {
		t.Errorf("markdown:\n%s", out)
	}
}

// The header's live part is the one the advice names ("then 2m15s live"),
// and says how many of its windows this run saw: the rest were saved by
// earlier runs (third review, finding 9).
func TestTheHeadersLivePartIsTheAdvices(t *testing.T) {
	s := fixture()
	s.Sources.Metrics.Windows = 1
	c := s.Workloads[0].Containers[0]
	h := c.Usage
	past := model.NewHistory(model.DefaultHistoryConfig)
	past.CPU.Add(0.03, 1, h.First.Add(-48*time.Hour))
	h.Backfill(model.PastUsage{Past: model.Past{Source: "Prometheus (monitoring/prometheus-operated)", First: h.First.Add(-8 * 24 * time.Hour),
		Last: h.First, Watched: 8 * 24 * time.Hour, Samples: 11520}, CPU: past.CPU, Windows: 8})
	s.Sources.Past = model.PastStatus{State: model.PastLoaded, Source: "Prometheus (monitoring/prometheus-operated)", Range: 8 * 24 * time.Hour}
	live := h.Live()
	if live <= 0 {
		t.Fatalf("the fixture's history has no live part after the past: span %v", h.Span())
	}
	out := render(t, s, Options{Width: 200}, colorprofile.NoTTY)
	head := "8d of history from Prometheus (monitoring/prometheus-operated), then " + model.FormatAge(live) + " live (1 metrics window this run)"
	if !strings.Contains(out, head) {
		t.Errorf("header lacks %q:\n%s", head, strings.SplitN(out, "\n", 3)[:2])
	}
	if p := h.Provenance(); !strings.HasSuffix(p, "then "+model.FormatAge(live)+" live") {
		t.Errorf("the advice says %q", p)
	}
}

// An HPA with no current value for its metric says "now unknown": absent
// is unknown, never 0% (fourth review, finding 5).
func TestHPAWithoutACurrentMetricSaysUnknown(t *testing.T) {
	s := fixture()
	s.Workloads[0].HPA.Metrics[0] = model.HPAMetric{Resource: "cpu", TargetUtilization: 60, NoCurrent: true}
	d := strings.Join(details(s), "\n")
	if !strings.Contains(d, "HPA accounts scales 2-10 on cpu at 60% of request (now unknown, 2 replicas)") || strings.Contains(d, "now 0%") {
		t.Errorf("details:\n%s", d)
	}
}
