package advisor_test

import (
	"fmt"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// Example shows the flow a report or UI follows: advise on a snapshot, show
// each piece of advice, then build one patch per workload from the advice a
// person accepted.
func Example() {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	usage := model.NewHistory(model.DefaultHistoryConfig)
	for at := start; !at.After(start.Add(48 * time.Hour)); at = at.Add(time.Minute) {
		usage.Add("api-1", model.Sample{Time: at, CPU: 100, Memory: 300 << 20}, 1000)
	}
	probe := &model.Probe{Handler: model.HTTPGet(8080, "/healthz"), PeriodSeconds: 10, TimeoutSeconds: 1, FailureThreshold: 3}
	w := model.Workload{
		Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "api"},
		Containers: []model.Container{{
			Name: "app", Image: "registry.example/api:1.4.2",
			Resources: model.Resources{
				Requests: model.ResourceList{CPU: 1000, Memory: 512 << 20},
				Limits:   model.ResourceList{Memory: 1 << 30},
			},
			Probes: model.Probes{Liveness: probe, Readiness: probe},
			Go:     model.GoInfo{Detection: model.GoConfirmed, Version: "1.26.3"},
			Usage:  usage,
		}},
	}
	snap := model.Snapshot{Taken: start.Add(48 * time.Hour), Workloads: []model.Workload{w}}

	all := advisor.Advise(snap, advisor.Options{})
	for _, a := range all {
		fmt.Printf("%s %s: %s -> %s (%s confidence)\n", a.Severity, a.Kind, a.Current.Display, a.Suggested.Display, a.Confidence.Level)
	}
	p, err := advisor.BuildPatch(w, advisor.Patchable(advisor.ForWorkload(all, w.Ref)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Command)
	fmt.Println("restarts pods:", p.RestartsPods)
	// Output:
	// critical cpu-request: 1 -> 115m (high confidence)
	// info memory-limit: 1Gi -> 518Mi (high confidence)
	// info memory-request: 512Mi -> 345Mi (high confidence)
	// info gomemlimit: not set -> 466MiB (medium confidence)
	// kubectl patch deployment api -n shop --type=strategic -p '{"spec":{"template":{"spec":{"containers":[{"env":[{"name":"GOMEMLIMIT","value":"466MiB"}],"name":"app","resources":{"limits":{"memory":"518Mi"},"requests":{"cpu":"115m","memory":"345Mi"}}}]}}}}'
	// restarts pods: true
}
