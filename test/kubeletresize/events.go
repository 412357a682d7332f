package main

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
)

// resizeMessage is the message of the kubelet's resize events
// (pkg/kubelet/events/resize.go): a prefix, then the resources the spec asks
// for, the generation and the error, as JSON.
func resizeMessage(prefix string, pod *corev1.Pod, generation int64, errMsg string) string {
	type container struct {
		Name      string                      `json:"name"`
		Resources corev1.ResourceRequirements `json:"resources,omitempty"`
	}
	summary := struct {
		InitContainers []container `json:"initContainers,omitempty"`
		Containers     []container `json:"containers,omitempty"`
		Generation     int64       `json:"generation"`
		Error          string      `json:"error,omitempty"`
	}{Generation: generation, Error: errMsg}
	for _, c := range pod.Spec.InitContainers {
		summary.InitContainers = append(summary.InitContainers, container{c.Name, c.Resources})
	}
	for _, c := range pod.Spec.Containers {
		summary.Containers = append(summary.Containers, container{c.Name, c.Resources})
	}
	b, err := json.Marshal(summary)
	if err != nil {
		return prefix
	}
	return prefix + ": " + string(b)
}

// memoryBelowUsage is the kubelet's refusal to set a memory limit below what
// the pod uses (kuberuntime's validateMemoryResizeAction): the message of the
// PodResizeInProgress Error, or "" when the limits may be set. The kubelet
// compares the pod's limit and each container's falling limit, and names the
// pod's usage in both messages.
func (k kubelet) memoryBelowUsage(pod *corev1.Pod, st *corev1.PodStatus, alloc allocation) string {
	if k.usage == nil {
		return ""
	}
	var podLimit, podCurrent int64 // 0: no pod-level limit (a container has none)
	podLimitSet, podCurrentSet := true, true
	falling := map[string]int64{}
	eachStatus(pod, st, func(c *corev1.Container, cs *corev1.ContainerStatus) {
		limits := alloc[c.Name].Limits
		want, cur := limits.Memory().Value(), cs.Resources.Limits.Memory().Value()
		podLimit, podLimitSet = podLimit+want, podLimitSet && want != 0
		podCurrent, podCurrentSet = podCurrent+cur, podCurrentSet && cur != 0
		// A container that restarts for its resize is not updated in place.
		if want != 0 && (cur == 0 || want < cur) && !restartNeeded(c, *cs.Resources, alloc[c.Name]) {
			falling[c.Name] = want
		}
	})
	podFalling := podLimitSet && (!podCurrentSet || podLimit < podCurrent)
	if !podFalling && len(falling) == 0 {
		return ""
	}
	used := k.usage(pod)
	if used == nil {
		return ""
	}
	var podUsage int64
	for _, b := range used {
		podUsage += b
	}
	var errs []error
	if podFalling && podUsage >= podLimit {
		errs = append(errs, fmt.Errorf("attempting to set pod memory limit (%d) below current usage (%d)", podLimit, podUsage))
	}
	for _, c := range resizable(&pod.Spec) {
		if want, ok := falling[c.Name]; ok && used[c.Name] >= want {
			errs = append(errs, fmt.Errorf("attempting to set container %q memory limit (%d) below current usage (%d)",
				c.Name, want, podUsage))
		}
	}
	if len(errs) == 0 {
		return ""
	}
	return "cannot decrease memory limits: " + strings.TrimSpace(utilerrors.NewAggregate(errs).Error())
}
