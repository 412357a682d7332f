package advisor

import (
	"slices"
	"testing"

	"github.com/kgotop/kgotop/internal/model"
)

// FieldValue reads a field by its name as a patch's before column reads it
// for the change of that field, for every kind of change.
func TestFieldValueReadsWhatAChangeReplaces(t *testing.T) {
	c := model.Container{
		Name:  "app",
		Image: "registry.example/app:1.0",
		Resources: model.Resources{
			Requests: model.ResourceList{CPU: 250, Memory: 256 * mi},
			Limits:   model.ResourceList{Memory: 484 * mi},
		},
		Env:    []model.EnvVar{{Name: "GOMEMLIMIT", Value: "435MiB"}},
		Probes: model.Probes{Liveness: &model.Probe{PeriodSeconds: 10, TimeoutSeconds: 1, FailureThreshold: 3}},
	}
	changes := []Change{
		setResource("app", Requests, CPU, 1), setResource("app", Requests, Memory, 1),
		setResource("app", Limits, CPU, 1), setResource("app", Limits, Memory, 1),
		setEnv("app", "GOMEMLIMIT", "1"), setEnv("app", "GOGC", "1"),
		{Container: "app", Image: &ImageChange{Image: "x"}},
		{Container: "app", Probe: &ProbeChange{Probe: model.Liveness}},
		{Container: "app", Probe: &ProbeChange{Probe: model.Startup}},
	}
	for _, ch := range changes {
		if got, want := FieldValue(c, ch.Field()), currentValue(c, ch); got != want || got == "" {
			t.Errorf("FieldValue(%q) = %q, want %q", ch.Field(), got, want)
		}
	}
	for _, field := range []string{"", "resources.limits.gpu", "env[GOGC", "sidecarProbe", "command"} {
		if got := FieldValue(c, field); got != "" {
			t.Errorf("FieldValue(%q) = %q, want nothing", field, got)
		}
	}
}

func TestReadbackNamesEveryFieldThePatchSets(t *testing.T) {
	p := Patch{Fields: []FieldChange{
		{Container: "app", Field: "resources.limits.memory"},
		{Container: "app", Field: "env[GOMEMLIMIT]"},
		{Container: "proxy", Field: "image"},
	}}
	kept := []model.Container{{Name: "app", Resources: model.Resources{Limits: model.ResourceList{Memory: 484 * mi}},
		Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "435MiB"}}}}
	want := []string{"app resources.limits.memory=484Mi", "app env[GOMEMLIMIT]=435MiB", "proxy is missing from the result"}
	if got := p.Readback(kept); !slices.Equal(got, want) {
		t.Errorf("Readback = %q, want %q", got, want)
	}
}
