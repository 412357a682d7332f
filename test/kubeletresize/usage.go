package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"
)

// kwokUsage reads a pod's memory usage where metrics-server reads it: kwok's
// resource metrics endpoint for the pod's node (container_memory_working_set_bytes,
// the simulated usage of the pod's annotations). nil when it cannot be read.
func kwokUsage(base string) func(pod *corev1.Pod) map[string]int64 {
	client := &http.Client{Timeout: 3 * time.Second}
	return func(pod *corev1.Pod) map[string]int64 {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		page, err := get(ctx, client, fmt.Sprintf("%s/metrics/nodes/%s/metrics/resource", base, pod.Spec.NodeName))
		if err != nil {
			return nil
		}
		return memoryOf(page, pod)
	}
}

func get(ctx context.Context, client *http.Client, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return resp.Body, nil
}

// memoryOf picks the pod's containers' working sets out of a resource metrics page.
func memoryOf(page io.ReadCloser, pod *corev1.Pod) map[string]int64 {
	defer page.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(page)
	if err != nil {
		return nil
	}
	f := families["container_memory_working_set_bytes"]
	if f == nil {
		return nil
	}
	out := map[string]int64{}
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["namespace"] == pod.Namespace && labels["pod"] == pod.Name && m.Gauge != nil {
			out[labels["container"]] = int64(m.Gauge.GetValue())
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
