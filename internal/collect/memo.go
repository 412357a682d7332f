package collect

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kgotop/kgotop/internal/model"
)

// memoEntry is a workload as the last snapshot built it, with its Rev.
type memoEntry struct {
	rev  uint64
	w    model.Workload
	pass uint64 // the last snapshot that had the workload
}

// buildAll returns every workload gathered in b, each with its events and
// Rev. A workload whose Rev is the one it had in the last snapshot is not
// built again: the snapshot gets the same model.Workload (snapshots are
// read-only, so they may share it). Between two metrics windows that is
// nearly every workload. c.mu must be held.
func (c *Collector) buildAll(b *builder, events map[model.WorkloadRef][]*corev1.Event) []model.Workload {
	c.memoPass++
	out := make([]model.Workload, 0, len(b.byRef))
	for ref, wb := range b.byRef {
		slices.SortFunc(wb.pods, func(a, b *corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
		evs := events[ref]
		rev := c.rev(ref, wb, evs)
		if e := c.memo[ref]; e != nil && rev != 0 && e.rev == rev {
			e.pass = c.memoPass
			out = append(out, e.w)
			continue
		}
		w := c.buildWorkload(ref, wb)
		fileEvents(&w, evs)
		w.Rev = rev
		if rev != 0 {
			c.memo[ref] = &memoEntry{rev: rev, w: w, pass: c.memoPass}
		}
		out = append(out, w)
	}
	for ref, e := range c.memo {
		if e.pass != c.memoPass {
			delete(c.memo, ref)
		}
	}
	return out
}

// rev hashes what a workload is built from, for model.Workload.Rev: the
// resource versions of its controller, HPA, pods and events, each pod's
// newest metrics sample, when each container's history was published, and
// the Go runtime pages read from its pods, with whether each is still shown
// (pages expire with time alone). Whatever buildWorkload, attachGo and
// fileEvents read must be here. An object without a resource version (a
// fake clientset's, as in the demo) makes the Rev 0: unknown, never kept.
// wb.pods must be sorted; c.mu must be held.
func (c *Collector) rev(ref model.WorkloadRef, wb *workloadBuild, evs []*corev1.Event) uint64 {
	if wb.hasDesired && wb.ctrlRV == "" || wb.hpa != nil && wb.hpaRV == "" {
		return 0
	}
	var h maphash.Hash
	h.SetSeed(c.revSeed)
	str := func(s string) {
		h.WriteString(s)
		h.WriteByte(0)
	}
	num := func(n int64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(n))
		h.Write(b[:])
	}
	str(wb.ctrlRV)
	str(wb.hpaRV)
	var key []byte
	for _, p := range wb.pods {
		if p.ResourceVersion == "" {
			return 0
		}
		str(p.Name)
		str(p.ResourceVersion)
		key = append(append(append(key[:0], p.Namespace...), '/'), p.Name...)
		var last int64
		if seen := c.usage.pods[string(key)]; seen != nil {
			last = seen.last.UnixNano()
		}
		num(last)
	}
	s := c.scrapes
	now := c.opts.Now()
	if s.forbidden != nil {
		num(1)
	}
	for _, ct := range templateOf(wb) {
		str(ct.Name)
		num(int64(c.usage.pubGen[histKey{ref, ct.Name}]))
		if s.pages == nil {
			continue
		}
		for _, p := range wb.pods {
			r := s.results[scrapeKey{ref.Namespace, p.Name, ct.Name}]
			if r == nil {
				continue
			}
			str(p.Name)
			num(r.at.UnixNano())
			str(r.err)
			if r.runtime != nil {
				num(r.runtime.Scraped.UnixNano())
				if now.Sub(r.runtime.Scraped) <= s.keep {
					num(1)
				}
			}
		}
	}
	var sum uint64 // added, so that the order events come in does not matter
	for _, e := range evs {
		if e.ResourceVersion == "" {
			return 0
		}
		sum += maphash.String(c.revSeed, string(e.UID)+"/"+e.ResourceVersion)
	}
	num(int64(sum))
	return h.Sum64() | 1 // 0 means unknown
}
