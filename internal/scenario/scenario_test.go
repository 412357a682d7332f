package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestUsageWave(t *testing.T) {
	u := Usage{Base: 100, Swing: 60}
	for age, want := range map[time.Duration]int64{0: 100, 30 * time.Second: 130, 60 * time.Second: 160, 90 * time.Second: 130, 120 * time.Second: 100, 150 * time.Second: 130} {
		if got := u.At(age); got != want {
			t.Errorf("At(%v) = %d, want %d", age, got, want)
		}
	}
}

func TestLibraryIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range All() {
		if seen[s.Name] || s.Story == "" || s.Replicas < 1 || len(s.Containers) == 0 {
			t.Errorf("scenario %q: duplicate, no story, no replicas or no containers", s.Name)
		}
		seen[s.Name] = true
		for _, c := range s.Containers {
			if c.Limits.Memory > 0 && c.Memory.Base+c.Memory.Swing >= c.Limits.Memory && c.CreepPerHour == 0 {
				t.Errorf("%s/%s uses more than its memory limit without being the OOM story", s.Name, c.Name)
			}
		}
		for _, k := range append(s.NeedsRuntime, s.NeedsWatching...) {
			if !strings.Contains(strings.Join(s.Expect, " "), k) {
				t.Errorf("%s: NeedsRuntime or NeedsWatching %s is not among Expect", s.Name, k)
			}
		}
		deploy, sts := s.Controller()
		if (deploy == nil) == (sts == nil) {
			t.Errorf("%s: want exactly one controller", s.Name)
		}
	}
}

func TestRuntimePageParses(t *testing.T) {
	for _, s := range All() {
		rt := s.Containers[0].Runtime
		if rt == nil {
			continue
		}
		page := rt.Page(90*time.Minute, 300<<20)
		parser := expfmt.NewTextParser(model.UTF8Validation)
		families, err := parser.TextToMetricFamilies(strings.NewReader(page))
		if err != nil {
			t.Fatalf("%s: page does not parse: %v\n%s", s.Name, err, page)
		}
		info := families["go_info"]
		if info == nil || info.Metric[0].Label[0].GetValue() != rt.Version {
			t.Errorf("%s: go_info = %v", s.Name, info)
		}
		if rt.DB != nil && families["go_sql_wait_count_total"].Metric[0].Counter.GetValue() != float64(rt.DB.WaitPerMinute*90) {
			t.Errorf("%s: wait count after 90m = %v", s.Name, families["go_sql_wait_count_total"])
		}
	}
}
