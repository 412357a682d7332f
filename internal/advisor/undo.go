package advisor

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// This file turns an applied patch into the record kgotop keeps of it
// (model.AppliedChange) and a record back into the patch that undoes it.

// undoOf returns how to put back the value a change replaces in container
// c, or nil when a patch cannot: an env var from valueFrom, a probe.
func undoOf(c model.Container, ch Change) *model.FieldUndo {
	switch {
	case ch.Resource != nil:
		l, implied := c.Resources.Requests, c.Resources.Implied
		if ch.Resource.Section == Limits {
			l, implied = c.Resources.Limits, model.ResourceFlags{}
		}
		amount, left := l.Memory, implied.Memory
		if ch.Resource.Name == CPU {
			amount, left = l.CPU, implied.CPU
		}
		if amount <= 0 || left {
			return &model.FieldUndo{Unset: true}
		}
		return &model.FieldUndo{Amount: amount}
	case ch.Env != nil:
		e, ok := c.LookupEnv(ch.Env.Name)
		switch {
		case !ok:
			return &model.FieldUndo{Unset: true}
		case e.From != nil:
			return nil
		}
		return &model.FieldUndo{Value: e.Value}
	case ch.Image != nil:
		return &model.FieldUndo{Value: c.Image}
	}
	return nil
}

// Applied returns the record of patch p, made from w's advice and applied
// at at in the given way: its fields before and after, how to undo each,
// and the restarts of each of w's pods then, to count restarts since. The
// caller fills in what only it knows (the pods resized, whether it stopped).
func Applied(w model.Workload, p Patch, way model.ChangeWay, at time.Time) model.AppliedChange {
	out := model.AppliedChange{Ref: w.Ref, Way: way, At: at, Template: true, Restarts: w.PodRestarts()}
	for _, f := range p.Fields {
		out.Fields = append(out.Fields, model.ChangedField{Container: f.Container, Field: f.Field, Before: f.Before, After: f.After, Undo: f.Undo})
	}
	return out
}

// ErrNoUndo is returned when no field of a change can be put back by a patch.
var ErrNoUndo = errors.New("no field of the change can be put back by a patch")

// undoKind names the advice an undo patch is made of; it is never advised.
const undoKind Kind = "undo"

// UndoPatch returns the patch that puts back the values a change replaced,
// as BuildPatch makes it (for w as it is now), with a warning for each field
// it cannot put back. It fails when the workload no longer has a container
// the change was about, or when no field can be put back.
func UndoPatch(w model.Workload, ch model.AppliedChange) (Patch, error) {
	a := Advice{ID: w.Ref.String() + "/undo", Kind: undoKind, Severity: Critical,
		Target: Target{Kind: w.Ref.Kind, Namespace: w.Ref.Namespace, Name: w.Ref.Name}}
	var left []string
	for _, f := range ch.Fields {
		c, ok := undoChange(f)
		if !ok {
			left = append(left, fmt.Sprintf("%s %s stays %s: a patch cannot put back %s", f.Container, f.Field, f.After, f.Before))
			continue
		}
		a.Changes = append(a.Changes, c)
	}
	if len(a.Changes) == 0 {
		return Patch{}, ErrNoUndo
	}
	p, err := BuildPatch(w, []Advice{a})
	if err != nil {
		return Patch{}, fmt.Errorf("undo: %w", err)
	}
	p.Warnings = append(p.Warnings, left...)
	return p, nil
}

// undoChange is the change that puts a field back, and whether there is one.
func undoChange(f model.ChangedField) (Change, bool) {
	u := f.Undo
	if u == nil {
		return Change{}, false
	}
	switch {
	case strings.HasPrefix(f.Field, "resources."):
		section, name, ok := strings.Cut(strings.TrimPrefix(f.Field, "resources."), ".")
		if !ok || (section != Requests && section != Limits) || (name != CPU && name != Memory) {
			return Change{}, false
		}
		if u.Unset {
			return Change{Container: f.Container, Resource: &ResourceChange{Section: section, Name: name, Remove: true}}, true
		}
		return setResource(f.Container, section, name, u.Amount), true
	case strings.HasPrefix(f.Field, "env[") && strings.HasSuffix(f.Field, "]"):
		name := strings.TrimSuffix(strings.TrimPrefix(f.Field, "env["), "]")
		if u.Unset {
			return removeEnv(f.Container, name), true
		}
		return setEnv(f.Container, name, u.Value), true
	case f.Field == "image" && u.Value != "":
		return Change{Container: f.Container, Image: &ImageChange{Image: u.Value}}, true
	}
	return Change{}, false
}
