package collect

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// pastFold gathers the answers of one history read into the live
// workloads' containers as they arrive, so that no answer is kept past its
// own folding: each set of pods goes to the workload that owns it now, each
// chunk's samples into the histograms (model.Histogram.AddBucket), each
// container's events into its model.PastEvents.
type pastFold struct {
	plan   pastPlan
	source string
	cfg    model.HistoryConfig
	// live are the workloads that have pods now, with each container's
	// CPU request in millicores (the weight of its CPU samples, as the
	// live ones have); rsOwner is the watcher's ReplicaSets' owners.
	live    map[model.WorkloadRef]map[string]int64
	rsOwner map[string]model.WorkloadRef
	// liveSets are the sets ("namespace/set") that have pods now: they run
	// the pod template in force, so only their throttling is evidence
	// about the CPU limit in force (a new template makes a new set).
	liveSets map[string]bool
	// saved returns the span of history an earlier run saved: chunks
	// that overlap it are not counted again.
	saved func(model.WorkloadRef, string) span
	// podKind and rsDeployment are what kube-state-metrics says of sets:
	// "namespace/set" -> the kind of the pods' owner, and a ReplicaSet's
	// Deployment.
	podKind      map[string]string
	rsDeployment map[string]string

	acc map[histKey]*pastAcc
	// owned memoizes resolve: every query names the same sets.
	owned map[[2]string]model.WorkloadRef
}

// pastAcc is one workload container's past while it is being folded.
type pastAcc struct {
	usage model.PastUsage
	// coverage is, per chunk (its end, unix seconds), how many steps of
	// it had a pod; memChunks the chunks with memory peaks.
	coverage  map[int64]float64
	memChunks map[int64]bool
	events    model.PastEvents
	throttle  model.Throttling
	throttled float64
	// goRT is the Go runtime and memory trend of the sets that run the
	// template in force (prom_gofold.go), nil when the store had none.
	goRT *goAcc
}

func newPastFold(plan pastPlan, source string, cfg model.HistoryConfig) *pastFold {
	return &pastFold{plan: plan, source: source, cfg: model.NewHistory(cfg).Config(),
		podKind: map[string]string{}, rsDeployment: map[string]string{}, acc: map[histKey]*pastAcc{}, owned: map[[2]string]model.WorkloadRef{}}
}

// namespaceOf is a series' namespace: its label, which the queries of
// one namespace leave out.
func (f *pastFold) namespaceOf(ls labels) string {
	if ns := ls.get("namespace"); ns != nil {
		return string(ns)
	}
	return f.plan.namespace
}

// owners files kube-state-metrics' owners of sets.
func (f *pastFold) owners(ls labels) {
	ns, kind, owner := f.namespaceOf(ls), string(ls.get("owner_kind")), string(ls.get("owner_name"))
	if rs := ls.get("replicaset"); rs != nil {
		if kind == string(model.KindDeployment) {
			f.rsDeployment[ns+"/"+string(rs)] = owner
		}
		return
	}
	f.podKind[ns+"/"+owner] = kind
}

// sink returns where the answer of the named query goes.
func (f *pastFold) sink(name string) sampleSink { return &foldSink{f: f, name: name} }

// foldSink folds one query's answer as it is decoded.
type foldSink struct {
	f    *pastFold
	name string
	// Of the series being decoded: its workload container and accumulator
	// (nil: not folded), its bucket, its saved span, its termination reason;
	// of a Go or trend series, which of the query's series it is (metric)
	// and its version or pool (label).
	hk            histKey
	a             *pastAcc
	bucket        int
	saved         span
	reason        string
	metric, label string
}

func (s *foldSink) series(ls labels) {
	f := s.f
	if s.name == qOwners {
		f.owners(ls)
		s.a = nil
		return
	}
	s.hk, s.a = f.accOf(ls, isGoQuery(s.name))
	if s.a == nil {
		return
	}
	switch s.name {
	case qThrottled, qPeriods, qThrottledP95, qGoInfo, qGoRuntime, qGoOutside, qGoGCCPU, qGoSQL, qGrowth:
		if !f.liveSets[f.namespaceOf(ls)+"/"+string(ls.get(setLabel))] {
			s.a = nil // an older template's throttling, runtime or trend says nothing of the one in force
		}
		s.metric, s.label = string(ls.get(metricLabel)), string(ls.get("version"))
		if s.name == qGoSQL {
			s.label = string(ls.get("db_name"))
		}
	case qReasons:
		s.reason = string(ls.get("reason"))
	case qCPUBuckets, qMemoryBuckets:
		s.bucket, _ = strconv.Atoi(string(ls.get("bucket")))
	}
	s.saved = f.saved(s.hk.ref, s.hk.container)
}

func (s *foldSink) point(unix, v float64) {
	if s.a == nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return
	}
	switch s.name {
	case qCPUBuckets, qMemoryBuckets, qCoverage:
		s.ranged(time.Unix(int64(math.Round(unix)), 0), v)
	default:
		s.instant(v)
	}
}

// instant folds the one sample of an instant query's series.
func (s *foldSink) instant(v float64) {
	a, at := s.a, s.f.plan.end
	switch s.name {
	case qCPUPeak:
		if mc := int64(math.Round(v * 1000)); mc > a.usage.CPUPeak.Value {
			a.usage.CPUPeak = model.Peak{Value: mc, Time: at}
		}
	case qMemoryPeak:
		if b := int64(v); b > a.usage.MemoryPeak.Value {
			a.usage.MemoryPeak = model.Peak{Value: b, Time: at}
		}
	case qOOM:
		a.events.OOMKills += int64(math.Round(v))
	case qRestarts:
		a.events.Restarts += int64(math.Round(v))
	case qReasons:
		if a.events.LastReasons == nil {
			a.events.LastReasons = map[string]int64{}
		}
		a.events.LastReasons[s.reason] += int64(math.Round(v))
	case qThrottled:
		a.throttled += v
	case qPeriods:
		a.throttle.Periods += v
	case qThrottledP95:
		a.throttle.P95 = max(a.throttle.P95, min(v, 1))
	case qGoInfo, qGoRuntime, qGoOutside, qGoGCCPU, qGoSQL, qGrowth:
		s.goPoint(v)
	}
}

// ranged folds one point of a range query: a chunk, ending at end.
func (s *foldSink) ranged(end time.Time, v float64) {
	f, a := s.f, s.a
	start := end.Add(-f.plan.chunk)
	if v == 0 || s.saved.overlaps(start, end) {
		return
	}
	switch s.name {
	case qCPUBuckets:
		// A chunk's samples weigh as live ones do, at its middle.
		a.usage.CPU.AddBucket(s.bucket, v*f.cpuWeight(s.hk), start.Add(f.plan.chunk/2))
		// Counted as the VPA counts its samples, one per pod per minute:
		// a 2m step's rate stands for two of them (else a pod's 8 days
		// read as 4 days of confidence).
		a.usage.Samples += int64(math.Round(v * f.plan.step.Minutes()))
	case qMemoryBuckets:
		// One peak per pod per chunk, at its start, as History's windows.
		a.usage.Memory.AddBucket(s.bucket, v, start)
		a.memChunks[end.Unix()] = true
	case qCoverage:
		a.coverage[end.Unix()] += v
	}
}

// cpuWeight is the weight of a CPU sample of the container: its request
// in cores, at least 0.1 (model.History.Add).
func (f *pastFold) cpuWeight(hk histKey) float64 {
	return max(float64(f.live[hk.ref][hk.container])/1000, 0.1)
}

// accOf returns the workload container a series is about and its
// accumulator, nil when no live workload owns the series' set. A series
// of the pods' own pages without a container label (anyContainer) is the
// container of a workload that has one.
func (f *pastFold) accOf(ls labels, anyContainer bool) (histKey, *pastAcc) {
	key := [2]string{f.namespaceOf(ls), string(ls.get(setLabel))}
	ref, ok := f.owned[key]
	if !ok {
		ref, _ = f.resolve(key[0], key[1])
		f.owned[key] = ref
	}
	container := ls.get("container")
	if ref.Kind == "" {
		return histKey{}, nil
	}
	if len(container) == 0 && anyContainer && len(f.live[ref]) == 1 {
		for name := range f.live[ref] {
			container = []byte(name)
		}
	}
	if _, ok := f.live[ref][string(container)]; !ok {
		return histKey{}, nil // a container the template no longer has
	}
	hk := histKey{ref, string(container)}
	a := f.acc[hk]
	if a == nil {
		a = &pastAcc{coverage: map[int64]float64{}, memChunks: map[int64]bool{}}
		a.usage.CPU = model.NewCPUHistogram(f.cfg.HalfLife)
		a.usage.Memory = model.NewMemoryHistogram(f.cfg.HalfLife)
		f.acc[hk] = a
	}
	return hk, a
}

// resolve returns the live workload that owns a set of pods: what
// kube-state-metrics says its owner was, else the controllers' naming rules
// matched against the workloads there are now (a ReplicaSet's name is its
// Deployment's and a hash; a StatefulSet's, DaemonSet's or Job's pods
// carry its own name).
func (f *pastFold) resolve(ns, set string) (model.WorkloadRef, bool) {
	if set == "" {
		return model.WorkloadRef{}, false
	}
	key := ns + "/" + set
	ref := func(k model.Kind, name string) model.WorkloadRef {
		return model.WorkloadRef{Kind: k, Namespace: ns, Name: name}
	}
	var candidates []model.WorkloadRef
	kind := f.podKind[key]
	if kind == "" || kind == string(model.KindReplicaSet) {
		if d := f.rsDeployment[key]; d != "" {
			candidates = append(candidates, ref(model.KindDeployment, d))
		}
		if up, ok := f.rsOwner[key]; ok && up.Kind != "" {
			candidates = append(candidates, up)
		}
		if i := strings.LastIndexByte(set, '-'); i > 0 {
			candidates = append(candidates, ref(model.KindDeployment, set[:i]))
		}
		candidates = append(candidates, ref(model.KindReplicaSet, set))
	}
	for _, k := range []model.Kind{model.KindStatefulSet, model.KindDaemonSet, model.KindJob} {
		if kind == "" || kind == string(k) {
			candidates = append(candidates, ref(k, set))
		}
	}
	if i := strings.LastIndexByte(set, '-'); i > 0 && (kind == "" || kind == string(model.KindJob)) {
		candidates = append(candidates, ref(model.KindCronJob, set[:i])) // <cronjob>-<scheduled minute>
	}
	for _, c := range candidates {
		if _, ok := f.live[c]; ok {
			return c, true
		}
	}
	return model.WorkloadRef{}, false
}

// pastResult is one workload container's folded past.
type pastResult struct {
	hk     histKey
	usage  model.PastUsage
	events *model.PastEvents
}

// results finishes the fold: each container's span from its chunks'
// coverage, its throttling share, its events.
func (f *pastFold) results() []pastResult {
	out := make([]pastResult, 0, len(f.acc))
	for hk, a := range f.acc {
		u := a.usage
		u.Source, u.Windows = f.source, len(a.memChunks)
		ends := make([]int64, 0, len(a.coverage))
		for end := range a.coverage {
			ends = append(ends, end)
		}
		slices.Sort(ends)
		for _, end := range ends {
			watched := min(f.plan.chunk, time.Duration(a.coverage[end])*f.plan.step)
			if u.First.IsZero() {
				u.First = time.Unix(end, 0).Add(-watched)
			}
			u.Last = time.Unix(end, 0)
			u.Watched += watched
		}
		ev := a.events
		ev.Source, ev.Range = f.source, f.plan.span()
		ev.MemoryPeak = u.MemoryPeak.Value
		ev.OOMKills = max(ev.OOMKills, ev.LastReasons["OOMKilled"])
		if a.throttle.Periods > 0 {
			t := a.throttle
			t.Share = min(a.throttled/t.Periods, 1)
			ev.Throttling = &t
		}
		if a.goRT != nil {
			ev.Runtime, ev.Growth = a.goRT.runtime(f.plan.end), a.goRT.trend()
		}
		out = append(out, pastResult{hk: hk, usage: u, events: &ev})
	}
	return out
}
