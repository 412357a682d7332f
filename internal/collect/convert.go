package collect

import (
	"slices"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kgotop/kgotop/internal/model"
)

// This file converts API objects into model types at the boundary; nothing
// past it sees a Kubernetes type.

func convertPod(p *corev1.Pod) model.Pod {
	out := model.Pod{
		Name:        p.Name,
		Node:        p.Spec.NodeName,
		Phase:       string(p.Status.Phase),
		Created:     p.CreationTimestamp.Time,
		Annotations: p.Annotations,
		IP:          p.Status.PodIP,
		UID:         string(p.UID),
		QoS:         string(p.Status.QOSClass),
		Resize:      model.PodResize{Generation: p.Generation, ObservedGeneration: p.Status.ObservedGeneration},
	}
	if p.Status.Reason != "" {
		out.Phase = p.Status.Reason // Evicted, NodeLost, ... say more than Failed
	}
	if p.Status.StartTime != nil {
		out.Started = p.Status.StartTime.Time
	}
	for _, cs := range p.Status.ContainerStatuses {
		if r := cs.State.Running; r != nil && r.StartedAt.After(out.RunStarted) {
			out.RunStarted = r.StartedAt.Time
		}
	}
	for _, c := range p.Status.Conditions {
		switch {
		case c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue:
			out.Ready = true
			out.ReadySince = c.LastTransitionTime.Time
		case c.Type == corev1.PodResizePending && c.Status == corev1.ConditionTrue:
			out.Resize.Pending = &model.Condition{Reason: c.Reason, Message: c.Message, ObservedGeneration: c.ObservedGeneration}
		case c.Type == corev1.PodResizeInProgress && c.Status == corev1.ConditionTrue:
			out.Resize.InProgress = &model.Condition{Reason: c.Reason, Message: c.Message, ObservedGeneration: c.ObservedGeneration}
		}
	}
	return out
}

// convertResources returns a container's requests and limits, a request
// left out taking the limit (as the API server makes it in a pod).
func convertResources(r corev1.ResourceRequirements) model.Resources {
	return model.Resources{
		Requests: model.ResourceList{CPU: request(r, corev1.ResourceCPU).MilliValue(), Memory: request(r, corev1.ResourceMemory).Value()},
		Limits:   model.ResourceList{CPU: r.Limits.Cpu().MilliValue(), Memory: r.Limits.Memory().Value()},
		Implied:  model.ResourceFlags{CPU: implied(r, corev1.ResourceCPU), Memory: implied(r, corev1.ResourceMemory)},
	}
}

// convertInstanceResources returns what a pod's container asks for (spec),
// was allocated and runs with (its status).
func convertInstanceResources(spec corev1.ResourceRequirements, s corev1.ContainerStatus) model.ContainerResources {
	out := model.ContainerResources{Spec: convertResources(spec)}
	if s.AllocatedResources != nil {
		out.Allocated = &model.ResourceList{CPU: s.AllocatedResources.Cpu().MilliValue(), Memory: s.AllocatedResources.Memory().Value()}
	}
	if s.Resources != nil {
		r := convertResources(*s.Resources)
		out.Applied = &r
	}
	return out
}

func convertContainer(c corev1.Container) model.Container {
	out := model.Container{
		Name:      c.Name,
		Image:     c.Image,
		Resources: convertResources(c.Resources),
		Probes: model.Probes{
			Liveness:  convertProbe(c.LivenessProbe),
			Readiness: convertProbe(c.ReadinessProbe),
			Startup:   convertProbe(c.StartupProbe),
		},
	}
	for _, e := range c.Env {
		out.Env = append(out.Env, model.EnvVar{Name: e.Name, Value: e.Value, From: envSource(e.ValueFrom)})
	}
	for _, p := range c.Ports {
		out.Ports = append(out.Ports, model.Port{Name: p.Name, Port: p.ContainerPort, Protocol: string(p.Protocol)})
	}
	for _, rp := range c.ResizePolicy {
		restart := rp.RestartPolicy == corev1.RestartContainer
		switch rp.ResourceName {
		case corev1.ResourceCPU:
			out.RestartOnResize.CPU = restart
		case corev1.ResourceMemory:
			out.RestartOnResize.Memory = restart
		}
	}
	return out
}

// request returns the request a pod made from the container gets: the
// API server defaults a missing request to the limit when it creates the
// pod, but not in a controller's template, where kgotop reads resources.
func request(r corev1.ResourceRequirements, name corev1.ResourceName) *resource.Quantity {
	if q, ok := r.Requests[name]; ok {
		return &q
	}
	if q, ok := r.Limits[name]; ok {
		return &q
	}
	return &resource.Quantity{}
}

// implied reports whether the request is left out and the limit set, so
// that pods take the limit as their request.
func implied(r corev1.ResourceRequirements, name corev1.ResourceName) bool {
	_, req := r.Requests[name]
	_, lim := r.Limits[name]
	return !req && lim
}

func envSource(s *corev1.EnvVarSource) *model.EnvSource {
	switch {
	case s == nil:
		return nil
	case s.ResourceFieldRef != nil:
		ref := s.ResourceFieldRef
		out := &model.EnvSource{Kind: model.EnvResourceField, Resource: ref.Resource}
		if !ref.Divisor.IsZero() && ref.Divisor.Cmp(resource.MustParse("1")) != 0 {
			out.Divisor = ref.Divisor.String() // "512" in Mi is not 512 bytes
		}
		return out
	case s.FieldRef != nil:
		return &model.EnvSource{Kind: model.EnvField, Resource: s.FieldRef.FieldPath}
	case s.ConfigMapKeyRef != nil:
		return &model.EnvSource{Kind: model.EnvConfigMapKey, Name: s.ConfigMapKeyRef.Name, Key: s.ConfigMapKeyRef.Key}
	case s.SecretKeyRef != nil:
		return &model.EnvSource{Kind: model.EnvSecretKey, Name: s.SecretKeyRef.Name, Key: s.SecretKeyRef.Key}
	}
	return &model.EnvSource{}
}

// convertProbe fills in the API server's defaults, so that a probe read from
// a cache with defaults stripped still shows what the kubelet does.
func convertProbe(p *corev1.Probe) *model.Probe {
	if p == nil {
		return nil
	}
	def := func(v, d int32) int32 {
		if v == 0 {
			return d
		}
		return v
	}
	return &model.Probe{
		Handler:             probeHandler(p.ProbeHandler),
		InitialDelaySeconds: p.InitialDelaySeconds,
		PeriodSeconds:       def(p.PeriodSeconds, 10),
		TimeoutSeconds:      def(p.TimeoutSeconds, 1),
		SuccessThreshold:    def(p.SuccessThreshold, 1),
		FailureThreshold:    def(p.FailureThreshold, 3),
	}
}

func probeHandler(h corev1.ProbeHandler) model.ProbeHandler {
	port := func(p intstr.IntOrString) model.PortRef {
		if p.Type == intstr.String {
			return model.PortRef{Name: p.StrVal}
		}
		return model.PortRef{Number: p.IntVal}
	}
	var out model.ProbeHandler
	switch {
	case h.HTTPGet != nil:
		g := &model.HTTPGetAction{Scheme: string(h.HTTPGet.Scheme), Host: h.HTTPGet.Host, Path: h.HTTPGet.Path, Port: port(h.HTTPGet.Port)}
		for _, hd := range h.HTTPGet.HTTPHeaders {
			g.Headers = append(g.Headers, model.HTTPHeader{Name: hd.Name, Value: hd.Value})
		}
		out.HTTPGet = g
	case h.TCPSocket != nil:
		out.TCPSocket = &model.TCPSocketAction{Host: h.TCPSocket.Host, Port: port(h.TCPSocket.Port)}
	case h.GRPC != nil:
		out.GRPC = &model.GRPCAction{Port: h.GRPC.Port}
		if h.GRPC.Service != nil {
			out.GRPC.Service = *h.GRPC.Service
		}
	case h.Exec != nil:
		out.Exec = &model.ExecAction{Command: slices.Clone(h.Exec.Command)}
	}
	return out
}

func convertStatus(pod string, s corev1.ContainerStatus) model.ContainerInstance {
	out := model.ContainerInstance{Pod: pod, Ready: s.Ready, RestartCount: s.RestartCount, ImageID: s.ImageID}
	if r := s.State.Running; r != nil {
		out.StartedAt = r.StartedAt.Time
	}
	if w := s.State.Waiting; w != nil {
		out.Waiting, out.WaitingMessage = w.Reason, w.Message
	}
	// A container terminated now says more than its previous run.
	if t := s.State.Terminated; t != nil {
		out.LastTermination = convertTermination(t)
	} else if t := s.LastTerminationState.Terminated; t != nil {
		out.LastTermination = convertTermination(t)
	}
	return out
}

func convertTermination(t *corev1.ContainerStateTerminated) *model.Termination {
	return &model.Termination{
		Reason:     t.Reason,
		ExitCode:   t.ExitCode,
		Signal:     t.Signal,
		Message:    t.Message,
		StartedAt:  t.StartedAt.Time,
		FinishedAt: t.FinishedAt.Time,
	}
}

func convertHPA(h *autoscalingv2.HorizontalPodAutoscaler) *model.HPA {
	out := &model.HPA{
		Name:            h.Name,
		MaxReplicas:     h.Spec.MaxReplicas,
		MinReplicas:     1,
		CurrentReplicas: h.Status.CurrentReplicas,
		DesiredReplicas: h.Status.DesiredReplicas,
	}
	if h.Spec.MinReplicas != nil {
		out.MinReplicas = *h.Spec.MinReplicas
	}
	current := map[string]int32{}
	for _, m := range h.Status.CurrentMetrics {
		switch {
		case m.Resource != nil && m.Resource.Current.AverageUtilization != nil:
			current[string(m.Resource.Name)] = *m.Resource.Current.AverageUtilization
		case m.ContainerResource != nil && m.ContainerResource.Current.AverageUtilization != nil:
			current[m.ContainerResource.Container+"/"+string(m.ContainerResource.Name)] = *m.ContainerResource.Current.AverageUtilization
		}
	}
	for _, m := range h.Spec.Metrics {
		var hm model.HPAMetric
		var target autoscalingv2.MetricTarget
		var ok bool // the status holds a current value
		switch {
		case m.Resource != nil:
			hm.Resource, target = string(m.Resource.Name), m.Resource.Target
			hm.CurrentUtilization, ok = current[hm.Resource]
			hm.NoCurrent = !ok
		case m.ContainerResource != nil:
			hm.Resource, hm.Container, target = string(m.ContainerResource.Name), m.ContainerResource.Container, m.ContainerResource.Target
			hm.CurrentUtilization, ok = current[hm.Container+"/"+hm.Resource]
			hm.NoCurrent = !ok
		default:
			hm.Resource = string(m.Type)
		}
		if target.AverageUtilization != nil {
			hm.TargetUtilization = *target.AverageUtilization
		}
		if v := target.AverageValue; v != nil {
			if hm.Resource == string(corev1.ResourceCPU) {
				hm.TargetAverageValue = v.MilliValue()
			} else {
				hm.TargetAverageValue = v.Value()
			}
		}
		out.Metrics = append(out.Metrics, hm)
	}
	return out
}

// convertEvent summarises an event; container is parsed from the field path
// "spec.containers{name}".
func convertEvent(e *corev1.Event) model.Event {
	out := model.Event{
		Type:     e.Type,
		Reason:   e.Reason,
		Message:  e.Message,
		Count:    max(e.Count, 1),
		LastSeen: eventTime(e),
		Object:   e.InvolvedObject.Kind + "/" + e.InvolvedObject.Name,
	}
	if e.Series != nil {
		out.Count = max(out.Count, e.Series.Count)
	}
	if fp := e.InvolvedObject.FieldPath; strings.HasPrefix(fp, "spec.containers{") && strings.HasSuffix(fp, "}") {
		out.Container = strings.TrimSuffix(strings.TrimPrefix(fp, "spec.containers{"), "}")
	}
	return out
}

func eventTime(e *corev1.Event) time.Time {
	switch {
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return e.Series.LastObservedTime.Time
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	case !e.FirstTimestamp.IsZero():
		return e.FirstTimestamp.Time
	}
	return e.CreationTimestamp.Time
}
