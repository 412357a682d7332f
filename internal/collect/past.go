package collect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/kgotop/kgotop/internal/model"
)

// PastOptions say where kgotop reads the past of the workloads from: a
// store of metrics with a Prometheus-compatible API.
type PastOptions struct {
	// Off reads no past at all.
	Off bool
	// URL is the store's API; "" looks for a Service in the cluster
	// (findStore) and reaches it through Clients.ServiceProxy, and reads
	// nothing without one.
	URL string
	// Range is how far back to read (default 8 days: the VPA's eight
	// daily memory peaks); it is rounded up to whole days.
	Range time.Duration
	// Timeout bounds each query (default 30s).
	Timeout time.Duration
	// Retry is how long to wait before reading again after a failure,
	// and between two checks that the store still answers (default 1m).
	Retry time.Duration
}

// Defaults of PastOptions.
const (
	defaultPastRange   = 8 * 24 * time.Hour
	defaultPastTimeout = 30 * time.Second
	defaultPastRetry   = time.Minute
)

func (o *PastOptions) defaults() {
	if o.Range <= 0 {
		o.Range = defaultPastRange
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultPastTimeout
	}
	if o.Retry <= 0 {
		o.Retry = defaultPastRetry
	}
}

// pastReader is the history reader: it finds the store of metrics, reads
// the namespace's past from it once in the background with a fixed handful
// of aggregated queries (prom_query.go), folds it into the usage store
// (prom_fold.go), and from then on checks that the store still answers.
// It never holds up a snapshot: until the past arrives, advice rests on
// live samples. Its status has a lock of its own.
type pastReader struct {
	opts      PastOptions
	namespace string
	services  corev1client.ServicesGetter
	proxy     *ServiceProxy
	usage     *usage
	now       func() time.Time
	log       *slog.Logger

	mu     sync.Mutex
	status model.PastStatus
	store  *promStore
}

func newPastReader(c Clients, o Options, store *usage) *pastReader {
	r := &pastReader{opts: o.Past, namespace: o.Namespace, proxy: c.ServiceProxy, usage: store, now: o.Now, log: o.Log}
	r.opts.defaults()
	if r.opts.URL == "" && c.ServiceProxy == nil {
		r.opts.Off = true // nothing to reach a store through (the demo, tests)
	}
	if c.Kube != nil {
		r.services = c.Kube.CoreV1()
	}
	r.status.Range = r.opts.Range
	if !r.opts.Off {
		r.status.State, r.status.Reason = model.PastLoading, "looking for Prometheus"
	}
	return r
}

// get returns the reader's status.
func (r *pastReader) get() model.PastStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.status
	s.Warnings = append([]string(nil), s.Warnings...)
	if r.store != nil {
		s.Bytes = r.store.bytes.Load()
	}
	return s
}

func (r *pastReader) set(f func(s *model.PastStatus)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.status)
}

// connect returns the store, finding it the first time.
func (r *pastReader) connect(ctx context.Context) (*promStore, error) {
	r.mu.Lock()
	s := r.store
	r.mu.Unlock()
	if s != nil {
		return s, nil
	}
	var err error
	if r.opts.URL != "" {
		s, err = newPromStore("Prometheus at "+r.opts.URL, r.opts.URL, nil)
	} else {
		find, cancel := context.WithTimeout(ctx, r.opts.Timeout)
		s, err = findStore(find, r.services, r.proxy)
		cancel()
	}
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.store = s
	r.status.Source = s.name
	r.mu.Unlock()
	return s, nil
}

// load reads the past once: it finds the store, sends the queries and
// folds what they answer into the usage store. On failure the status says
// why in one line and the advice keeps resting on live samples.
func (r *pastReader) load(ctx context.Context, ix podIndex) error {
	if r.opts.Off {
		return nil
	}
	s, err := r.connect(ctx)
	if err != nil {
		var fp *findProblem
		r.set(func(st *model.PastStatus) {
			st.State, st.Reason = model.PastUnavailable, err.Error()
			if errors.As(err, &fp) {
				st.State, st.NoStore = model.PastOff, fp.none
			}
		})
		return err
	}
	plan := planPast(r.namespace, r.opts.Range, r.now())
	r.set(func(st *model.PastStatus) {
		st.State, st.Reason = model.PastLoading, fmt.Sprintf("reading %s of history from %s", model.FormatAge(plan.span()), s.name)
	})
	fold := newPastFold(plan, s.name, r.usage.config())
	fold.live, fold.liveSets = liveContainers(ix)
	fold.rsOwner, fold.saved = ix.own.rsOwner, r.usage.savedSpan
	warnings, err := r.read(ctx, s, plan, fold)
	if err != nil {
		r.set(func(st *model.PastStatus) {
			st.State, st.Reason, st.Warnings = model.PastUnavailable, storeProblem(s.name, err), warnings
		})
		return err
	}
	results := fold.results()
	for _, res := range results {
		r.usage.backfill(res.hk.ref, res.hk.container, res.usage, res.events)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status.State, r.status.Reason, r.status.Warnings = model.PastLoaded, "", warnings
	r.status.Loaded, r.status.Containers, r.status.Live = r.now(), len(results), true
	return nil
}

// read sends the plan's queries one after the other (one answer in memory
// at a time) and folds each answer. A partial answer's warnings are kept
// and said; a series the store does not have simply answers nothing.
func (r *pastReader) read(ctx context.Context, s *promStore, plan pastPlan, fold *pastFold) ([]string, error) {
	var warnings []string
	for _, q := range plan.queries() {
		qctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
		warn, err := s.query(qctx, plan, q, fold.sink(q.name))
		cancel()
		r.set(func(st *model.PastStatus) { st.Queries++ })
		for _, w := range warn {
			warnings = append(warnings, q.name+": "+w)
		}
		if err != nil {
			return warnings, err
		}
		r.log.Debug("history query", "query", q.name, "answered bytes so far", s.bytes.Load())
	}
	return warnings, nil
}

// check asks the store whether it still answers, after the past was read:
// while it does not, the status is stale since the first failure, as the
// API server's is.
func (r *pastReader) check(ctx context.Context) {
	r.mu.Lock()
	s := r.store
	r.mu.Unlock()
	if s == nil {
		return
	}
	qctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	err := s.ping(qctx)
	cancel()
	if ctx.Err() != nil {
		return
	}
	r.set(func(st *model.PastStatus) {
		switch {
		case err == nil:
			st.Live, st.Error = true, ""
		case st.Live || st.StaleSince.IsZero():
			st.Live, st.StaleSince, st.Error = false, r.now(), storeProblem(s.name, err)
		default:
			st.Error = storeProblem(s.name, err)
		}
	})
}

// run reads the past, then, until ctx ends, checks every Retry that the
// store still answers; a failed read is tried again every Retry, unless
// there is no store to read (none found, or forbidden).
func (r *pastReader) run(ctx context.Context, index func() podIndex) {
	if r.opts.Off {
		return
	}
	for {
		err := r.load(ctx, index())
		var fp *findProblem
		if err == nil || errors.As(err, &fp) || ctx.Err() != nil {
			break
		}
		r.log.Warn("history not read", "err", err)
		if !sleep(ctx, r.opts.Retry) {
			return
		}
	}
	for sleep(ctx, r.opts.Retry) {
		r.check(ctx)
	}
}

// sleep waits d or until ctx ends, and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// liveContainers returns the workloads that have pods now, each with its
// containers' CPU requests (millicores, the largest of its pods'), and the
// sets of pods there are now ("namespace/set", prom_query.go).
func liveContainers(ix podIndex) (map[model.WorkloadRef]map[string]int64, map[string]bool) {
	out, sets := map[model.WorkloadRef]map[string]int64{}, map[string]bool{}
	for _, p := range ix.watch.allPods() {
		ref := ix.own.workloadOf(p)
		cs := out[ref]
		if cs == nil {
			cs = map[string]int64{}
			out[ref] = cs
		}
		for _, ct := range p.Spec.Containers {
			cs[ct.Name] = max(cs[ct.Name], ct.Resources.Requests.Cpu().MilliValue())
		}
		if i := strings.LastIndexByte(p.Name, '-'); i > 0 {
			sets[p.Namespace+"/"+p.Name[:i]] = true
		}
	}
	return out, sets
}
