package ui

import (
	"reflect"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// versionedFixture is the fixture with a Rev on every workload, as a collector gives them.
func versionedFixture() model.Snapshot {
	s := fixture()
	for i := range s.Workloads {
		s.Workloads[i].Rev = uint64(100 + i)
	}
	return s
}

// TestRowCacheBuildsWhatAFreshBuildWould walks snapshots that change the way
// a collector's do (a changed workload gets a new Rev, time passes) and
// checks that the cached rows are those a build without a cache makes.
func TestRowCacheBuildsWhatAFreshBuildWould(t *testing.T) {
	c := newRowCache()
	s := versionedFixture()
	check := func(what string) []workloadRow {
		t.Helper()
		got, gotCounts := c.buildRows(s, advisor.Options{})
		want, wantCounts := (*rowCache)(nil).buildRows(s, advisor.Options{})
		if !reflect.DeepEqual(got, want) || gotCounts != wantCounts {
			t.Errorf("%s: the cached rows differ from a fresh build", what)
		}
		if all := countAdvice(advisor.Advise(s, advisor.Options{})); gotCounts != all {
			t.Errorf("%s: counts %+v, advisor.Advise counts %+v", what, gotCounts, all)
		}
		return got
	}
	first := check("first")
	second := check("unchanged")
	for i := range second {
		if len(second[i].advice) > 0 && &second[i].advice[0] != &first[i].advice[0] {
			t.Errorf("%s was advised again though its Rev did not change", second[i].ref)
		}
	}

	w := &s.Workloads[2]
	w.Ready, w.Rev = 0, w.Rev+1000
	third := check("one workload changed")
	if len(third[2].advice) > 0 && &third[2].advice[0] == &second[2].advice[0] {
		t.Errorf("%s kept its advice though its Rev changed", third[2].ref)
	}

	// A crash loop between back-offs: Running two seconds after a short run
	// failed. Its advice changes once the run lasts past the crash window,
	// with no new Rev.
	w = &s.Workloads[3]
	in := &w.Containers[0].Instances[0]
	in.RestartCount, in.StartedAt, w.Rev = 9, s.Taken.Add(-2*time.Second), w.Rev+1000
	in.LastTermination = &model.Termination{Reason: "Error", ExitCode: 1, StartedAt: s.Taken.Add(-time.Minute), FinishedAt: s.Taken.Add(-50 * time.Second)}
	check("a crash loop between back-offs")

	s.Taken = s.Taken.Add(10 * time.Minute) // restart ages move on, the brief run is not brief
	check("ten minutes later")
	s.Taken = s.Taken.Add(3 * time.Hour) // and the histories grow stale
	check("three hours later")

	s.Namespace = "" // -A: names carry their namespace
	check("all namespaces")

	s.Workloads = s.Workloads[1:]
	if check("one workload gone"); len(c.rows) != len(s.Workloads) {
		t.Errorf("the cache keeps %d rows for %d workloads", len(c.rows), len(s.Workloads))
	}
}

func TestRowCacheKeepsNothingWithoutARev(t *testing.T) {
	c := newRowCache()
	s := fixture() // Rev 0: hand-built
	first, _ := c.buildRows(s, advisor.Options{})
	second, _ := c.buildRows(s, advisor.Options{})
	if len(c.rows) != 0 {
		t.Errorf("cached %d rows of workloads without a Rev", len(c.rows))
	}
	for i := range second {
		if len(second[i].advice) > 0 && &second[i].advice[0] == &first[i].advice[0] {
			t.Errorf("%s kept its advice without a Rev", second[i].ref)
		}
	}
}
