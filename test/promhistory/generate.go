package promhistory

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
	"github.com/kgotop/kgotop/internal/scenario"
)

// Options say which past to write.
type Options struct {
	// End is the time of the last sample (truncated to Step); Span how long
	// before it the history begins.
	End  time.Time
	Span time.Duration
	// Step is the kubelet's (cAdvisor's) scrape interval; SlowStep, a
	// multiple of it, that of kube-state-metrics and of the pods' /metrics.
	Step, SlowStep time.Duration
	// Rollout is how often every workload replaced its pods.
	Rollout time.Duration
	// Hashes maps a Deployment to the pod-template-hash of its ReplicaSet in
	// the cluster: the newest old pods belonged to it. Others get made-up
	// hashes (ReplicaSets of earlier rollouts, gone since).
	Hashes map[string]string
}

// Defaults of Options.
const (
	DefaultSpan     = 8 * 24 * time.Hour
	DefaultStep     = time.Minute
	DefaultSlowStep = 5 * time.Minute
	DefaultRollout  = 3 * 24 * time.Hour
)

// Scrape jobs and where they are, as a Prometheus in a cluster labels them.
const (
	jobKubelet  = "kubelet"
	jobKSM      = "kube-state-metrics"
	jobPods     = "kubernetes-pods"
	ksmInstance = "10.244.99.2:8080"
	nodes       = 3 // kwok-node-0..2, as scripts/sandbox.d/cluster/nodes.yaml
)

func (o Options) withDefaults() Options {
	if o.Span <= 0 {
		o.Span = DefaultSpan
	}
	if o.Step <= 0 {
		o.Step = DefaultStep
	}
	if o.SlowStep < o.Step {
		o.SlowStep = DefaultSlowStep
	}
	o.SlowStep = o.SlowStep.Truncate(o.Step)
	if o.Rollout <= 0 {
		o.Rollout = DefaultRollout
	}
	o.End = o.End.Truncate(o.Step)
	return o
}

// generator holds the time grid and the series being made.
type generator struct {
	o   Options
	n   int // grid points
	reg *registry
}

// Write writes the library's past ending at o.End as OpenMetrics text.
func Write(w io.Writer, o Options) error {
	o = o.withDefaults()
	g := &generator{o: o, n: int(o.Span / o.Step), reg: newRegistry()}
	for i, sc := range scenario.All() {
		g.workload(i, sc)
	}
	return g.reg.write(w, func(k int) int64 { return g.at(k).Unix() })
}

// at returns the time of grid point k.
func (g *generator) at(k int) time.Time {
	return g.o.End.Add(-time.Duration(g.n-1-k) * g.o.Step)
}

// slow reports whether kube-state-metrics and the pods were scraped at k.
func (g *generator) slow(k int) bool { return g.at(k).Unix()%int64(g.o.SlowStep/time.Second) == 0 }

// workload writes the pods of every rollout of a scenario.
func (g *generator) workload(idx int, sc scenario.Scenario) {
	var designs []Design
	for _, c := range sc.Containers {
		designs = append(designs, designOf(sc, c))
	}
	per := int(g.o.Rollout / g.o.Step)
	rollouts := (g.n + per - 1) / per
	for gen := range rollouts {
		k0, k1 := gen*per, min(g.n, (gen+1)*per)
		hash := rsHash(sc.Name, gen)
		if h := g.o.Hashes[sc.Name]; h != "" && gen == rollouts-1 {
			hash = h
		}
		for r := range int(sc.Replicas) {
			name := fmt.Sprintf("%s-%d", sc.Name, r)
			owner := []string{"owner_kind", string(model.KindStatefulSet), "owner_name", sc.Name}
			if sc.Kind == model.KindDeployment {
				name = fmt.Sprintf("%s-%s-%s", sc.Name, hash, podSuffix(sc.Name, gen, r))
				owner = []string{"owner_kind", "ReplicaSet", "owner_name", sc.Name + "-" + hash}
			}
			p := pod{name: name, uid: uid(name, gen), ip: fmt.Sprintf("10.244.%d.%d", 100+idx, 10*gen+r+1),
				node: fmt.Sprintf("kwok-node-%d", sum32(name, gen, r)%nodes), owner: owner}
			g.pod(p, designs, k0, k1)
		}
		if sc.Kind == model.KindDeployment {
			g.replicaSet(sc.Name, hash, k0, k1)
		}
	}
}

// pod is one old pod: its name, uid, address, node and owner labels.
type pod struct {
	name, uid, ip, node string
	owner               []string
}

// pod lives through one pod from grid point k0 to k1.
func (g *generator) pod(p pod, designs []Design, k0, k1 int) {
	start := g.at(k0).Add(-g.o.Step)
	runs := make([]*run, len(designs))
	for i, d := range designs {
		runs[i] = newRun(d, start, rand.New(rand.NewPCG(uint64(sum32(p.name, i, 0)), 1)))
		g.seriesOf(p, runs[i])
	}
	podCPU := g.cadvisor("container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds.", p, "")
	podMem := g.cadvisor("container_memory_working_set_bytes", "gauge", "Current working set in bytes.", p, "")
	owner := g.reg.series(g.reg.family("kube_pod_owner", "gauge", "Information about the Pod's owner."), "kube_pod_owner",
		labelSet(append([]string{"job", jobKSM, "instance", ksmInstance, "namespace", scenario.Namespace, "pod", p.name, "uid", p.uid},
			append(p.owner, "owner_is_controller", "true")...)...))
	cpuSum := 0.0
	for k := k0; k < k1; k++ {
		t := g.at(k)
		mem := 0.0
		for _, c := range runs {
			cpuSum += c.advance(t, g.o.Step)
			mem += c.mem
			g.sample(k, t, p, c)
		}
		podCPU.set(k, cpuSum)
		podMem.set(k, mem)
		if g.slow(k) {
			owner.set(k, 1)
		}
	}
}

// replicaSet writes kube_replicaset_owner for a Deployment's ReplicaSet.
func (g *generator) replicaSet(deploy, hash string, k0, k1 int) {
	s := g.reg.series(g.reg.family("kube_replicaset_owner", "gauge", "Information about the ReplicaSet's owner."), "kube_replicaset_owner",
		labelSet("job", jobKSM, "instance", ksmInstance, "namespace", scenario.Namespace, "replicaset", deploy+"-"+hash,
			"owner_kind", string(model.KindDeployment), "owner_name", deploy, "owner_is_controller", "true"))
	for k := k0; k < k1; k++ {
		if g.slow(k) {
			s.set(k, 1)
		}
	}
}

// cadvisor returns a series of the kubelet's cAdvisor endpoint for the
// pod's container (the pod's own cgroup when container is "").
func (g *generator) cadvisor(name, typ, help string, p pod, container string) *series {
	return g.reg.series(g.reg.family(name, typ, help), name, labelSet("job", jobKubelet, "metrics_path", "/metrics/cadvisor",
		"instance", p.node, "node", p.node, "namespace", scenario.Namespace, "pod", p.name, "container", container))
}

// ksm returns a kube-state-metrics series of the pod's container.
func (g *generator) ksm(name, typ, help string, p pod, container string, extra ...string) *series {
	return g.reg.series(g.reg.family(name, typ, help), name, labelSet(append([]string{"job", jobKSM, "instance", ksmInstance,
		"namespace", scenario.Namespace, "pod", p.name, "uid", p.uid, "container", container}, extra...)...))
}

// seriesOf makes the series of one container.
func (g *generator) seriesOf(p pod, c *run) {
	n := c.d.Container
	c.cpuS = g.cadvisor("container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds.", p, n)
	c.memS = g.cadvisor("container_memory_working_set_bytes", "gauge", "Current working set in bytes.", p, n)
	c.perS = g.cadvisor("container_cpu_cfs_periods_total", "counter", "Number of elapsed enforcement period intervals.", p, n)
	c.thrS = g.cadvisor("container_cpu_cfs_throttled_periods_total", "counter", "Number of throttled period intervals.", p, n)
	c.oomS = g.cadvisor("container_oom_events_total", "counter", "Count of out of memory events observed for the container", p, n)
	c.restartS = g.ksm("kube_pod_container_status_restarts_total", "counter", "The number of container restarts per container.", p, n)
	if c.d.Reason != "" {
		c.reasonS = g.ksm("kube_pod_container_status_last_terminated_reason", "gauge",
			"Describes the last reason the container was in terminated state.", p, n, "reason", c.d.Reason)
	}
}

// sample records one container at grid point k.
func (g *generator) sample(k int, t time.Time, p pod, c *run) {
	c.cpuS.set(k, c.cpu)
	c.memS.set(k, c.mem)
	if c.d.LimitCPU > 0 { // cAdvisor has CFS counters only under a quota
		c.perS.set(k, c.periods)
		c.thrS.set(k, c.throttled)
	}
	c.oomS.set(k, float64(c.ooms))
	if !g.slow(k) {
		return
	}
	c.restartS.set(k, float64(c.restarts))
	if c.reasonS != nil && c.restarts > 0 {
		c.reasonS.set(k, 1)
	}
	if c.d.Runtime != nil && c.d.Port > 0 {
		g.page(k, t, p, c)
	}
}

// page records what the container's Go runtime served at grid point k: the
// scenario's own /metrics page, labelled as a Prometheus scraping pods labels it.
func (g *generator) page(k int, t time.Time, p pod, c *run) {
	text := c.d.Runtime.Page(t.Sub(c.started), int64(c.mem))
	podLabels := labelSet("job", jobPods, "instance", fmt.Sprintf("%s:%d", p.ip, c.d.Port),
		"namespace", scenario.Namespace, "pod", p.name, "container", c.d.Container)
	first := c.pageSeries == nil
	var fam *family
	help := map[string]string{}
	j := 0
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, h, _ := strings.Cut(rest, " ")
			help[name] = h
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			fam = g.reg.family(name, typ, help[name])
			continue
		}
		key, val, ok := cutLast(line)
		if !ok || fam == nil {
			continue
		}
		if first {
			name, labels, _ := strings.Cut(strings.TrimSuffix(key, "}"), "{")
			if labels != "" {
				labels += ","
			}
			c.pageSeries = append(c.pageSeries, g.reg.series(fam, name, labels+podLabels))
		}
		if j < len(c.pageSeries) {
			c.pageSeries[j].set(k, parseFloat(val))
		}
		j++
	}
}
