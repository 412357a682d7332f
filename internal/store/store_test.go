package store

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// history returns a history sampled every minute for span, ending at end.
func history(end time.Time, span time.Duration, cpu, mem int64) *model.History {
	h := model.NewHistory(model.DefaultHistoryConfig)
	for at := end.Add(-span); !at.After(end); at = at.Add(time.Minute) {
		h.Add("pod-a", model.Sample{Time: at, CPU: cpu, Memory: mem}, 100)
		h.Add("pod-b", model.Sample{Time: at, CPU: cpu / 2, Memory: mem / 2}, 100)
		h.AddPoint(model.Point{Unix: at.Unix(), CPU: cpu, Memory: mem})
	}
	return h
}

func key(name string) Key {
	return Key{Namespace: "shop", Kind: model.KindDeployment, Name: name, Container: "app"}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "h.json")
	now := t0.Add(50 * time.Hour)
	hs := map[Key]*model.History{
		key("api"):    history(now, 50*time.Hour, 200, 300<<20),
		key("worker"): history(now.Add(-time.Hour), 2*time.Hour, 50, 100<<20),
		key("empty"):  model.NewHistory(model.DefaultHistoryConfig),
		key("nil"):    nil,
	}
	if err := DefaultLimits.Save(path, hs, now); err != nil {
		t.Fatal(err)
	}
	got, warn := DefaultLimits.Load(path, now)
	if warn != nil {
		t.Fatal(warn)
	}
	if len(got) != 2 {
		t.Fatalf("loaded %d entries, want 2 (empty and nil ones are not saved)", len(got))
	}
	for _, k := range []Key{key("api"), key("worker")} {
		want := hs[k].State()
		want.Points = thin(want.Points, SavedPoints) // the ring is kept a point a minute
		g := got[k].State()
		if !reflect.DeepEqual(g, want) {
			t.Errorf("%s differs after a round trip:\n got %+v\nwant %+v", k.Name, g, want)
		}
		// What the advisor reads is the same.
		if got[k].CPU.Percentile(0.9) != hs[k].CPU.Percentile(0.9) || got[k].MemoryPeaks().Percentile(0.9) != hs[k].MemoryPeaks().Percentile(0.9) {
			t.Errorf("%s percentiles differ", k.Name)
		}
	}
	// The restored history keeps growing.
	got[key("api")].Add("pod-a", model.Sample{Time: now.Add(time.Minute), CPU: 1, Memory: 1}, 100)
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, %v; want 0600", info.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestMissingFileIsAFirstRun(t *testing.T) {
	got, warn := Load(filepath.Join(t.TempDir(), "none.json"))
	if warn != nil || got == nil || len(got) != 0 {
		t.Fatalf("got %v, %v", got, warn)
	}
}

func TestBadFilesWarnAndYieldNothing(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := DefaultLimits.Save(good, map[Key]*model.History{key("api"): history(t0, time.Hour, 100, 1<<20)}, t0); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(good)
	cases := map[string]struct {
		data []byte
		warn string
	}{
		"corrupt":       {[]byte("\x00\xffnot json"), "damaged"},
		"truncated":     {b[:len(b)/2], "damaged"},
		"empty":         {nil, "damaged"},
		"wrong version": {[]byte(strings.Replace(string(b), `"version":1`, `"version":99`, 1)), "version 99"},
		"foreign json":  {[]byte(`{"apiVersion":"v1","kind":"Config"}`), "not a kgotop history file"},
		"a json array":  {[]byte(`[1,2,3]`), "damaged"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
			if err := os.WriteFile(p, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			got, warn := DefaultLimits.Load(p, t0)
			if warn == nil || !strings.Contains(warn.Error(), tc.warn) {
				t.Fatalf("warning %v, want one containing %q", warn, tc.warn)
			}
			if got == nil || len(got) != 0 {
				t.Fatalf("loaded %d entries from a bad file", len(got))
			}
		})
	}
}

func TestDamagedEntriesAreSkipped(t *testing.T) {
	p := filepath.Join(t.TempDir(), "h.json")
	hs := map[Key]*model.History{key("api"): history(t0, time.Hour, 100, 1<<20), key("web"): history(t0, time.Hour, 100, 1<<20)}
	if err := DefaultLimits.Save(p, hs, t0); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	// Break one histogram layout: a foreign bucket ratio.
	s := strings.Replace(string(b), `"Ratio":1.05`, `"Ratio":2`, 1)
	s = strings.Replace(s, `"container":"app"`, `"container":""`, 1)
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	got, warn := DefaultLimits.Load(p, t0)
	if warn == nil || !strings.Contains(warn.Error(), "damaged entries") {
		t.Fatalf("warning %v", warn)
	}
	if len(got) > 1 {
		t.Fatalf("kept %d entries, want at most the undamaged one", len(got))
	}
}

func TestSizeBounds(t *testing.T) {
	p := filepath.Join(t.TempDir(), "h.json")
	now := t0.Add(30 * 24 * time.Hour)
	hs := map[Key]*model.History{}
	for i := range 50 {
		// Entry i was last seen i hours ago.
		hs[key("w"+string(rune('A'+i)))] = history(now.Add(-time.Duration(i)*time.Hour), 10*time.Minute, 10, 1<<20)
	}
	hs[key("gone")] = history(now.Add(-20*24*time.Hour), 10*time.Minute, 10, 1<<20)
	l := Limits{MaxEntries: 10, MaxAge: 14 * 24 * time.Hour, MaxFileBytes: 1 << 20}
	if err := l.Save(p, hs, now); err != nil {
		t.Fatal(err)
	}
	got, warn := l.Load(p, now)
	if warn != nil || len(got) != 10 {
		t.Fatalf("loaded %d entries (%v), want the 10 newest", len(got), warn)
	}
	for i := range 10 {
		if got[key("w"+string(rune('A'+i)))] == nil {
			t.Errorf("newest entry %d dropped", i)
		}
	}
	// Entries age out on load too.
	later, _ := l.Load(p, now.Add(14*24*time.Hour-3*time.Hour-30*time.Minute))
	if len(later) != 4 {
		t.Errorf("after two weeks %d entries remain, want the 4 seen within 14 days", len(later))
	}
	// A file over the byte limit is not read.
	small := Limits{MaxEntries: 10, MaxAge: time.Hour * 24 * 14, MaxFileBytes: 100}
	if got, warn := small.Load(p, now); warn == nil || len(got) != 0 {
		t.Errorf("read an oversized file: %d entries, %v", len(got), warn)
	}
	if info, _ := os.Stat(p); info.Size() > 64<<10 {
		t.Errorf("10 entries take %d bytes", info.Size())
	}
}

func TestPath(t *testing.T) {
	a := Path("/cache", "https://10.0.0.1:6443", "prod", "shop")
	if !strings.HasPrefix(a, filepath.Join("/cache", "kgotop", "history")+string(filepath.Separator)) || !strings.HasSuffix(a, "-shop.json") {
		t.Fatalf("path %s", a)
	}
	if a != Path("/cache", "https://10.0.0.1:6443", "prod", "shop") {
		t.Fatal("path is not stable")
	}
	for _, other := range []string{
		Path("/cache", "https://10.0.0.2:6443", "prod", "shop"),
		Path("/cache", "https://10.0.0.1:6443", "staging", "shop"),
		Path("/cache", "https://10.0.0.1:6443", "prod", "web"),
		Path("/cache", "https://10.0.0.1:6443", "prod", ""),
	} {
		if other == a {
			t.Errorf("%s collides", other)
		}
	}
	if p := Path("/cache", "s", "c", "../../etc"); filepath.Dir(p) != filepath.Join("/cache", "kgotop", "history") {
		t.Errorf("namespace escapes the folder: %s", p)
	}
	if p := Path("/cache", "s", "c", ""); !strings.HasSuffix(p, "-all-namespaces.json") {
		t.Errorf("all namespaces: %s", p)
	}
}

func TestSaveFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// The history folder cannot be made under a regular file.
	if err := Save(filepath.Join(blocker, "h.json"), map[Key]*model.History{key("api"): history(time.Now(), time.Hour, 1, 1)}); err == nil {
		t.Fatal("saved under a file")
	}
}

func TestMerge(t *testing.T) {
	old, cur := history(t0, time.Hour, 1, 1), history(t0.Add(time.Hour), time.Hour, 2, 2)
	got := Merge(map[Key]*model.History{key("api"): old, key("web"): old}, map[Key]*model.History{key("api"): cur, key("nil"): nil})
	if len(got) != 2 || got[key("api")] != cur || got[key("web")] != old {
		t.Fatalf("merge %v", got)
	}
}

func TestThinKeepsTheNewestMinutesAndTheirPeaks(t *testing.T) {
	var pts []model.Point
	for i := range 4 * 200 { // 200 minutes at 15 s
		pts = append(pts, model.Point{Unix: 1_700_000_040 + int64(i)*15, CPU: int64(i % 4), Memory: int64(i)})
	}
	got := thin(pts, SavedPoints)
	if len(got) != SavedPoints || got[len(got)-1].Unix%60 != 0 {
		t.Fatalf("%d points, last at %d", len(got), got[len(got)-1].Unix)
	}
	last := got[len(got)-1]
	if last.Memory != pts[len(pts)-1].Memory || last.CPU != 3 {
		t.Errorf("the last minute %+v does not hold its largest values", last)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Unix-got[i-1].Unix != 60 {
			t.Fatalf("points %d and %d are not a minute apart", i-1, i)
		}
	}
}
