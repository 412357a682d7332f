package advisor

import (
	"fmt"

	"github.com/kgotop/kgotop/internal/model"
)

// Resource sections and names of a container's resources.
const (
	Requests = "requests"
	Limits   = "limits"
	CPU      = "cpu"
	Memory   = "memory"
)

// Change is one edit of a container in the pod template. Exactly one of
// Resource, Env, Image and Probe is set.
type Change struct {
	Container string          `json:"container"`
	Resource  *ResourceChange `json:"resource,omitempty"`
	Env       *EnvChange      `json:"env,omitempty"`
	Image     *ImageChange    `json:"image,omitempty"`
	Probe     *ProbeChange    `json:"probe,omitempty"`
}

// ResourceChange sets (or removes) one request or limit.
type ResourceChange struct {
	// Section is "requests" or "limits"; Name is "cpu" or "memory".
	Section string `json:"section"`
	Name    string `json:"name"`
	// Amount is in millicores for CPU and bytes for memory; Quantity is the
	// same as a Kubernetes quantity ("250m", "484Mi").
	Amount   int64  `json:"amount"`
	Quantity string `json:"quantity"`
	Remove   bool   `json:"remove,omitempty"`
}

// EnvChange sets or removes one environment variable.
type EnvChange struct {
	Name   string `json:"name"`
	Value  string `json:"value,omitempty"`
	Remove bool   `json:"remove,omitempty"`
}

// ImageChange replaces the container's image reference (to pin a digest).
type ImageChange struct {
	Image string `json:"image"`
}

// ProbeChange sets fields of one probe, merged into the probe the container
// has (or making it): {"timeoutSeconds": 3}, or a whole startupProbe.
type ProbeChange struct {
	Probe model.ProbeType `json:"probe"`
	Set   map[string]any  `json:"set"`
}

// probeField returns the container field of a probe type: "startupProbe".
func probeField(t model.ProbeType) string { return string(t) + "Probe" }

// Field returns the template field the change edits, relative to the
// container: "resources.requests.cpu", "env[GOMEMLIMIT]" or "image".
func (c Change) Field() string {
	switch {
	case c.Resource != nil:
		return "resources." + c.Resource.Section + "." + c.Resource.Name
	case c.Env != nil:
		return "env[" + c.Env.Name + "]"
	case c.Image != nil:
		return "image"
	case c.Probe != nil:
		return probeField(c.Probe.Probe)
	}
	return ""
}

// String returns "app: resources.requests.cpu=250m" and the like.
func (c Change) String() string {
	var v string
	switch {
	case c.Resource != nil && c.Resource.Remove, c.Env != nil && c.Env.Remove:
		v = " removed"
	case c.Resource != nil:
		v = "=" + c.Resource.Quantity
	case c.Env != nil:
		v = "=" + c.Env.Value
	case c.Image != nil:
		v = "=" + c.Image.Image
	case c.Probe != nil:
		v = fmt.Sprintf("=%v", c.Probe.Set)
	}
	return fmt.Sprintf("%s: %s%s", c.Container, c.Field(), v)
}

func setResource(container, section, name string, amount int64) Change {
	q := formatMemory(amount)
	if name == CPU {
		q = formatCPU(amount)
	}
	return Change{Container: container, Resource: &ResourceChange{Section: section, Name: name, Amount: amount, Quantity: q}}
}

func setEnv(container, name, value string) Change {
	return Change{Container: container, Env: &EnvChange{Name: name, Value: value}}
}

func removeEnv(container, name string) Change {
	return Change{Container: container, Env: &EnvChange{Name: name, Remove: true}}
}
