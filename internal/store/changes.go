package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// The changes kgotop applied (rollouts and in-place resizes) are kept
// beside the usage history of the same cluster and namespace, so that the
// follow-up of a change survives restarts of kgotop: a small file, written
// whenever a change is applied.

// ChangesVersion is the format version of a changes file.
const ChangesVersion = 1

// ChangeLimits bound what a changes file holds.
type ChangeLimits struct {
	// MaxEntries is how many changes a file keeps: the newest.
	MaxEntries int
	// MaxAge drops changes older than this.
	MaxAge time.Duration
	// MaxFileBytes is the largest file LoadChanges reads.
	MaxFileBytes int64
}

// DefaultChangeLimits keep the newest 200 changes of the last 30 days, in at most 4 MiB.
var DefaultChangeLimits = ChangeLimits{MaxEntries: 200, MaxAge: 30 * 24 * time.Hour, MaxFileBytes: 4 << 20}

type changesFile struct {
	Version int                   `json:"version"`
	Saved   time.Time             `json:"saved"`
	Changes []model.AppliedChange `json:"changes"`
}

// ChangesPath returns the changes file that goes with a history file (see
// Path): the same name, ending in .changes.json.
func ChangesPath(historyPath string) string {
	return strings.TrimSuffix(historyPath, ".json") + ".changes.json"
}

// LoadChanges reads the changes saved at path, newest first, dropping those
// older than MaxAge. A missing file is no warning; a damaged one yields
// nothing and a warning.
func (l ChangeLimits) LoadChanges(path string, now time.Time) ([]model.AppliedChange, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("applied changes not loaded: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, l.MaxFileBytes+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("applied changes not loaded: read %s: %w", path, err)
	case int64(len(b)) > l.MaxFileBytes:
		return nil, fmt.Errorf("applied changes not loaded: %s is larger than %d bytes", path, l.MaxFileBytes)
	}
	var cf changesFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("applied changes not loaded: %s is damaged: %w", path, err)
	}
	if cf.Version != ChangesVersion {
		return nil, fmt.Errorf("applied changes not loaded: %s has format version %d, this kgotop reads %d", path, cf.Version, ChangesVersion)
	}
	return l.bound(cf.Changes, now), nil
}

// SaveChanges replaces the file at path with the changes, bounded.
func (l ChangeLimits) SaveChanges(path string, changes []model.AppliedChange, now time.Time) error {
	b, err := json.Marshal(changesFile{Version: ChangesVersion, Saved: now.UTC(), Changes: l.bound(changes, now)})
	if err != nil {
		return fmt.Errorf("encode applied changes: %w", err)
	}
	return writeAtomic(path, b)
}

// bound returns the newest MaxEntries changes not older than MaxAge, newest first.
func (l ChangeLimits) bound(changes []model.AppliedChange, now time.Time) []model.AppliedChange {
	out := slices.DeleteFunc(slices.Clone(changes), func(c model.AppliedChange) bool {
		return c.Ref.Name == "" || l.MaxAge > 0 && now.Sub(c.At) > l.MaxAge
	})
	slices.SortStableFunc(out, func(a, b model.AppliedChange) int { return b.At.Compare(a.At) })
	if l.MaxEntries > 0 && len(out) > l.MaxEntries {
		out = out[:l.MaxEntries]
	}
	return out
}
