package advisor

import (
	"cmp"
	"slices"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Options tune the advisor. The zero value is usable: every zero field takes
// the default DefaultOptions gives it.
type Options struct {
	// Now is the time advice is made at; zero means the snapshot's time.
	Now time.Time
	// SafetyMargin is added on top of percentiles (VPA: 0.15).
	SafetyMargin float64
	// MinSpan and MinSamples are the least history a right-size is shown
	// on; with less, the advisor says "watch longer" and sizes nothing (a
	// container with no requests at all excepted: it gets them at once).
	MinSpan    time.Duration
	MinSamples int64
	// SizingMin and SizingMinSamples are the least history a right-size
	// goes into a patch on (krr: 3h and 100 samples). Below it the advice
	// shows what it would be, with its confidence, and is Held: Patchable
	// leaves it out unless PatchLowConfidence is set. Emergencies (an
	// OOMKill, a CPU limit usage sits at, a Go heap near GOMEMLIMIT) need
	// no minimum.
	SizingMin          time.Duration
	SizingMinSamples   int64
	PatchLowConfidence bool
	// MemoryQoS is how memory requests and limits move together (default:
	// Burstable, a Guaranteed container staying Guaranteed); CPULimits what
	// advice does with a CPU limit usage presses on (default: keep it and
	// raise it by a real step).
	MemoryQoS MemoryQoS
	CPULimits CPULimits
	// Noise is the relative difference below which a new request or limit is
	// not worth a restart (0.15 = 15%).
	Noise float64
	// AdviseHPAResources puts a patchable change on the request of a resource
	// an HPA scales on; without it that advice only informs (krr's caution).
	AdviseHPAResources bool
	// AssumeGo applies the Go runtime rules to containers whose Go detection
	// is unknown.
	AssumeGo bool
	// DBMaxConnections is the database's connection limit (0 when unknown),
	// against which pool sizes across all replicas are checked.
	DBMaxConnections int64
	// CPUFloor (millicores) and MemoryFloor (bytes) are the least request
	// advice sizes to (krr: 10m and 100Mi); a current request that already
	// covers the usage is never raised to them.
	CPUFloor    int64
	MemoryFloor int64
}

// DefaultOptions returns the defaults: a 15% safety margin and noise
// threshold, sizing shown after 10 minutes and 10 samples and patched after
// 3 hours and 100 samples, memory Burstable (a Guaranteed container kept
// Guaranteed), CPU limits kept, requests at least 10m CPU and 100Mi memory.
func DefaultOptions() Options {
	return Options{SafetyMargin: 0.15, MinSpan: 10 * time.Minute, MinSamples: 10, Noise: 0.15,
		SizingMin: defaultSizingMin, SizingMinSamples: defaultSizingMinSamples, MemoryQoS: MemoryAuto, CPULimits: CPULimitsKeep,
		CPUFloor: minCPU, MemoryFloor: minMemory}
}

func (o Options) withDefaults(now time.Time) Options {
	d := DefaultOptions()
	if o.Now.IsZero() {
		o.Now = now
	}
	if o.SafetyMargin <= 0 {
		o.SafetyMargin = d.SafetyMargin
	}
	if o.MinSpan <= 0 {
		o.MinSpan = d.MinSpan
	}
	if o.MinSamples <= 0 {
		o.MinSamples = d.MinSamples
	}
	if o.Noise <= 0 {
		o.Noise = d.Noise
	}
	if o.SizingMin <= 0 {
		o.SizingMin = d.SizingMin
	}
	if o.SizingMinSamples <= 0 {
		o.SizingMinSamples = d.SizingMinSamples
	}
	if o.CPULimits == "" {
		o.CPULimits = d.CPULimits
	}
	if o.MemoryQoS == "" {
		o.MemoryQoS = d.MemoryQoS
	}
	if o.CPUFloor <= 0 {
		o.CPUFloor = d.CPUFloor
	}
	if o.MemoryFloor <= 0 {
		o.MemoryFloor = d.MemoryFloor
	}
	return o
}

// Advise returns the advice for every workload of the snapshot, in
// workload order and, within a workload, by container then severity.
func Advise(s model.Snapshot, opts Options) []Advice {
	opts = opts.withDefaults(s.Taken)
	var out []Advice
	for _, w := range s.Workloads {
		out = append(out, AdviseWorkload(w, opts)...)
	}
	return out
}

// AdviseWorkload returns the advice for one workload. Zero fields of opts
// take their defaults; a zero Now means the newest sample time seen.
func AdviseWorkload(w model.Workload, opts Options) []Advice {
	opts = opts.withDefaults(newest(w))
	// The dashboard advises on every changed workload of a namespace at
	// once: the rules' results are gathered first and copied once, with no
	// map or reflection per workload.
	var parts [][]Advice
	var sizes map[string]cpuRequestPlan
	for _, c := range w.Containers {
		wc := wctx{w: w, c: c, opts: opts}
		res := adviseResources(wc)
		goAdvice, pools := adviseGo(wc, res), adviseDBPools(wc)
		if why := cpuHeldBack(wc, goAdvice, pools); why != "" && res.sizesCPU() {
			relief := throttledRelief(res)
			if relief {
				why += "; the CPU limit's step stays in the patch (" + res.cpuLimitWhy + "), and this request is a lower bound: measure again after both"
			}
			res = res.holdCPU(wc, why, relief)
			goAdvice = adviseGo(wc, res)
		}
		if res.cpu.suggested > 0 {
			if sizes == nil {
				sizes = map[string]cpuRequestPlan{}
			}
			sizes[c.Name] = res.cpu
		}
		pairLimitWithGOMEMLIMIT(c, res, goAdvice)
		sized := holdWhatRestsOnHeld(res.advice, goAdvice)
		parts = append(parts, sized, adviseProbes(wc), adviseImage(wc, setsEnv(sized, "GOMAXPROCS")), adviseRestarts(wc), pools)
	}
	parts = append(parts, adviseHPA(w, sizes, opts), adviseReplicas(w, opts), afterChange(w))
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return nil
	}
	out := make([]Advice, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	order := func(container string) int { // workload advice last
		if container == "" {
			return len(w.Containers)
		}
		return slices.IndexFunc(w.Containers, func(c model.Container) bool { return c.Name == container })
	}
	slices.SortStableFunc(out, func(a, b Advice) int {
		if a.Target.Container != b.Target.Container {
			return cmp.Compare(order(a.Target.Container), order(b.Target.Container))
		}
		return cmp.Compare(b.Severity.Rank(), a.Severity.Rank())
	})
	return holdBehindUndo(w, out)
}

// TimeSensitive reports whether AdviseWorkload's advice for w can change
// with opts.Now alone: once a container's newest sample is over an hour old
// (its confidence then says how old), and while a crash-looping container
// runs between back-offs (see crashLooping). Otherwise the advice is a function
// of the workload, so a caller may keep it for as long as the workload is
// unchanged (see model.Workload.Rev).
func TimeSensitive(w model.Workload, now time.Time) bool {
	for _, c := range w.Containers {
		if h := c.Usage; h != nil && h.Samples > 0 && now.Sub(h.Last) > staleAfter {
			return true
		}
		for _, in := range c.Instances {
			if briefRun(in, now) {
				return true
			}
		}
	}
	return false
}

// newest returns the newest sample time across the workload's histories.
func newest(w model.Workload) time.Time {
	var t time.Time
	for _, c := range w.Containers {
		if c.Usage != nil && c.Usage.Last.After(t) {
			t = c.Usage.Last
		}
	}
	return t
}

// wctx is what a container rule looks at.
type wctx struct {
	w    model.Workload
	c    model.Container
	opts Options
}

// advice starts a piece of advice for the container.
func (x wctx) advice(kind Kind, sev Severity, reason string) Advice {
	t := Target{Kind: x.w.Ref.Kind, Namespace: x.w.Ref.Namespace, Name: x.w.Ref.Name, Container: x.c.Name}
	return Advice{
		ID:         t.String() + "/" + string(kind),
		Target:     t,
		Kind:       kind,
		Severity:   sev,
		Reason:     reason,
		Confidence: Confidence{Level: High, Score: 1},
	}
}

// workloadAdvice starts a piece of advice about the whole workload.
func workloadAdvice(w model.Workload, kind Kind, sev Severity, reason string) Advice {
	t := Target{Kind: w.Ref.Kind, Namespace: w.Ref.Namespace, Name: w.Ref.Name}
	return Advice{
		ID:         t.String() + "/" + string(kind),
		Target:     t,
		Kind:       kind,
		Severity:   sev,
		Reason:     reason,
		Confidence: Confidence{Level: High, Score: 1},
	}
}

// isGo reports whether the Go runtime rules apply to the container.
func (x wctx) isGo() bool {
	switch x.c.Go.Detection {
	case model.GoConfirmed, model.GoLikely:
		return true
	}
	return x.opts.AssumeGo
}

// runtime returns the container's scraped Go runtime, or nil.
func (x wctx) runtime() *model.GoRuntime { return x.c.Go.Runtime }

// positive returns v, or 0 when v is negative (absurd input means unset).
func positive(v int64) int64 { return max(v, 0) }

// fixesGOMAXPROCS reports whether the advice changes GOMAXPROCS to fix a
// mismatch with the CPU limit (not only unpinning a value that fits).
func fixesGOMAXPROCS(as []Advice) bool {
	for _, a := range as {
		if a.Kind == KindGOMAXPROCS && a.Patchable() && a.Severity.Rank() >= Warning.Rank() {
			return true
		}
	}
	return false
}

// cpuHeldBack says why a container's CPU sizing stays out of the patch, or
// "": usage measured so far says little of the usage to come when a change
// in the same patch alters how much CPU the program uses (GOMAXPROCS, a
// pool that lets waiting callers work), or while one replica does the
// others' work.
func cpuHeldBack(x wctx, goAdvice, pools []Advice) string {
	switch {
	case fixesGOMAXPROCS(goAdvice):
		return "the GOMAXPROCS change alters how much CPU the runtime uses; apply it, then measure again"
	case raisesPool(pools):
		return "the DB pool change lets waiting callers work, which alters how much CPU the program uses; apply it, then measure again"
	}
	if _, skewed := decideSkew(x); skewed {
		return "one replica does the others' work (see the replica skew advice), so the usage mixes a hot replica with idle ones; spread the load first, then measure again"
	}
	return ""
}

// throttledRelief reports whether the CPU advice raises (or removes) a CPU
// limit that throttling shown cuts the usage (measured, or usage at the limit
// in a large share of many windows: cpuLimitVerdict.shown): that step is
// relief, not sizing, so it stays in the patch when the sizing is held. A
// GOMAXPROCS fix in the same patch is sized to the limit after it.
func throttledRelief(r resources) bool {
	if r.cpuLimitWhy == "" {
		return false
	}
	for _, a := range r.advice {
		if a.ID == r.cpuLimitID && a.Patchable() && !a.Held {
			return true
		}
	}
	return false
}

// setsEnv reports whether advice in the patch (patchable, not held) sets
// the env variable name.
func setsEnv(as []Advice, name string) bool {
	for _, a := range as {
		if a.Held {
			continue
		}
		for _, c := range a.Changes {
			if c.Env != nil && c.Env.Name == name && !c.Env.Remove {
				return true
			}
		}
	}
	return false
}

// raisesPool reports whether the advice raises a pool's MaxOpen in the patch.
func raisesPool(as []Advice) bool {
	for _, a := range as {
		if a.Kind == KindDBPoolWait && a.Patchable() && a.Suggested.Amount > a.Current.Amount {
			return true
		}
	}
	return false
}

// holdWhatRestsOnHeld returns the sizing and Go advice of a container, with
// advice that requires Held advice held too (a GOMEMLIMIT sized to a limit
// built on short history): "apply all" then leaves both out, quietly.
func holdWhatRestsOnHeld(sizing, goAdvice []Advice) []Advice {
	out := append(slices.Clip(sizing), goAdvice...)
	held := map[string]bool{}
	for _, a := range out {
		if a.Held {
			held[a.ID] = true
		}
	}
	for changed := len(held) > 0; changed; {
		changed = false
		for i, a := range out {
			if a.Held || !a.Patchable() || !slices.ContainsFunc(a.Requires, func(id string) bool { return held[id] }) {
				continue
			}
			out[i].Held, out[i].HeldWhy, held[a.ID], changed = true, HeldWithRequired, true, true
			out[i].Notes = append(slices.Clip(a.Notes), heldNote+" it is sized to advice that is held")
		}
	}
	return out
}

// pairLimitWithGOMEMLIMIT makes a lowered memory limit require the GOMEMLIMIT
// change sized to it: the old GOMEMLIMIT may sit above the new limit, so
// applying the limit alone could leave the runtime aiming past it. (The
// GOMEMLIMIT advice already requires the limit; the two go together.)
func pairLimitWithGOMEMLIMIT(c model.Container, r resources, goAdvice []Advice) {
	if r.mem.limitID == "" || r.mem.limit >= r.mem.current || envGOMEMLIMIT(c) <= gomemlimitFor(r.mem.limit, r.heap.nonGo) {
		return // not lowered, or the GOMEMLIMIT in the env fits the new limit (or none is set there)
	}
	for _, g := range goAdvice {
		if g.Kind != KindGOMEMLIMIT || !g.Patchable() {
			continue
		}
		for i := range r.advice {
			if r.advice[i].ID == r.mem.limitID {
				r.advice[i].Requires = append(r.advice[i].Requires, g.ID)
			}
		}
	}
}
