package scenario

import (
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Followed is the story the demo alone tells, for it rests on a past the
// sandbox's seed cannot have: a change kgotop applied. Fifty minutes
// before the demo opens (FollowedAgo), kgotop resized ledger's two pods
// in place and patched its template (an OnDelete StatefulSet, so the pods
// kept running), cutting memory to what a quiet night used (FollowedCut);
// the day's batches peak above the new limit, so it has been OOMKilled
// since, and kgotop's follow-up raises it, with the undo a key away.
func Followed() Scenario {
	return Scenario{
		Name:  "ledger",
		Story: "kgotop cut its memory in place 50m ago to a quiet night's use (limit 512Mi → 176Mi): the day's batches peak above it, OOMKilled since",
		Kind:  model.KindStatefulSet, Replicas: 2, UpdateStrategy: "OnDelete",
		Containers: []Container{{
			Name: "ledger", Image: "registry.example/ledger:2.2.0", Port: 8080, Liveness: live, Readiness: ready,
			Requests: res(100, 256*mi), Limits: res(500, 512*mi),
			CPU: Usage{Base: 60, Swing: 20}, Memory: Usage{Base: 140 * mi, Swing: 44 * mi},
			Runtime: goRuntime("go1.26.2", 100, 2),
		}},
		Expect: []string{"after-change"},
	}
}

// FollowedAgo is how long before the demo opens kgotop cut ledger's memory.
const FollowedAgo = 50 * time.Minute

// FollowedCut is the memory request and limit ledger was cut to.
var FollowedCut = model.Resources{Requests: res(100, 128*mi), Limits: res(500, 176*mi)}
