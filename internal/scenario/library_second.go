package scenario

import (
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// secondRound returns the stories of the advisor's second round: how programs
// stop, and how replicas share their load.
func secondRound() []Scenario {
	return []Scenario{
		{
			Name: "cart", Story: "ignores SIGTERM: its last run ended in exit 143 after six hours, as every rollout ends it, mid-request",
			Kind: model.KindDeployment, Replicas: 2,
			Containers: []Container{{
				Name: "cart", Image: "registry.example/cart:3.4.1", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(180, 200*mi), Limits: res(1000, 400*mi), Env: env("GOMEMLIMIT", "360MiB"),
				CPU: Usage{Base: 120, Swing: 30}, Memory: Usage{Base: 150 * mi, Swing: 20 * mi},
				Runtime: goRuntime("go1.26.2", 100, 2),
				Stopped: &Stop{Exit: 143, Reason: "Error", Run: 6 * time.Hour, Ago: 3 * time.Hour},
			}},
			Expect: []string{"shutdown"},
		},
		{
			Name: "stream", Story: "gRPC clients keep their connections: one of four replicas does three times the work of the others",
			Kind: model.KindDeployment, Replicas: 4,
			Containers: []Container{{
				Name: "stream", Image: "registry.example/stream:1.8.0", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(250, 200*mi), Limits: res(2000, 400*mi), Env: env("GOMEMLIMIT", "360MiB"),
				CPU: Usage{Base: 100, Swing: 40}, Memory: Usage{Base: 150 * mi, Swing: 20 * mi}, Hot: 3,
				Runtime: goRuntime("go1.26.2", 100, 2),
			}},
			Expect: []string{"replica-skew"}, NeedsWatching: []string{"replica-skew"},
		},
	}
}

// sidecars returns the stories of a pod of more than one container, each
// with advice of its own: the containers view's.
func sidecars() []Scenario {
	return []Scenario{
		{
			Name: "checkout", Story: "ships its logs through a fluent-bit sidecar: the Go app asks for a core it does not use, while the sidecar's buffers peak near its 128Mi limit",
			Kind: model.KindDeployment, Replicas: 2,
			Containers: []Container{{
				Name: "checkout", Image: "registry.example/checkout:2.9.0", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(1000, 256*mi), Limits: res(2000, 512*mi), Env: env("GOMEMLIMIT", "460MiB"),
				CPU: Usage{Base: 110, Swing: 40}, Memory: Usage{Base: 190 * mi, Swing: 20 * mi},
				Runtime: goRuntime("go1.26.2", 100, 2),
			}, {
				// A C program (fluent-bit): no Go runtime, no port the Service sends to.
				Name: "log-shipper", Image: "cr.fluentbit.io/fluent/fluent-bit:3.2.4",
				Requests: res(50, 64*mi), Limits: res(200, 128*mi),
				CPU: Usage{Base: 30, Swing: 20}, Memory: Usage{Base: 100 * mi, Swing: 16 * mi},
			}},
			Expect: []string{"cpu-request", "memory-limit", "memory-request"},
		},
	}
}
