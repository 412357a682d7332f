package collect

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kgotop/kgotop/internal/model"
)

// The pod annotations that say where a pod's metrics are, as Prometheus'
// kubernetes_sd relabelling conventionally reads them.
const (
	annScrape = "prometheus.io/scrape"
	annPort   = "prometheus.io/port"
	annPath   = "prometheus.io/path"
	annScheme = "prometheus.io/scheme"
)

// defaultMetricsPath is where client_golang's handler is usually mounted.
const defaultMetricsPath = "/metrics"

// podTargets returns the ports of a pod to read /metrics from, at most one
// per container: the prometheus.io annotations when prometheus.io/scrape is
// "true" (and none at all when it is "false"); else each container's first
// port named like "metrics" ("metrics", "http-metrics"); else the ports
// named by --metrics-port (numbers or names).
func podTargets(p *corev1.Pod, ports []string, path string) []ScrapeTarget {
	if path == "" {
		path = defaultMetricsPath
	}
	base := ScrapeTarget{Namespace: p.Namespace, Pod: p.Name, Scheme: "http", Path: path}
	switch strings.ToLower(strings.TrimSpace(p.Annotations[annScrape])) {
	case "false":
		return nil
	case "true":
		return annotatedTarget(p, base, ports)
	}
	if ts := namedTargets(p, base); len(ts) > 0 {
		return ts
	}
	return flagTargets(p, base, ports)
}

// annotatedTarget reads the prometheus.io annotations. Without a port
// annotation the other rules pick the port, else the pod's first TCP port.
func annotatedTarget(p *corev1.Pod, t ScrapeTarget, ports []string) []ScrapeTarget {
	if strings.EqualFold(p.Annotations[annScheme], "https") {
		t.Scheme = "https"
	}
	if path := strings.TrimSpace(p.Annotations[annPath]); path != "" {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		t.Path = path
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(p.Annotations[annPort]), 10, 32); err == nil && n > 0 && n < 65536 {
		t.Port = int32(n)
		t.Container = portOwner(p, t.Port)
		return []ScrapeTarget{t}
	}
	if ts := namedTargets(p, t); len(ts) > 0 {
		return ts
	}
	if ts := flagTargets(p, t, ports); len(ts) > 0 {
		return ts
	}
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Protocol == "" || cp.Protocol == corev1.ProtocolTCP {
				t.Container, t.Port = c.Name, cp.ContainerPort
				return []ScrapeTarget{t}
			}
		}
	}
	return nil
}

// metricsPortName reports whether a port's name says it serves metrics.
func metricsPortName(name string) bool {
	name = strings.ToLower(name)
	return name == "metrics" || strings.HasSuffix(name, "-metrics") || strings.HasPrefix(name, "metrics-")
}

// namedTargets returns each container's first port named like metrics.
func namedTargets(p *corev1.Pod, t ScrapeTarget) []ScrapeTarget {
	var out []ScrapeTarget
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if metricsPortName(cp.Name) && cp.ContainerPort > 0 {
				t.Container, t.Port = c.Name, cp.ContainerPort
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// flagTargets returns the ports --metrics-port names: a name matches a
// declared port of that name; a number is read whether or not a container
// declares it (many programs listen on ports they never declare), on the
// container that declares it or else the first.
func flagTargets(p *corev1.Pod, t ScrapeTarget, ports []string) []ScrapeTarget {
	var out []ScrapeTarget
	seen := map[string]bool{}
	add := func(container string, port int32) {
		if !seen[container] && port > 0 {
			seen[container] = true
			t.Container, t.Port = container, port
			out = append(out, t)
		}
	}
	for _, want := range ports {
		if n, err := strconv.ParseInt(want, 10, 32); err == nil {
			if n > 0 && n < 65536 {
				add(portOwner(p, int32(n)), int32(n))
			}
			continue
		}
		for _, c := range p.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == want {
					add(c.Name, cp.ContainerPort)
				}
			}
		}
	}
	return out
}

// portOwner returns the container that declares port, else the first one.
func portOwner(p *corev1.Pod, port int32) string {
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.ContainerPort == port {
				return c.Name
			}
		}
	}
	if len(p.Spec.Containers) > 0 {
		return p.Spec.Containers[0].Name
	}
	return ""
}

// scrapeable reports whether the pod proxy can reach the pod now.
func scrapeable(p *corev1.Pod) bool {
	return p.Status.Phase == corev1.PodRunning && p.Status.PodIP != "" && p.DeletionTimestamp == nil
}

// planned is a target of a round, with the workload its pod belongs to.
type planned struct {
	ScrapeTarget
	ref model.WorkloadRef
}

// byWorkload groups pods by the workload that owns them.
func byWorkload(pods []*corev1.Pod, own *owners) map[model.WorkloadRef][]*corev1.Pod {
	out := map[model.WorkloadRef][]*corev1.Pod{}
	for _, p := range pods {
		ref := own.workloadOf(p)
		out[ref] = append(out[ref], p)
	}
	return out
}

// plan picks the targets of one round: per workload, the targets of at
// most scrapePodsPerWorkload of its reachable pods (ready ones first),
// moving one pod on from the last round so that every replica is read in
// turn and each pod read is usually read again the next round (two pages
// in a row give the GC's CPU share). rotation holds each workload's offset.
func plan(pods map[model.WorkloadRef][]*corev1.Pod, ports []string, path string, rotation map[model.WorkloadRef]int) []planned {
	byRef := map[model.WorkloadRef][]*corev1.Pod{}
	for ref, ps := range pods {
		for _, p := range ps {
			if scrapeable(p) {
				byRef[ref] = append(byRef[ref], p)
			}
		}
	}
	refs := make([]model.WorkloadRef, 0, len(byRef))
	for ref := range byRef {
		refs = append(refs, ref)
	}
	slices.SortFunc(refs, func(a, b model.WorkloadRef) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	var out []planned
	for _, ref := range refs {
		ps := byRef[ref]
		slices.SortFunc(ps, readyFirst)
		var withTargets [][]ScrapeTarget
		for _, p := range ps {
			if ts := podTargets(p, ports, path); len(ts) > 0 {
				withTargets = append(withTargets, ts)
			}
		}
		n := len(withTargets)
		if n == 0 {
			continue
		}
		start := rotation[ref] % n
		rotation[ref] = start + 1
		for i := range min(scrapePodsPerWorkload, n) {
			for _, t := range withTargets[(start+i)%n] {
				out = append(out, planned{t, ref})
			}
		}
	}
	for ref := range rotation {
		if byRef[ref] == nil {
			delete(rotation, ref)
		}
	}
	return out
}

// readyFirst orders ready pods before the others, then by name.
func readyFirst(a, b *corev1.Pod) int {
	if ra, rb := podReady(a), podReady(b); ra != rb {
		if ra {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.Name, b.Name)
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
