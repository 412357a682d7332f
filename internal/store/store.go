// Package store keeps the usage history of every workload container between
// runs of kgotop, so that advice rests on days rather than on the minutes
// of one session, and beside it the changes kgotop applied (changes.go),
// so that their follow-up outlives the run that made them. It writes
// versioned JSON files per cluster and namespace under the user's cache
// folder, bounded in entries and age, replaced atomically. A missing, damaged, foreign or other-version file
// is never fatal: Load returns what it could read and a warning.
package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Version is the file format version. Load ignores files of any other.
const Version = 1

// Key identifies one container of one workload.
type Key struct {
	Namespace string     `json:"namespace"`
	Kind      model.Kind `json:"kind"`
	Name      string     `json:"name"`
	Container string     `json:"container"`
}

// KeyOf returns the key of a workload's container.
func KeyOf(ref model.WorkloadRef, container string) Key {
	return Key{Namespace: ref.Namespace, Kind: ref.Kind, Name: ref.Name, Container: container}
}

// Limits bound what a history file holds and what Load reads.
type Limits struct {
	// MaxEntries is how many containers a file keeps: the most recently seen.
	MaxEntries int
	// MaxAge drops containers not seen for longer (their workload is gone).
	MaxAge time.Duration
	// MaxFileBytes is the largest file Load reads.
	MaxFileBytes int64
}

// SavedPoints is how many one-minute points of a ring are saved: two hours.
const SavedPoints = 120

// thin keeps the newest n minutes of points, one point a minute holding the
// minute's largest CPU and memory.
func thin(pts []model.Point, n int) []model.Point {
	var out []model.Point
	for _, p := range pts {
		m := p.Unix - p.Unix%60
		if k := len(out) - 1; k >= 0 && out[k].Unix == m {
			out[k].CPU, out[k].Memory = max(out[k].CPU, p.CPU), max(out[k].Memory, p.Memory)
			continue
		}
		out = append(out, model.Point{Unix: m, CPU: p.CPU, Memory: p.Memory})
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

// DefaultLimits keep 2000 containers seen in the last 14 days, in at most 64 MiB.
var DefaultLimits = Limits{MaxEntries: 2000, MaxAge: 14 * 24 * time.Hour, MaxFileBytes: 64 << 20}

// file is the on-disk form.
type file struct {
	Version int       `json:"version"`
	Saved   time.Time `json:"saved"`
	Entries []entry   `json:"entries"`
}

type entry struct {
	Key     Key                `json:"key"`
	History model.HistoryState `json:"history"`
}

// Path returns the history file for a cluster (API server URL and
// kubeconfig context) and namespace ("" for all namespaces) under cacheDir:
// cacheDir/kgotop/history/<hash of server and context>-<namespace>.json.
func Path(cacheDir, server, context, namespace string) string {
	sum := sha256.Sum256([]byte(server + "\n" + context))
	ns := namespace
	switch {
	case ns == "":
		ns = "all-namespaces"
	case !dnsLabel.MatchString(ns):
		s := sha256.Sum256([]byte(ns))
		ns = "ns-" + hex.EncodeToString(s[:6])
	}
	return filepath.Join(cacheDir, "kgotop", "history", hex.EncodeToString(sum[:8])+"-"+ns+".json")
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// DefaultPath is Path under os.UserCacheDir.
func DefaultPath(server, context, namespace string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder for history: %w", err)
	}
	return Path(dir, server, context, namespace), nil
}

// Load reads the histories saved at path with DefaultLimits.
func Load(path string) (map[Key]*model.History, error) {
	return DefaultLimits.Load(path, time.Now())
}

// Save writes the histories to path with DefaultLimits.
func Save(path string, hs map[Key]*model.History) error {
	return DefaultLimits.Save(path, hs, time.Now())
}

// Load reads the histories saved at path, dropping those not seen within
// MaxAge of now. The map it returns is always usable (empty when nothing
// could be read); the error is a warning saying what was ignored and why. A
// missing file is no warning: it is the first run.
func (l Limits) Load(path string, now time.Time) (map[Key]*model.History, error) {
	out := map[Key]*model.History{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("history not loaded: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, l.MaxFileBytes+1))
	if err != nil {
		return out, fmt.Errorf("history not loaded: read %s: %w", path, err)
	}
	if int64(len(b)) > l.MaxFileBytes {
		return out, fmt.Errorf("history not loaded: %s is larger than %d bytes", path, l.MaxFileBytes)
	}
	var fl file
	if err := json.Unmarshal(b, &fl); err != nil {
		return out, fmt.Errorf("history not loaded: %s is damaged: %w", path, err)
	}
	if fl.Version != Version {
		if fl.Version == 0 {
			return out, fmt.Errorf("history not loaded: %s is not a kgotop history file", path)
		}
		return out, fmt.Errorf("history not loaded: %s has format version %d, this kgotop reads %d", path, fl.Version, Version)
	}
	var bad []error
	for _, e := range fl.Entries {
		if e.Key.Container == "" || e.Key.Name == "" {
			bad = append(bad, fmt.Errorf("an entry without a workload or container name"))
			continue
		}
		if l.MaxAge > 0 && now.Sub(e.History.Last) > l.MaxAge {
			continue
		}
		h, err := model.HistoryFromState(e.History)
		if err != nil {
			bad = append(bad, fmt.Errorf("%s/%s/%s/%s: %w", e.Key.Namespace, e.Key.Kind, e.Key.Name, e.Key.Container, err))
			continue
		}
		out[e.Key] = h
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("history: %d damaged entries of %s ignored: %w", len(bad), path, errors.Join(bad...))
	}
	return out, nil
}

// Save writes the histories to path, keeping the MaxEntries most recently
// seen that are not older than MaxAge, with their point rings thinned to
// SavedPoints of a minute each (the newest, each the minute's largest
// value: enough for the sparklines and the memory-growth advice to carry
// over, at a quarter of the size). It replaces the file atomically: a
// temporary file in the same folder, synced, then renamed over it. Nil and
// empty histories are skipped.
func (l Limits) Save(path string, hs map[Key]*model.History, now time.Time) error {
	fl := file{Version: Version, Saved: now.UTC()}
	for k, h := range hs {
		if h == nil || h.Samples == 0 || l.MaxAge > 0 && now.Sub(h.Last) > l.MaxAge {
			continue
		}
		s := h.State()
		s.Points = thin(s.Points, SavedPoints)
		fl.Entries = append(fl.Entries, entry{Key: k, History: s})
	}
	sort.Slice(fl.Entries, func(i, j int) bool {
		a, b := fl.Entries[i], fl.Entries[j]
		if !a.History.Last.Equal(b.History.Last) {
			return a.History.Last.After(b.History.Last)
		}
		return keyLess(a.Key, b.Key)
	})
	if l.MaxEntries > 0 && len(fl.Entries) > l.MaxEntries {
		fl.Entries = fl.Entries[:l.MaxEntries]
	}
	b, err := json.Marshal(fl)
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	return writeAtomic(path, b)
}

func keyLess(a, b Key) bool {
	if a.Namespace != b.Namespace {
		return a.Namespace < b.Namespace
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Container < b.Container
}

// writeAtomic replaces path with b so that readers see the old file or the
// new one, never a part.
func writeAtomic(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save history: %w", err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save history: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return fmt.Errorf("save history: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("save history: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("save history: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save history: %w", err)
	}
	return nil
}

// Merge returns the histories of saved overlaid with those of current:
// what a run saw replaces what was saved, and what it did not see (a
// workload outside its label selector) is kept until it ages out.
func Merge(saved, current map[Key]*model.History) map[Key]*model.History {
	out := make(map[Key]*model.History, len(saved)+len(current))
	for k, h := range saved {
		out[k] = h
	}
	for k, h := range current {
		if h != nil {
			out[k] = h
		}
	}
	return out
}
