package advisor

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// FuzzRules checks the rules of the second round over arbitrary pools,
// probes, starts, terminations, replicas, HPAs, Go versions and clocks:
// no panic, the invariants every output keeps, and each rule's own promise
// (a pool never cut below its use, a startup probe never shorter than the
// liveness budget, a Go advised that is supported). Then it applies the
// patch and advises again on the same data: the rules change nothing twice,
// and every patch of its own advice builds.
func FuzzRules(f *testing.F) {
	type seed struct {
		version                            string
		months                             int64
		maxOpen, inUse, waits, waitedMs    int64
		firstWaits, spanSec, idle, dbMax   int64
		kills, startSec, runSec, exit      int64
		hot, median, hpaMin, util, request int64
		limit, procs                       int64
		env                                string
	}
	for _, s := range []seed{
		{"1.25.3", 0, 5, 5, 2400, 360000, 0, 600, 200, 0, 3, 45, 50, 143, 600, 200, 3, 20, 500, 1000, 8, ""},
		{"1.16.15", 7, 20, 20, 10, 1, 10, 60, 0, 100, 0, 0, 21600, 137, 0, 0, 6, 10, 100, 500, 1, "1"},
		{"go1.26.1", -30, 0, 40, -1, -1, -1, -5, -1, 10, 9, 900, 30, 2, 30, 5, 2, 5, 0, 0, 64, "junk"},
		{"", 1 << 20, -3, -3, 1 << 40, 1 << 40, 1 << 41, 1 << 30, 1 << 40, 1 << 40, 1 << 20, 1 << 20, 1 << 40, 1 << 20, 1 << 40, 1 << 40, 1 << 20, 1 << 20, 1 << 40, 1 << 40, 1 << 40, "0"},
	} {
		f.Add(s.version, s.months, s.maxOpen, s.inUse, s.waits, s.waitedMs, s.firstWaits, s.spanSec, s.idle, s.dbMax,
			s.kills, s.startSec, s.runSec, s.exit, s.hot, s.median, s.hpaMin, s.util, s.request, s.limit, s.procs, s.env)
	}
	f.Fuzz(func(t *testing.T, version string, months, maxOpen, inUse, waits, waitedMs, firstWaits, spanSec, idle, dbMax,
		kills, startSec, runSec, exit, hot, median, hpaMin, util, request, limit, procs int64, env string) {
		now := t0.AddDate(0, int(months%1200), 0)
		w := rulesWorkload(now, rulesInput{version: version, maxOpen: maxOpen, inUse: inUse, waits: waits, waited: time.Duration(waitedMs%(1<<40)) * time.Millisecond,
			firstWaits: firstWaits, span: time.Duration(spanSec%(1<<30)) * time.Second, idle: idle, kills: int32(kills % 1000),
			start: time.Duration(startSec%100000) * time.Second, run: time.Duration(runSec%(1<<30)) * time.Second, exit: int32(exit % 256),
			hot: hot % 100000, median: median % 100000, hpaMin: int32(hpaMin % 1000), util: int32(util % 1000),
			request: request, limit: limit, procs: procs, env: env})
		opts := Options{Now: now, DBMaxConnections: max(dbMax, 0) % 100000}
		as := AdviseWorkload(w, opts)
		checkInvariants(t, w, as)
		checkRulePromises(t, w, as, now)
		// The advisor's own advice always makes a patch, held advice taken too.
		if _, err := BuildPatch(w, PatchableWithHeld(as)); err != nil && !errors.Is(err, ErrNoChanges) {
			t.Fatalf("the patch of the advisor's own advice, held advice included: %v\n%s", err, describeAll(as))
		}
		patched := applyPatch(w, as)
		again := AdviseWorkload(patched, opts)
		checkInvariants(t, patched, again)
		checkNoSecondChange(t, as, again)
	})
}

// rulesInput are the numbers FuzzRules and the tests below vary.
type rulesInput struct {
	version                                 string
	maxOpen, inUse, waits, firstWaits, idle int64
	waited, span, start, run                time.Duration
	kills, exit                             int32
	hot, median                             int64
	hpaMin, util                            int32
	request, limit, procs                   int64
	env                                     string
}

// rulesWorkload is a three-replica Deployment whose container shows what in says.
func rulesWorkload(now time.Time, in rulesInput) model.Workload {
	live := &model.Probe{Handler: model.HTTPGet(8080, "/healthz"), PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
	db := model.DBStats{Name: "main", MaxOpen: in.maxOpen, Open: in.inUse, InUse: in.inUse, WaitCount: in.waits, WaitDuration: in.waited,
		MaxIdleClosed: in.idle, MaxLifetimeClosed: -1, MaxIdleTimeClosed: -1}
	if in.span > 0 {
		db.First = &model.DBCounters{At: now.Add(-in.span), WaitCount: in.firstWaits, WaitDuration: in.waited / 2, MaxIdleClosed: in.idle / 2}
	}
	h := model.NewHistory(model.DefaultHistoryConfig)
	var pods []model.Pod
	var instances []model.ContainerInstance
	for i, cpu := range []int64{in.hot, in.median, in.median / 2} {
		name := fmt.Sprintf("api-%d", i)
		pods = append(pods, model.Pod{Name: name, Started: now.Add(-in.start), ReadySince: now})
		instances = append(instances, model.ContainerInstance{Pod: name, StartedAt: now.Add(-time.Hour)})
		h.Add(name, model.Sample{Time: now.Add(-20 * time.Minute), Window: 20 * time.Minute, CPU: max(cpu, 0), Memory: 100 * mi}, in.request)
		h.Add(name, model.Sample{Time: now, Window: 20 * time.Minute, CPU: max(cpu, 0), Memory: 100 * mi}, in.request)
	}
	instances[0].RestartCount = 1
	instances[0].LastTermination = &model.Termination{ExitCode: in.exit, Reason: "Error", StartedAt: now.Add(-time.Hour - in.run), FinishedAt: now.Add(-time.Hour)}
	c := model.Container{Name: "app", Image: "golang:" + in.version, Ports: []model.Port{{Name: "http", Port: 8080}},
		Resources: res(in.request, 128*mi, in.limit, 256*mi), Instances: instances, Usage: h,
		Probes:        model.Probes{Liveness: live, Readiness: live},
		ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 3 * in.kills, Kills: in.kills}},
		Env:           []model.EnvVar{{Name: "DB_MAX_OPEN_CONNS", Value: fmt.Sprint(in.maxOpen)}},
		Go: model.GoInfo{Detection: model.GoConfirmed, Version: strings.TrimPrefix(in.version, "go"), Runtime: &model.GoRuntime{
			Version: in.version, Pod: "api-0", Scraped: now, GOMAXPROCS: in.procs, GOGC: 100, GOMEMLIMIT: -1, HeapLive: -1, GCCPUFraction: -1,
			DB: []model.DBStats{db}}}}
	if in.env != "" {
		c.Env = append(c.Env, model.EnvVar{Name: "GOMAXPROCS", Value: in.env})
	}
	w := deployment(c)
	w.Pods, w.Desired = pods, 3
	w.HPA = &model.HPA{Name: "api", MinReplicas: in.hpaMin, MaxReplicas: max(in.hpaMin, 10), CurrentReplicas: in.hpaMin,
		Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, CurrentUtilization: in.util}}}
	return w
}

// checkRulePromises fails when a rule breaks its own promise.
func checkRulePromises(t *testing.T, w model.Workload, as []Advice, now time.Time) {
	t.Helper()
	c := w.Containers[0]
	for _, a := range as {
		switch a.Kind {
		case KindDBPoolWait, KindDBPoolUnlimited, KindDBPoolTotal:
			db := c.Go.Runtime.DB[0]
			cut := db.MaxOpen <= 0 || a.Suggested.Amount < db.MaxOpen
			if n := a.Suggested.Amount; n > 0 && cut && n < db.InUse {
				t.Errorf("%s cuts a pool with %d in use to %d: %s", a.Kind, db.InUse, n, a.Reason)
			}
		case KindStartupProbe:
			for _, ch := range a.Changes {
				p, _ := ch.Probe.Set["periodSeconds"].(int32)
				n, _ := ch.Probe.Set["failureThreshold"].(int32)
				if budget := c.Probes.Liveness.Budget(); time.Duration(p*n)*time.Second < budget {
					t.Errorf("startup probe %ds x %d under the liveness budget %s", p, n, budget)
				}
			}
		case KindGoSupport:
			var minor int
			if _, err := fmt.Sscanf(a.Suggested.Display, "1.%d", &minor); err != nil || !supportOf(minor, now).supported() {
				t.Errorf("advises %q, not a supported Go on %s", a.Suggested.Display, now.Format("2006-01-02"))
			}
		case KindHPAPinned:
			if n := a.Suggested.Amount; n != 0 && (n < 2 || n >= int64(w.HPA.MinReplicas)) {
				t.Errorf("minReplicas %d -> %d", w.HPA.MinReplicas, n)
			}
		}
	}
}

// applyPatch returns the workload as it would be once the patchable advice
// is applied: env, resources, probes and image; nothing else observed moves.
func applyPatch(w model.Workload, as []Advice) model.Workload {
	c := w.Containers[0]
	c.Env = append([]model.EnvVar(nil), c.Env...)
	for _, a := range Patchable(as) {
		for _, ch := range a.Changes {
			switch {
			case ch.Env != nil:
				i := 0
				for _, e := range c.Env {
					if e.Name != ch.Env.Name {
						c.Env[i] = e
						i++
					}
				}
				c.Env = c.Env[:i]
				if !ch.Env.Remove {
					c.Env = append(c.Env, model.EnvVar{Name: ch.Env.Name, Value: ch.Env.Value})
				}
			case ch.Resource != nil:
				l := &c.Resources.Requests
				if ch.Resource.Section == Limits {
					l = &c.Resources.Limits
				}
				if ch.Resource.Name == CPU {
					l.CPU = ch.Resource.Amount
				} else {
					l.Memory = ch.Resource.Amount
				}
			case ch.Probe != nil:
				c.Probes = applyProbe(c.Probes, ch.Probe)
			case ch.Image != nil:
				c.Image = ch.Image.Image
			}
		}
	}
	w.Containers = []model.Container{c}
	return w
}

func applyProbe(ps model.Probes, ch *ProbeChange) model.Probes {
	p := model.Probe{Handler: model.HTTPGet(8080, "/healthz"), PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
	if old := ps.Get(ch.Probe); old != nil {
		p = *old
	}
	for k, v := range ch.Set {
		n, _ := v.(int32)
		switch k {
		case "periodSeconds":
			p.PeriodSeconds = n
		case "failureThreshold":
			p.FailureThreshold = n
		case "timeoutSeconds":
			p.TimeoutSeconds = n
		}
	}
	switch ch.Probe {
	case model.Startup:
		ps.Startup = &p
	case model.Liveness:
		ps.Liveness = &p
	case model.Readiness:
		ps.Readiness = &p
	}
	return ps
}

// checkNoSecondChange fails when advice on the patched workload changes a
// field the first patch set, for the rules of the second round and the
// probe, env and image rules beside them.
func checkNoSecondChange(t *testing.T, first, again []Advice) {
	t.Helper()
	set := map[string]string{}
	for _, a := range Patchable(first) {
		for _, ch := range a.Changes {
			set[ch.Container+"/"+ch.Field()] = changeValue(ch)
		}
	}
	for _, a := range Patchable(again) {
		switch a.Kind {
		case KindStartupProbe, KindGOMAXPROCS, KindDBPoolWait, KindDBPoolUnlimited, KindDBPoolTotal, KindDBPoolIdle, KindImageLatest, KindProbeTimeout:
		default:
			continue
		}
		for _, ch := range a.Changes {
			if v, ok := set[ch.Container+"/"+ch.Field()]; ok {
				t.Errorf("after the patch set %s=%s, %s sets it again to %s: %s", ch.Field(), v, a.Kind, changeValue(ch), a.Reason)
			}
		}
	}
}

// The demo's stories, applied and advised again, change nothing twice.
func TestRulesChangeNothingTwice(t *testing.T) {
	for _, in := range []rulesInput{
		{version: "1.23.4", maxOpen: 5, inUse: 5, waits: 2400, waited: 6 * time.Minute, span: 10 * time.Minute, idle: 200, kills: 3,
			start: 45 * time.Second, run: 50 * time.Second, exit: 143, hot: 600, median: 200, hpaMin: 3, util: 20, request: 500, limit: 1000, procs: 8},
		{version: "1.26.1", maxOpen: 2, inUse: 2, waits: 900, waited: time.Minute, span: time.Hour, kills: 1, start: 25 * time.Second,
			run: 6 * time.Hour, exit: 143, hot: 100, median: 100, hpaMin: 2, util: 50, request: 250, limit: 2000, procs: 2, env: "8"},
	} {
		w := rulesWorkload(t0, in)
		as := AdviseWorkload(w, Options{Now: t0})
		if len(Patchable(as)) == 0 {
			t.Fatalf("%s: nothing to apply: %v", in.version, kinds(as))
		}
		checkNoSecondChange(t, as, AdviseWorkload(applyPatch(w, as), Options{Now: t0}))
	}
}
