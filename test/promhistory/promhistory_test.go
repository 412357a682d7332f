package promhistory

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/scenario"
)

// end is an hour of the day that is neither midnight nor a peak.
var end = time.Date(2026, 11, 30, 9, 17, 0, 0, time.UTC)

func TestCPUPercentilesAreTheDesignedOnes(t *testing.T) {
	p := readPast(t)
	flat, decayed := p.byContainer("container_cpu_usage_seconds_total", true)
	for _, w := range Designed() {
		key := w.Scenario + "/" + w.Container
		if w.CPUP50 == 0 {
			continue // a crash loop: no sizing data
		}
		for _, h := range []struct {
			name string
			xs   []weighted
		}{{"flat", flat[key]}, {"24h-decayed", decayed[key]}} {
			if len(h.xs) == 0 {
				t.Fatalf("%s: no CPU samples", key)
			}
			for _, c := range []struct {
				p    float64
				want float64
			}{{0.5, w.CPUP50}, {0.9, w.CPUP90}, {0.95, w.CPUP95}} {
				if got := percentile(h.xs, c.p); !near(got, c.want, 0.02) {
					t.Errorf("%s: %s CPU P%.0f = %.4f cores, designed %.4f", key, h.name, 100*c.p, got, c.want)
				}
			}
		}
	}
}

func TestMemoryDailyPeaksAreTheDesignedOnes(t *testing.T) {
	peaks := readPast(t).dailyPeaks()
	for _, w := range Designed() {
		key := w.Scenario + "/" + w.Container
		if got := percentile(peaks[key], 0.9); !near(got, w.MemoryPeakP90, 0.02) {
			t.Errorf("%s: P90 of the daily peaks = %.1fMi, designed %.1fMi", key, got/(1<<20), w.MemoryPeakP90/(1<<20))
		}
	}
}

func TestThrottlingRestartsAndPoolWaitsAreTheDesignedOnes(t *testing.T) {
	p := readPast(t)
	periods, _ := p.byContainer("container_cpu_cfs_periods_total", true)
	throttled, _ := p.byContainer("container_cpu_cfs_throttled_periods_total", true)
	restarts := p.increases("kube_pod_container_status_restarts_total")
	ooms := p.increases("container_oom_events_total")
	waits := p.increases("go_sql_wait_count_total")
	days := DefaultSpan.Hours() / 24
	for _, w := range Designed() {
		key := w.Scenario + "/" + w.Container
		var shares []weighted
		for i := range periods[key] {
			if periods[key][i].v == 0 {
				continue // restarted right at the sample: no period since
			}
			shares = append(shares, weighted{throttled[key][i].v / periods[key][i].v, 1})
		}
		if len(shares) == 0 {
			t.Fatalf("%s: no CFS periods", key)
		}
		if got := percentile(shares, 0.5); !near(got, w.ThrottledP50, 0.02) {
			t.Errorf("%s: throttled P50 = %.3f, designed %.3f", key, got, w.ThrottledP50)
		}
		if got := percentile(shares, 0.95); !near(got, w.ThrottledP95, 0.02) {
			t.Errorf("%s: throttled P95 = %.3f, designed %.3f", key, got, w.ThrottledP95)
		}
		if got := restarts[key] / days / replicas(w.Scenario); !near(got, w.RestartsPerDay, 0.05) {
			t.Errorf("%s: %.1f restarts a day, designed %.1f", key, got, w.RestartsPerDay)
		}
		wantOOM := 0.0
		if w.Reason == "OOMKilled" {
			wantOOM = w.RestartsPerDay
		}
		if got := ooms[key] / days / replicas(w.Scenario); !near(got, wantOOM, 0.05) {
			t.Errorf("%s: %.1f OOM events a day, designed %.1f", key, got, wantOOM)
		}
		if got := waits[key] / DefaultSpan.Seconds() / replicas(w.Scenario); !near(got, w.DBWaitsPerSecond, 0.05) {
			t.Errorf("%s: %.2f pool waits a second, designed %.2f", key, got, w.DBWaitsPerSecond)
		}
	}
}

func TestOldPodsAreNamedAndOwnedAsTheControllersNameThem(t *testing.T) {
	p := readPast(t)
	rsPod := regexp.MustCompile(`^([a-z]+)-([bcdfghjklmnpqrstvwxz2456789]{1,10})-([bcdfghjklmnpqrstvwxz2456789]{5})$`)
	stsPod := regexp.MustCompile(`^([a-z]+)-([0-9]+)$`)
	kinds := map[string]string{}
	for _, sc := range scenario.All() {
		kinds[sc.Name] = string(sc.Kind)
	}
	owners := p.series["kube_pod_owner"]
	if len(owners) == 0 {
		t.Fatal("no kube_pod_owner")
	}
	for labels := range owners {
		pod, kind, owner := label(labels, "pod"), label(labels, "owner_kind"), label(labels, "owner_name")
		if m := rsPod.FindStringSubmatch(pod); kinds[workloadOf(pod)] == "Deployment" {
			if m == nil || kind != "ReplicaSet" || owner != m[1]+"-"+m[2] {
				t.Errorf("pod %s: owned by %s %s, want a ReplicaSet <deployment>-<hash>", pod, kind, owner)
			}
		} else if m := stsPod.FindStringSubmatch(pod); m == nil || kind != "StatefulSet" || owner != m[1] {
			t.Errorf("pod %s: owned by %s %s, want StatefulSet %s", pod, kind, owner, workloadOf(pod))
		}
	}
	for labels := range p.series["kube_replicaset_owner"] {
		rs, owner := label(labels, "replicaset"), label(labels, "owner_name")
		if label(labels, "owner_kind") != "Deployment" || !strings.HasPrefix(rs, owner+"-") || kinds[owner] != "Deployment" {
			t.Errorf("ReplicaSet %s: owned by %s", rs, labels)
		}
	}
}

func TestHistoryEndsAtEndAndSpansEightDays(t *testing.T) {
	p := readPast(t)
	if want := end.Truncate(5 * time.Minute); p.maxT != want.Unix() {
		t.Errorf("last sample at %v, want %v", time.Unix(p.maxT, 0).UTC(), want)
	}
	first := p.maxT
	for _, ss := range p.series["container_cpu_usage_seconds_total"] {
		first = min(first, ss[0].t)
	}
	if span := time.Duration(p.maxT-first) * time.Second; span != DefaultSpan-5*time.Minute {
		t.Errorf("history spans %v, want %v at a 5m step", span, DefaultSpan)
	}
}

func TestTheNewestOldPodsBelongToTheClustersReplicaSet(t *testing.T) {
	p, err := generate(Options{End: end, Span: 2 * time.Hour, Rollout: time.Hour, Hashes: map[string]string{"catalog": "7d4b9c8f5d"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for labels := range p.series["kube_replicaset_owner"] {
		if label(labels, "owner_name") == "catalog" {
			got = append(got, label(labels, "replicaset"))
		}
	}
	slices.Sort(got)
	if len(got) != 2 || !slices.Contains(got, "catalog-7d4b9c8f5d") {
		t.Errorf("catalog's ReplicaSets %v: want an older one and catalog-7d4b9c8f5d", got)
	}
}

func TestTheContractShowsTheDesignedPast(t *testing.T) {
	doc, err := os.ReadFile("../../scripts/sandbox.d/PROMETHEUS.md")
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	WriteDesigned(&want)
	_, after, ok := strings.Cut(string(doc), "<!-- designed:")
	table, _, ok2 := strings.Cut(after, "<!-- end designed -->")
	if !ok || !ok2 {
		t.Fatal("PROMETHEUS.md has no designed table between its markers")
	}
	_, table, _ = strings.Cut(table, "\n")
	if table != want.String() {
		t.Errorf("scripts/sandbox.d/PROMETHEUS.md shows another designed past than the library's; paste in the output of `go run ./test/sandboxseed --designed`:\n%s", want.String())
	}
}

func TestKgotopsHistogramsRecoverTheDesignedPercentiles(t *testing.T) {
	p := readPast(t)
	_, decayed := p.byContainer("container_cpu_usage_seconds_total", true)
	peaks := p.dailyPeaks()
	for _, w := range Designed() {
		key := w.Scenario + "/" + w.Container
		cpu, mem := model.NewCPUHistogram(24*time.Hour), model.NewMemoryHistogram(24*time.Hour)
		for _, x := range decayed[key] {
			cpu.Add(x.v, x.w, end) // the decay weight is already in x.w
		}
		for _, x := range peaks[key] {
			mem.Add(x.v, 1, end)
		}
		if w.CPUP50 > 0 {
			for _, c := range []struct {
				p, want float64
			}{{0.5, w.CPUP50}, {0.9, w.CPUP90}, {0.95, w.CPUP95}} {
				if got := cpu.Percentile(c.p); !Recovered(got, c.want, model.NewCPUHistogram(time.Hour)) {
					t.Errorf("%s: CPU P%.0f from kgotop's histogram = %.4f, designed %.4f", key, 100*c.p, got, c.want)
				}
			}
		}
		if got := mem.Percentile(0.9); !Recovered(got, w.MemoryPeakP90, model.NewMemoryHistogram(time.Hour)) {
			t.Errorf("%s: memory peak P90 from kgotop's histogram = %.1fMi, designed %.1fMi", key, got/(1<<20), w.MemoryPeakP90/(1<<20))
		}
	}
}

func TestRecoveredAllowsOneBucketAndNoMore(t *testing.T) {
	empty := model.NewMemoryHistogram(time.Hour)
	h := empty.Clone()
	h.Add(120<<20, 1, end)
	end1 := h.Percentile(1) // the end of the bucket holding 120Mi
	for _, c := range []struct {
		got  float64
		want bool
	}{{120 << 20, true}, {end1, true}, {118 << 20, true}, {115 << 20, false}, {end1 * 1.2, false}} {
		if got := Recovered(c.got, 120<<20, empty); got != c.want {
			t.Errorf("Recovered(%.1fMi, 120Mi) = %v, want %v", c.got/(1<<20), got, c.want)
		}
	}
}
