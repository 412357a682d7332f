package advisor

import (
	"strings"

	"github.com/kgotop/kgotop/internal/model"
)

// FieldValue reads one field of a container, named as Change.Field and
// FieldChange.Field name it ("resources.limits.memory", "env[GOMEMLIMIT]",
// "image", "startupProbe"), written as FieldChange.Before writes it:
// "484Mi", "435MiB", "not set". A name no change uses reads "".
func FieldValue(c model.Container, field string) string {
	ch, ok := changeOfField(field)
	if !ok {
		return ""
	}
	return currentValue(c, ch)
}

// Readback reads every field the patch sets from containers (what the API
// server returned for the patched template), one "app
// resources.limits.memory=484Mi" each, in the order of p.Fields.
func (p Patch) Readback(containers []model.Container) []string {
	out := make([]string, 0, len(p.Fields))
	for _, f := range p.Fields {
		i := -1
		for j := range containers {
			if containers[j].Name == f.Container {
				i = j
			}
		}
		if i < 0 {
			out = append(out, f.Container+" is missing from the result")
			continue
		}
		out = append(out, f.Container+" "+f.Field+"="+FieldValue(containers[i], f.Field))
	}
	return out
}

// changeOfField is the change that edits a field, without its new value:
// the inverse of Change.Field.
func changeOfField(field string) (Change, bool) {
	if rest, ok := strings.CutPrefix(field, "resources."); ok {
		section, name, _ := strings.Cut(rest, ".")
		if (section == Requests || section == Limits) && (name == CPU || name == Memory) {
			return Change{Resource: &ResourceChange{Section: section, Name: name}}, true
		}
		return Change{}, false
	}
	if name, ok := strings.CutPrefix(field, "env["); ok && strings.HasSuffix(name, "]") {
		return Change{Env: &EnvChange{Name: strings.TrimSuffix(name, "]")}}, true
	}
	if field == "image" {
		return Change{Image: &ImageChange{}}, true
	}
	if t, ok := strings.CutSuffix(field, "Probe"); ok {
		switch pt := model.ProbeType(t); pt {
		case model.Liveness, model.Readiness, model.Startup:
			return Change{Probe: &ProbeChange{Probe: pt}}, true
		}
	}
	return Change{}, false
}
