package collect

import (
	"encoding/binary"
	"hash/maphash"
	"sync"

	"github.com/kgotop/kgotop/internal/model"
)

// memoEntry is a workload as the last snapshot built it, with its Rev.
type memoEntry struct {
	rev  uint64
	w    model.Workload
	pass uint64 // the last snapshot that had the workload
}

// memo keeps the workloads the last snapshot built, so that the next one
// builds only those whose Rev changed: between two metrics windows that is
// nearly every workload. Snapshots are read-only, so they may share a
// model.Workload. Its lock is held for a whole snapshot, and it is the only
// lock held while another part's is taken.
type memo struct {
	seed maphash.Seed

	mu      sync.Mutex
	entries map[model.WorkloadRef]*memoEntry
	pass    uint64
}

func newMemo() *memo {
	return &memo{seed: maphash.MakeSeed(), entries: map[model.WorkloadRef]*memoEntry{}}
}

// generations are one workload's generations in each part of the
// collector; its Rev is made of them.
type generations struct {
	watch, usage, scrape, patch uint64
}

// rev hashes a workload's generations into its Rev; a watcher generation of
// 0 (unknown) makes the Rev 0, which is never kept.
func (m *memo) rev(g generations) uint64 {
	if g.watch == 0 {
		return 0
	}
	var b [32]byte
	binary.LittleEndian.PutUint64(b[0:], g.watch)
	binary.LittleEndian.PutUint64(b[8:], g.usage)
	binary.LittleEndian.PutUint64(b[16:], g.scrape)
	binary.LittleEndian.PutUint64(b[24:], g.patch)
	return maphash.Bytes(m.seed, b[:]) | 1 // 0 means unknown
}

// build returns every workload gathered in b, each with its Rev: a workload
// whose Rev is the one it had in the last snapshot is the same
// model.Workload; the others are made by construct. gens returns a
// workload's generations in the parts other than the watcher; they are read
// before construct reads the parts, so that a change racing a build makes
// the next snapshot build again rather than keep what it missed.
func (m *memo) build(b *builder, gens func(model.WorkloadRef) generations,
	construct func(model.WorkloadRef, *workloadBuild) model.Workload) []model.Workload {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pass++
	out := make([]model.Workload, 0, len(b.byRef))
	for ref, wb := range b.byRef {
		g := gens(ref)
		g.watch = wb.version(m.seed)
		rev := m.rev(g)
		if e := m.entries[ref]; e != nil && rev != 0 && e.rev == rev {
			e.pass = m.pass
			out = append(out, e.w)
			continue
		}
		w := construct(ref, wb)
		w.Rev = rev
		if rev != 0 {
			m.entries[ref] = &memoEntry{rev: rev, w: w, pass: m.pass}
		}
		out = append(out, w)
	}
	for ref, e := range m.entries {
		if e.pass != m.pass {
			delete(m.entries, ref)
		}
	}
	return out
}

// forget drops every kept workload: the next snapshot builds all of them.
func (m *memo) forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.entries)
}
