package collect

import (
	"fmt"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kgotop/kgotop/internal/model"
)

func withPorts(c corev1.Container, ports ...corev1.ContainerPort) corev1.Container {
	c.Ports = ports
	return c
}

func port(name string, n int32) corev1.ContainerPort {
	return corev1.ContainerPort{Name: name, ContainerPort: n, Protocol: corev1.ProtocolTCP}
}

func annotated(p *corev1.Pod, kv ...string) *corev1.Pod {
	p.Annotations = map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		p.Annotations[kv[i]] = kv[i+1]
	}
	return p
}

func TestPodTargets(t *testing.T) {
	app := withPorts(container("app", "", ""), port("http", 8080), port("admin", 9102))
	sidecar := withPorts(container("envoy", "", ""), port("http-metrics", 15090))
	target := func(c string, port int32, path string) ScrapeTarget {
		return ScrapeTarget{Namespace: ns, Pod: "p", Container: c, Scheme: "http", Port: port, Path: path}
	}
	cases := []struct {
		name  string
		pod   *corev1.Pod
		ports []string
		path  string
		want  []ScrapeTarget
	}{
		{"annotations", annotated(pod("p", nil, nil, app), annScrape, "true", annPort, "9102", annPath, "stats"),
			nil, "", []ScrapeTarget{target("app", 9102, "/stats")}},
		{"annotations over https, on an undeclared port of the second container's pod",
			annotated(pod("p", nil, nil, sidecar, app), annScrape, "True", annPort, "9999", annScheme, "https"),
			nil, "", []ScrapeTarget{{Namespace: ns, Pod: "p", Container: "envoy", Scheme: "https", Port: 9999, Path: "/metrics"}}},
		{"scrape annotation without a port: a port named metrics", annotated(pod("p", nil, nil, app, sidecar), annScrape, "true"),
			nil, "", []ScrapeTarget{target("envoy", 15090, "/metrics")}},
		{"scrape annotation without a port or a metrics port: the first TCP port", annotated(pod("p", nil, nil, app), annScrape, "true"),
			nil, "", []ScrapeTarget{target("app", 8080, "/metrics")}},
		{"opted out", annotated(pod("p", nil, nil, sidecar), annScrape, "false"), []string{"8080"}, "", nil},
		{"ports named like metrics, one per container", pod("p", nil, nil, app, sidecar,
			withPorts(container("worker", "", ""), port("metrics", 2112), port("metrics-2", 2113))),
			nil, "/m", []ScrapeTarget{target("envoy", 15090, "/m"), target("worker", 2112, "/m")}},
		{"--metrics-port by number, declared or not", pod("p", nil, nil, app, withPorts(container("w", "", ""), port("x", 7000))),
			[]string{"7000", "6060"}, "", []ScrapeTarget{target("w", 7000, "/metrics"), target("app", 6060, "/metrics")}},
		{"--metrics-port by name", pod("p", nil, nil, app), []string{"admin"}, "/debug/metrics", []ScrapeTarget{target("app", 9102, "/debug/metrics")}},
		{"nothing to go on", pod("p", nil, nil, app), nil, "", nil},
		{"a bad port annotation falls back", annotated(pod("p", nil, nil, app), annScrape, "true", annPort, "http"), []string{"admin"}, "",
			[]ScrapeTarget{target("app", 9102, "/metrics")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := podTargets(tc.pod, tc.ports, tc.path); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("podTargets =\n%+v, want\n%+v", got, tc.want)
			}
		})
	}
}

// plan reads at most two pods per workload and moves one pod on each round,
// so every replica is read in turn and most pods twice in a row.
func TestPlanRotatesAmongReplicas(t *testing.T) {
	metricsPod := func(name, rs string, ready bool) *corev1.Pod {
		p := pod(name, ctrl("ReplicaSet", rs), nil, withPorts(container("app", "", ""), port("metrics", 9090)))
		p.Status.PodIP = "10.0.0.1"
		if !ready {
			p.Status.Conditions[0].Status = corev1.ConditionFalse
		}
		return p
	}
	pending := metricsPod("api-x-pending", "api-x", true)
	pending.Status.Phase = corev1.PodPending
	noIP := metricsPod("api-x-noip", "api-x", true)
	noIP.Status.PodIP = ""
	gone := metricsPod("api-x-gone", "api-x", true)
	gone.DeletionTimestamp = &metav1.Time{Time: t0}
	pods := []*corev1.Pod{
		metricsPod("api-x-c", "api-x", true), metricsPod("api-x-a", "api-x", true), metricsPod("api-x-d", "api-x", false),
		metricsPod("api-x-b", "api-x", true), pending, noIP, gone,
		metricsPod("solo-y-a", "solo-y", true),
	}
	own := newOwners(nil, nil)
	rotation := map[model.WorkloadRef]int{}
	var rounds []string
	for range 5 {
		var names []string
		for _, tg := range plan(byWorkload(pods, own), nil, "", rotation) {
			names = append(names, tg.Pod)
		}
		rounds = append(rounds, fmt.Sprint(names))
	}
	// Ready pods first (a, b, c), the unready one last (d); solo every round.
	want := []string{
		"[api-x-a api-x-b solo-y-a]",
		"[api-x-b api-x-c solo-y-a]",
		"[api-x-c api-x-d solo-y-a]",
		"[api-x-d api-x-a solo-y-a]",
		"[api-x-a api-x-b solo-y-a]",
	}
	if !reflect.DeepEqual(rounds, want) {
		t.Errorf("rounds =\n%v\nwant\n%v", rounds, want)
	}
	// A workload whose pods are gone leaves the rotation.
	plan(byWorkload(pods[:1], own), nil, "", rotation)
	if len(rotation) != 1 {
		t.Errorf("rotation kept %v", rotation)
	}
}
