package advisor

import (
	"fmt"
	"time"
)

// MemoryQoS is how memory requests and limits move together.
type MemoryQoS string

// The memory policies.
const (
	// MemoryAuto is the default (also the zero value ""): Burstable, except
	// that a container whose requests equal its limits today for CPU and
	// memory (Guaranteed) keeps both equal: the QoS class is a choice.
	MemoryAuto MemoryQoS = "auto"
	// MemoryBurstable makes every container Burstable: the limit at least
	// max(request, peak x 1.15, OOM bump) and at most maxLimitRatio times
	// the request, a Guaranteed container's requests included.
	MemoryBurstable MemoryQoS = "burstable"
	// MemoryGuaranteed sets the memory request equal to the memory limit
	// for every container (krr's choice). It leaves CPU to the CPU rules
	// (--cpu-limits): a pod is Guaranteed only if its CPU request equals its
	// CPU limit too, and a pod without a CPU limit stays Burstable.
	MemoryGuaranteed MemoryQoS = "guaranteed"
)

// CPULimits is what advice does with a CPU limit that usage presses on.
type CPULimits string

// The CPU limit policies.
const (
	// CPULimitsKeep (the default) raises such a limit by a real step (2x)
	// and asks to measure again.
	CPULimitsKeep CPULimits = "keep"
	// CPULimitsRemove removes it, as krr does.
	CPULimitsRemove CPULimits = "remove"
)

const (
	// maxLimitRatio bounds a Burstable memory limit to twice its request:
	// what a LimitRange's maxLimitRequestRatio commonly allows. A pod may
	// then use at most twice what the scheduler reserved for it, so a node
	// of such pods is overcommitted at most 2x and a pod evicted for using
	// more than its request has at most a request's worth to lose.
	maxLimitRatio = 2
	// defaultSizingMin and defaultSizingMinSamples are krr's minimum history
	// for a right-size: below it sizing is shown but left out of patches.
	defaultSizingMin        = 3 * time.Hour
	defaultSizingMinSamples = 100
)

// ParseMemoryQoS parses a --memory-qos value: "auto" (or ""), "burstable"
// or "guaranteed".
func ParseMemoryQoS(s string) (MemoryQoS, error) {
	switch q := MemoryQoS(s); q {
	case "", MemoryAuto:
		return MemoryAuto, nil
	case MemoryBurstable, MemoryGuaranteed:
		return q, nil
	}
	return "", fmt.Errorf("memory QoS %q: want auto, burstable or guaranteed", s)
}

// ParseCPULimits parses a --cpu-limits value: "keep" or "remove".
func ParseCPULimits(s string) (CPULimits, error) {
	switch p := CPULimits(s); p {
	case CPULimitsKeep, CPULimitsRemove:
		return p, nil
	}
	return "", fmt.Errorf("CPU limits %q: want keep or remove", s)
}

// keepsGuaranteed reports whether a container's requests stay equal to its
// limits: it is Guaranteed today and the person did not pick Burstable.
func (o Options) keepsGuaranteed(guaranteedNow bool) bool {
	return guaranteedNow && o.MemoryQoS != MemoryBurstable
}
