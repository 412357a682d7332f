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

func change(name string, at time.Time) model.AppliedChange {
	return model.AppliedChange{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: name}, Way: model.ChangeResize, At: at,
		Template: true, Pods: []string{name + "-a"}, Restarts: map[string]int32{name + "-a": 2},
		Fields: []model.ChangedField{{Container: "app", Field: "resources.limits.memory", Before: "512Mi", After: "192Mi", Undo: &model.FieldUndo{Amount: 512 << 20}}}}
}

// Changes survive a save and a load whole, newest first; the file sits
// beside the history file.
func TestChangesRoundTrip(t *testing.T) {
	hist := Path(t.TempDir(), "https://127.0.0.1:6443", "sandbox", "shop")
	path := ChangesPath(hist)
	if filepath.Dir(path) != filepath.Dir(hist) || !strings.HasSuffix(path, "-shop.changes.json") {
		t.Fatalf("path %s beside %s", path, hist)
	}
	now := t0.Add(time.Hour)
	in := []model.AppliedChange{change("api", t0), change("web", t0.Add(time.Minute))}
	if err := DefaultChangeLimits.SaveChanges(path, in, now); err != nil {
		t.Fatal(err)
	}
	got, err := DefaultChangeLimits.LoadChanges(path, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := []model.AppliedChange{in[1], in[0]}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// The file is bounded in entries and age.
func TestChangesBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.changes.json")
	l := ChangeLimits{MaxEntries: 2, MaxAge: 24 * time.Hour, MaxFileBytes: 1 << 20}
	now := t0.Add(48 * time.Hour)
	in := []model.AppliedChange{change("old", t0), change("a", now.Add(-3*time.Hour)), change("b", now.Add(-2*time.Hour)), change("c", now.Add(-time.Hour))}
	if err := l.SaveChanges(path, in, now); err != nil {
		t.Fatal(err)
	}
	got, _ := l.LoadChanges(path, now)
	if len(got) != 2 || got[0].Ref.Name != "c" || got[1].Ref.Name != "b" {
		t.Errorf("kept %+v", got)
	}
	if got, _ := l.LoadChanges(path, now.Add(23*time.Hour)); len(got) != 1 || got[0].Ref.Name != "c" {
		t.Errorf("a day later %+v", got)
	}
}

// A missing file is a first run; a damaged or foreign one a warning and nothing.
func TestChangesBadFiles(t *testing.T) {
	dir := t.TempDir()
	if got, err := DefaultChangeLimits.LoadChanges(filepath.Join(dir, "none"), t0); got != nil || err != nil {
		t.Errorf("missing: %v %v", got, err)
	}
	for name, body := range map[string]string{"damaged": "{", "other version": `{"version":9}`} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		if got, err := DefaultChangeLimits.LoadChanges(p, t0); got != nil || err == nil || !strings.Contains(err.Error(), "applied changes not loaded") {
			t.Errorf("%s: %v %v", name, got, err)
		}
	}
}
