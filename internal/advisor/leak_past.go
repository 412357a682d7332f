package advisor

import (
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Thresholds of a leak seen in a store's trend of the working set
// (model.Growth): the median hourly slope over the last day at least
// leakStoreRise of the limit (or the peak, without one) an hour and a
// memoryStep a day, still at half that rate or more over the newest hours
// (a cache that fills levels off), climbing in most hours (noise climbs in
// half), over leakStoreOver of slopes at least.
const (
	leakStoreRise     = 0.01
	leakStoreClimbing = 0.6
	leakStoreOver     = 6 * time.Hour
)

// storeLeak finds a leak in the trend a store of metrics holds of the
// container's working set: the past shows it before kgotop watched a run
// long enough itself.
func storeLeak(c model.Container) (leak, bool) {
	if c.Past == nil || c.Past.Growth == nil {
		return leak{}, false
	}
	g := c.Past.Growth
	scale := positive(c.Resources.Limits.Memory)
	if scale == 0 {
		scale = c.Past.MemoryPeak
	}
	if g.Over < leakStoreOver || g.PerHour <= 0 || g.PerHour < leakStoreRise*float64(scale) || g.PerHour*24 < float64(memoryStep) ||
		g.Tail < g.PerHour/2 || g.Climbing < leakStoreClimbing {
		return leak{}, false
	}
	return leak{perHour: g.PerHour, fit: g.Climbing, span: g.Over, store: c.Past.Source}, true
}

// growthJudged reports whether kgotop can tell whether the container's
// memory climbs like a leak, either way: a run watched long enough to
// judge (leakMinSpan), or a store's trend of the last day.
func growthJudged(c model.Container) bool {
	if c.Past != nil && c.Past.Growth != nil && c.Past.Growth.Over >= leakStoreOver {
		return true
	}
	return c.Usage != nil && judgedRun(c.Usage.Points()) != nil
}

// oomKilledEver reports whether the container was OOMKilled, in a pod
// there now or, as a store of metrics tells, in the range it holds.
func oomKilledEver(c model.Container) bool {
	return oomKilled(c) || c.Past != nil && c.Past.OOMKills > 0
}
