package advisor

import "fmt"

// Resource sections and names of a container's resources.
const (
	Requests = "requests"
	Limits   = "limits"
	CPU      = "cpu"
	Memory   = "memory"
)

// Change is one edit of a container in the pod template. Exactly one of
// Resource, Env and Image is set.
type Change struct {
	Container string          `json:"container"`
	Resource  *ResourceChange `json:"resource,omitempty"`
	Env       *EnvChange      `json:"env,omitempty"`
	Image     *ImageChange    `json:"image,omitempty"`
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
