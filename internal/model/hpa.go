package model

import "fmt"

// HPA is the part of a HorizontalPodAutoscaler kgotop reads.
type HPA struct {
	Name            string
	MinReplicas     int32
	MaxReplicas     int32
	CurrentReplicas int32
	DesiredReplicas int32
	Metrics         []HPAMetric
}

// HPAMetric is one resource metric an HPA scales on.
type HPAMetric struct {
	// Resource is "cpu" or "memory" (resource and container-resource metrics);
	// other metric types are kept with Resource set to their type name.
	Resource  string
	Container string // set for ContainerResource metrics
	// TargetUtilization and CurrentUtilization are percentages of the request (0 when not set).
	TargetUtilization  int32
	CurrentUtilization int32
	// NoCurrent says the HPA's status holds no current value for the
	// metric (FailedGetResourceMetric, or just created): CurrentUtilization
	// is then unknown, not 0.
	NoCurrent bool
	// TargetAverageValue is the average value target (millicores or bytes; 0 when not set).
	TargetAverageValue int64
}

// Now says the current utilization: "62%", or "unknown" when the HPA
// reports none (absent is unknown, never 0%).
func (m HPAMetric) Now() string {
	if m.NoCurrent {
		return "unknown"
	}
	return fmt.Sprintf("%d%%", m.CurrentUtilization)
}
