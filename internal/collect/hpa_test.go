package collect

import (
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kgotop/kgotop/internal/model"
)

// An HPA whose status holds no current value for a metric (the HPA
// controller could not read it: FailedGetResourceMetric) reports it
// unknown, not 0%; one that reads 0% reports 0%.
func TestHPAWithoutACurrentMetricIsUnknown(t *testing.T) {
	util := func(v int32) *int32 { return &v }
	cpu := autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
		Name: "cpu", Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: util(60)}}}
	memory := autoscalingv2.MetricSpec{Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricSource{
		Name: "memory", Container: "app", Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: util(80)}}}
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns, UID: types.UID("hpa-web")},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: "Deployment", Name: "web"},
			MaxReplicas: 10, Metrics: []autoscalingv2.MetricSpec{cpu, memory}},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 3, CurrentMetrics: []autoscalingv2.MetricStatus{{
			Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricStatus{
				Name: "memory", Container: "app", Current: autoscalingv2.MetricValueStatus{AverageUtilization: util(0)}}}}},
	}
	r := newRig(t, deployment("web", 3, container("app", "", "")), hpa)
	c := r.start(t, Options{})
	h := find(t, c.Snapshot(), model.KindDeployment, "web").HPA
	if h == nil || len(h.Metrics) != 2 {
		t.Fatalf("HPA = %+v", h)
	}
	if m := h.Metrics[0]; m.Resource != "cpu" || !m.NoCurrent || m.CurrentUtilization != 0 {
		t.Errorf("cpu, with no current value: %+v", m)
	}
	if m := h.Metrics[1]; m.Resource != "memory" || m.NoCurrent || m.CurrentUtilization != 0 {
		t.Errorf("memory, at 0%%: %+v", m)
	}
}
