package scenario

import (
	"math"
	"slices"

	"github.com/kgotop/kgotop/internal/model"
)

const (
	mi = 1 << 20
	gi = 1 << 30
)

// probes every well-behaved container has.
var (
	live  = &Probe{Path: "/healthz", PeriodSeconds: 10, TimeoutSeconds: 1, FailureThreshold: 3}
	ready = &Probe{Path: "/readyz", PeriodSeconds: 5, TimeoutSeconds: 1, FailureThreshold: 3}
)

func res(cpu, mem int64) model.ResourceList { return model.ResourceList{CPU: cpu, Memory: mem} }

func env(kv ...string) []model.EnvVar {
	var out []model.EnvVar
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, model.EnvVar{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

func goRuntime(version string, gogc, procs int64) *Runtime {
	return &Runtime{Version: version, GOGC: gogc, GOMAXPROCS: procs, GOMEMLIMIT: math.MaxInt64, HeapShare: 0.6, Goroutines: 40}
}

// All returns every scenario, in a fixed order.
func All() []Scenario {
	return slices.Concat(firstRound(), secondRound(), sidecars())
}

// firstRound returns the stories of the advisor's first round.
func firstRound() []Scenario {
	return []Scenario{
		{
			Name: "catalog", Story: "over-provisioned: asks for a core and a gigabyte, uses 5% of either",
			Kind: model.KindDeployment, Replicas: 2,
			Containers: []Container{{
				Name: "catalog", Image: "registry.example/catalog:2.3.1", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(1000, 1*gi), Limits: res(2000, 2*gi), Env: env("GOMEMLIMIT", "1800MiB"),
				CPU: Usage{Base: 30, Swing: 30}, Memory: Usage{Base: 100 * mi, Swing: 20 * mi},
				Runtime: goRuntime("go1.26.2", 100, 2),
			}},
			Expect: []string{"cpu-request", "memory-request"},
		},
		{
			Name: "ingest", Story: "memory creeps up to its 256Mi limit, is OOMKilled and starts over",
			Kind: model.KindDeployment, Replicas: 1,
			Containers: []Container{{
				Name: "ingest", Image: "registry.example/ingest:0.9.1", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(100, 200*mi), Limits: res(500, 256*mi),
				CPU: Usage{Base: 60, Swing: 40}, Memory: Usage{Base: 150 * mi, Swing: 4 * mi}, CreepPerHour: 40 * mi,
				Runtime: goRuntime("go1.24.6", 100, 8),
			}},
			// Nothing in its spec says Go: GOMEMLIMIT advice needs go_info.
			Expect: []string{"memory-limit", "gomemlimit", "memory-leak"}, NeedsRuntime: []string{"gomemlimit"},
		},
		{
			Name: "pricing", Story: "Go 1.23 under a 1-CPU limit runs GOMAXPROCS=8 and is throttled",
			Kind: model.KindDeployment, Replicas: 2,
			Containers: []Container{{
				Name: "pricing", Image: "registry.example/pricing:5.0.2", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(500, 256*mi), Limits: res(1000, 512*mi), Env: env("GOMEMLIMIT", "460MiB"),
				CPU: Usage{Base: 800, Swing: 190}, Memory: Usage{Base: 200 * mi, Swing: 20 * mi},
				Runtime: goRuntime("go1.23.4", 100, 8),
			}},
			Expect: []string{"gomaxprocs", "cpu-limit"},
		},
		{
			Name: "search", Story: "a 1Gi memory limit and no GOMEMLIMIT: the GC does not know the ceiling",
			Kind: model.KindDeployment, Replicas: 2,
			Containers: []Container{{
				Name: "search", Image: "registry.example/search:1.12.0", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(500, 768*mi), Limits: res(1000, 1*gi), Env: env("GOGC", "100"),
				CPU: Usage{Base: 300, Swing: 100}, Memory: Usage{Base: 620 * mi, Swing: 60 * mi},
				Runtime: goRuntime("go1.26.0", 100, 2),
			}},
			Expect: []string{"gomemlimit"},
		},
		{
			Name: "billing", Story: "GOGC=50 in its env, yet the runtime runs GOGC=100 (os.Setenv in main does nothing)",
			Kind: model.KindDeployment, Replicas: 2,
			Containers: []Container{{
				Name: "billing", Image: "registry.example/billing:3.1.0", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(200, 256*mi), Limits: res(1000, 512*mi), Env: env("GOGC", "50", "GOMEMLIMIT", "460MiB"),
				CPU: Usage{Base: 150, Swing: 50}, Memory: Usage{Base: 190 * mi, Swing: 30 * mi},
				Runtime: goRuntime("go1.26.2", 100, 2),
			}},
			Expect: []string{"gogc"}, NeedsRuntime: []string{"gogc"},
		},
		{
			Name: "reports", Story: "takes 75 s to start; its liveness probe kills it after 30 s, again and again",
			Kind: model.KindDeployment, Replicas: 1,
			Containers: []Container{{
				Name: "reports", Image: "registry.example/reports:0.4.0", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(250, 384*mi), Limits: res(1000, 768*mi), Env: env("GOMEMLIMIT", "690MiB"),
				CPU: Usage{Base: 200, Swing: 60}, Memory: Usage{Base: 300 * mi, Swing: 30 * mi}, StartSeconds: 75,
				Runtime: goRuntime("go1.26.2", 100, 2),
			}},
			Expect: []string{"probe-startup"},
		},
		{
			Name: "orders", Story: "callers queue for a database connection: the pool's MaxOpenConns is 5",
			Kind: model.KindStatefulSet, Replicas: 2,
			Containers: []Container{{
				Name: "orders", Image: "registry.example/orders:7.2.0", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(300, 320*mi), Limits: res(1000, 640*mi), Env: env("GOMEMLIMIT", "576MiB", "DB_MAX_OPEN_CONNS", "5"),
				CPU: Usage{Base: 250, Swing: 80}, Memory: Usage{Base: 260 * mi, Swing: 20 * mi},
				Runtime: func() *Runtime {
					r := goRuntime("go1.26.2", 100, 2)
					r.DB = &Pool{Name: "orders", MaxOpen: 5, InUse: 5, WaitPerMinute: 240, WaitSecondsPerMinute: 36, MaxIdleClosedPerMinute: 20}
					return r
				}(),
			}},
			Expect: []string{"db-pool-wait"}, NeedsRuntime: []string{"db-pool-wait"},
		},
		{
			Name: "legacy", Story: "runs in the full golang:1.16 toolchain image, compiler and all",
			Kind: model.KindDeployment, Replicas: 1,
			Containers: []Container{{
				Name: "legacy", Image: "golang:1.16", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(100, 128*mi), Limits: res(500, 256*mi), Env: env("GOMEMLIMIT", "230MiB"),
				CPU: Usage{Base: 70, Swing: 20}, Memory: Usage{Base: 100 * mi, Swing: 10 * mi},
				Runtime: goRuntime("go1.16.15", 100, 8),
			}},
			Expect: []string{"image-toolchain"},
		},
		{
			Name: "web", Story: "an HPA at 60% of a CPU request five times too big: right-sizing moves it",
			Kind: model.KindDeployment, Replicas: 3,
			HPA: &HPA{Min: 3, Max: 10, TargetUtilization: 60},
			Containers: []Container{{
				Name: "web", Image: "registry.example/web:4.8.0", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(500, 256*mi), Limits: res(1000, 512*mi), Env: env("GOMEMLIMIT", "460MiB"),
				CPU: Usage{Base: 80, Swing: 40}, Memory: Usage{Base: 180 * mi, Swing: 20 * mi},
				Runtime: goRuntime("go1.26.2", 100, 2),
			}},
			Expect: []string{"hpa-shift", "hpa-pinned"},
		},
		{
			Name: "notifier", Story: "exits 1 two seconds after every start (SMTP_HOST is not set): CrashLoopBackOff",
			Kind: model.KindDeployment, Replicas: 1,
			Containers: []Container{{
				Name: "notifier", Image: "registry.example/notifier:2.0.0", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(50, 64*mi), Limits: res(200, 128*mi), Env: env("GOMEMLIMIT", "115MiB"),
				CPU: Usage{Base: 5, Swing: 0}, Memory: Usage{Base: 20 * mi, Swing: 0},
				CrashExit: 1, CrashMessage: "config: SMTP_HOST is not set",
			}},
			Expect: []string{"restarts"},
		},
		{
			Name: "gateway", Story: "healthy: sized to its use, probed, pinned, GOMEMLIMIT under its limit",
			Kind: model.KindDeployment, Replicas: 2,
			Containers: []Container{{
				Name: "gateway", Image: "registry.example/gateway:1.30.2", Port: 8080, Liveness: live, Readiness: ready,
				Requests: res(200, 256*mi), Limits: res(1000, 512*mi), Env: env("GOMEMLIMIT", "460MiB"),
				CPU: Usage{Base: 150, Swing: 40}, Memory: Usage{Base: 200 * mi, Swing: 20 * mi},
				Runtime: goRuntime("go1.26.2", 100, 2),
			}},
		},
	}
}
