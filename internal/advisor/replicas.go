package advisor

import (
	"fmt"
	"slices"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

const (
	// skewWatch is how long each replica must have been watched before
	// their CPU is compared: a burst of a minute is not a pattern.
	skewWatch = 10 * time.Minute
	// skewFloor is the least CPU, in millicores, the hot replica must use
	// above the median for the difference to matter.
	skewFloor = 50
)

// adviseReplicas applies the rules about how a workload's replicas share
// its load.
func adviseReplicas(w model.Workload, opts Options) []Advice {
	var out []Advice
	for _, c := range w.Containers {
		if a := adviseReplicaSkew(wctx{w: w, c: c, opts: opts}); a != nil {
			out = append(out, *a)
		}
	}
	return out
}

// skewVerdict is one replica doing far more than the others.
type skewVerdict struct {
	hot                string
	hotCPU, median     float64
	mean               float64 // of the replicas compared
	replicas           int
	watched            time.Duration
	throttled, scaling bool
}

// decideSkew compares each replica's mean CPU, watched at least skewWatch,
// with the median of the workload's: one above twice the median (and
// skewFloor above it) is doing the others' work.
func decideSkew(x wctx) (skewVerdict, bool) {
	h := x.c.Usage
	if h == nil || len(x.w.Pods) < 3 {
		return skewVerdict{}, false
	}
	type pod struct {
		name string
		cpu  float64
	}
	var pods []pod
	v := skewVerdict{watched: -1}
	for _, p := range x.w.Pods {
		u, ok := h.PodCPU[p.Name]
		if !ok || time.Duration(u.Seconds*float64(time.Second)) < skewWatch {
			continue
		}
		pods = append(pods, pod{p.Name, u.Mean()})
		if d := time.Duration(u.Seconds * float64(time.Second)); v.watched < 0 || d < v.watched {
			v.watched = d
		}
	}
	if len(pods) < 3 {
		return skewVerdict{}, false
	}
	// Samples sum whole windows; the history's span runs first to last.
	v.watched = min(v.watched, h.Span())
	slices.SortFunc(pods, func(a, b pod) int {
		switch {
		case a.cpu < b.cpu:
			return -1
		case a.cpu > b.cpu:
			return 1
		}
		return 0
	})
	n := len(pods)
	v.median = pods[n/2].cpu
	if n%2 == 0 {
		v.median = (pods[n/2-1].cpu + pods[n/2].cpu) / 2
	}
	v.hot, v.hotCPU, v.replicas = pods[n-1].name, pods[n-1].cpu, n
	for _, p := range pods {
		v.mean += p.cpu / float64(n)
	}
	if v.hotCPU <= 2*v.median || v.hotCPU-v.median < skewFloor {
		return skewVerdict{}, false
	}
	lim := positive(x.c.Resources.Limits.CPU)
	v.throttled = lim > 0 && v.hotCPU >= 0.8*float64(lim)
	if hpa := x.w.HPA; hpa != nil {
		for _, m := range hpa.Metrics {
			v.scaling = v.scaling || m.Resource == "cpu"
		}
	}
	return v, true
}

// adviseReplicaSkew flags a replica whose CPU is more than twice the median
// of its workload's: a Service balances connections, not requests, so
// long-lived connections (HTTP/2, gRPC, keep-alive from a few clients) pin
// their load to the replicas that accepted them.
func adviseReplicaSkew(x wctx) *Advice {
	v, ok := decideSkew(x)
	if !ok {
		return nil
	}
	sev := Info
	if v.throttled || v.scaling {
		sev = Warning
	}
	a := x.advice(KindReplicaSkew, sev, fmt.Sprintf(
		"pod %s uses %s CPU on average, %.1fx the median %s of its %d replicas: the load is not spread; long-lived connections "+
			"(gRPC, HTTP/2, keep-alive from a few clients) stay with the replica that accepted them, as a Service balances connections, not requests",
		v.hot, formatCPU(int64(v.hotCPU+0.5)), v.hotCPU/max(v.median, 1), formatCPU(int64(v.median+0.5)), v.replicas))
	a.Current = textValue(fmt.Sprintf("%s on one replica, median %s", formatCPU(int64(v.hotCPU+0.5)), formatCPU(int64(v.median+0.5))))
	a.Suggested = textValue("spread the connections: a maximum connection age, or client-side balancing")
	a.Evidence = []Evidence{ev("hot replica", v.hot), cpuEv("its mean CPU", int64(v.hotCPU+0.5)), cpuEv("median of the replicas", int64(v.median+0.5)),
		num("replicas compared", fmt.Sprint(v.replicas), float64(v.replicas), Count), num("history", formatDuration(v.watched), v.watched.Seconds(), Seconds)}
	a.Confidence = Confidence{Level: Medium, Score: 0.5, SpanSeconds: int64(v.watched.Seconds()),
		Note: "unless one replica does the work by design (a leader-elected controller, a consumer that owns a partition)"}
	if v.throttled {
		a.Notes = append(a.Notes, "the hot replica runs near its CPU limit: it is throttled while the others idle")
	}
	if v.scaling {
		a.Notes = append(a.Notes, "the HPA scales on the average: it does not see one replica at its limit, and new replicas get no share of the pinned connections")
	}
	a.Notes = append(a.Notes, fmt.Sprintf("CPU sizing stays out of the patch until the load is spread: it rests on every replica's samples, the hot one's too; "+
		"spread evenly, each replica would use about %s on average: measure again then", formatCPU(int64(v.mean+0.5))))
	a.Code, a.CodeLang = fmt.Sprintf(skewSnippet, x.w.Ref.Name), "go"
	return &a
}

const skewSnippet = `// gRPC server: end each connection after a while, so clients reconnect
// (and spread) as replicas come and go.
srv := grpc.NewServer(grpc.KeepaliveParams(keepalive.ServerParameters{
	MaxConnectionAge:      5 * time.Minute,
	MaxConnectionAgeGrace: 30 * time.Second,
}))
// gRPC client: balance requests over every replica of a headless Service.
conn, err := grpc.NewClient("dns:///%s-headless:9090",
	grpc.WithDefaultServiceConfig(` + "`" + `{"loadBalancingConfig": [{"round_robin":{}}]}` + "`" + `))`
