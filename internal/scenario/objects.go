package scenario

import (
	"fmt"
	"hash/fnv"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kgotop/kgotop/internal/model"
)

// Annotations the sandbox's kwok usage expression reads (scripts/sandbox.d/kwok/usage.yaml).
const (
	annUsageCPU      = "sandbox.kgotop.dev/usage-cpu."
	annUsageMemory   = "sandbox.kgotop.dev/usage-memory."
	annSwingCPU      = "sandbox.kgotop.dev/usage-cpu-swing"
	annSwingMemory   = "sandbox.kgotop.dev/usage-memory-swing"
	annKwokStatus    = "kwok.x-k8s.io/status"
	labelScenario    = "kgotop.dev/scenario"
	kwokCustomStatus = "custom"
)

// Labels returns the labels of the scenario's pods.
func (s Scenario) Labels() map[string]string {
	return map[string]string{"app": s.Name, labelScenario: s.Name}
}

// CustomStatus reports whether the scenario's pods need a status written by
// hand, as a kubelet would: kwok only makes pods that run and stay ready.
func (s Scenario) CustomStatus() bool {
	for _, c := range s.Containers {
		if c.CreepPerHour > 0 || c.slowStarter() || c.CrashExit != 0 || c.Stopped != nil {
			return true
		}
	}
	return false
}

func (c Container) slowStarter() bool {
	return c.Liveness != nil && c.StartSeconds > 0 && c.Liveness.Budget().Seconds() < float64(c.StartSeconds)
}

// PodTemplate returns the pod template, annotated for kwok's simulated usage.
func (s Scenario) PodTemplate() corev1.PodTemplateSpec {
	t := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: s.Labels(), Annotations: map[string]string{}},
	}
	for i, c := range s.Containers {
		t.Spec.Containers = append(t.Spec.Containers, c.apiContainer())
		t.Annotations[annUsageCPU+c.Name] = fmt.Sprintf("%dm", c.CPU.Base)
		t.Annotations[annUsageMemory+c.Name] = fmt.Sprintf("%dMi", c.Memory.Base/mi)
		if i == 0 { // kwok's swing is per pod: the first container's
			t.Annotations[annSwingCPU] = fmt.Sprintf("%dm", c.CPU.Swing)
			t.Annotations[annSwingMemory] = fmt.Sprintf("%dMi", c.Memory.Swing/mi)
		}
	}
	if c := s.Containers[0]; c.Runtime != nil && c.Port > 0 {
		// Where a Go program serves its metrics, as most charts annotate it.
		t.Annotations["prometheus.io/scrape"] = "true"
		t.Annotations["prometheus.io/port"] = fmt.Sprint(c.Port)
		t.Annotations["prometheus.io/path"] = "/metrics"
	}
	if s.CustomStatus() {
		t.Annotations[annKwokStatus] = kwokCustomStatus
	}
	return t
}

func (c Container) apiContainer() corev1.Container {
	out := corev1.Container{Name: c.Name, Image: c.Image}
	if c.Port > 0 {
		out.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: c.Port, Protocol: corev1.ProtocolTCP}}
	}
	for _, e := range c.Env {
		out.Env = append(out.Env, corev1.EnvVar{Name: e.Name, Value: e.Value})
	}
	out.Resources.Requests = resourceList(c.Requests)
	out.Resources.Limits = resourceList(c.Limits)
	out.LivenessProbe = c.Liveness.api(c.Port)
	out.ReadinessProbe = c.Readiness.api(c.Port)
	return out
}

func (p *Probe) api(port int32) *corev1.Probe {
	if p == nil {
		return nil
	}
	return &corev1.Probe{
		ProbeHandler:        corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: p.Path, Port: intstr.FromInt32(port)}},
		InitialDelaySeconds: p.InitialDelaySeconds,
		PeriodSeconds:       p.PeriodSeconds,
		TimeoutSeconds:      p.TimeoutSeconds,
		FailureThreshold:    p.FailureThreshold,
		SuccessThreshold:    1,
	}
}

func resourceList(r model.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	if r.CPU > 0 {
		out[corev1.ResourceCPU] = *resource.NewMilliQuantity(r.CPU, resource.DecimalSI)
	}
	if r.Memory > 0 {
		out[corev1.ResourceMemory] = *resource.NewQuantity(r.Memory, resource.BinarySI)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Controller returns the scenario's Deployment or StatefulSet.
func (s Scenario) Controller() (*appsv1.Deployment, *appsv1.StatefulSet) {
	meta := metav1.ObjectMeta{Name: s.Name, Namespace: Namespace, Labels: s.Labels()}
	sel := &metav1.LabelSelector{MatchLabels: s.Labels()}
	replicas := s.Replicas
	if s.Kind == model.KindStatefulSet {
		strategy := appsv1.StatefulSetUpdateStrategyType(s.UpdateStrategy)
		if strategy == "" {
			strategy = appsv1.RollingUpdateStatefulSetStrategyType // what the API server defaults it to
		}
		return nil, &appsv1.StatefulSet{ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{
			Replicas: &replicas, Selector: sel, ServiceName: s.Name, Template: s.PodTemplate(),
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: strategy}}}
	}
	return &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{
		Replicas: &replicas, Selector: sel, Template: s.PodTemplate()}}, nil
}

// HPAObject returns the scenario's HPA, or nil.
func (s Scenario) HPAObject() *autoscalingv2.HorizontalPodAutoscaler {
	if s.HPA == nil {
		return nil
	}
	kind := "Deployment"
	if s.Kind == model.KindStatefulSet {
		kind = "StatefulSet"
	}
	target := s.HPA.TargetUtilization
	min := s.HPA.Min
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: Namespace},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: kind, Name: s.Name},
			MinReplicas:    &min,
			MaxReplicas:    s.HPA.Max,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &target}},
			}},
		},
	}
}

// TemplateHash is a stable pod-template-hash for the scenario's ReplicaSet
// in the demo (the real controller computes its own).
func (s Scenario) TemplateHash() string {
	h := fnv.New32a()
	h.Write([]byte(s.Name))
	return fmt.Sprintf("%08x", h.Sum32())[:8]
}
