package model

import (
	"strings"
	"time"
)

// ChangeWay is how a change reached the running pods.
type ChangeWay string

// The ways a change is applied.
const (
	// ChangeRollout: a template patch; the controller replaces the pods.
	ChangeRollout ChangeWay = "rollout"
	// ChangeResize: the pods were resized in place (pods/resize), and the
	// template patch followed unless Template says otherwise.
	ChangeResize ChangeWay = "resize"
	// ChangeTemplate: a template patch that replaces no running pod (an
	// OnDelete StatefulSet or DaemonSet, a ReplicaSet, a CronJob).
	ChangeTemplate ChangeWay = "template"
)

// Past returns the word for a change of this way that happened: "resized",
// "rolled out", "patched".
func (w ChangeWay) Past() string {
	switch w {
	case ChangeResize:
		return "resized"
	case ChangeTemplate:
		return "patched"
	}
	return "rolled out"
}

// PastIt returns Past with its object: "resized it", "rolled it out",
// "patched it".
func (w ChangeWay) PastIt() string {
	if w == ChangeRollout {
		return "rolled it out"
	}
	return w.Past() + " it"
}

// AppliedChange is one change kgotop applied to a workload, kept (with
// the usage history, between runs) so that what followed it can be
// judged: what changed, when, from what to what, and how to put it back.
type AppliedChange struct {
	Ref WorkloadRef `json:"ref"`
	Way ChangeWay   `json:"way"`
	At  time.Time   `json:"at"`
	// Fields are the template fields the change set, before and after.
	Fields []ChangedField `json:"fields"`
	// Template is whether the template patch went in.
	Template bool `json:"template"`
	// Pods are the pods resized in place, in the order they were (a resize).
	Pods []string `json:"pods,omitempty"`
	// Restarts holds the restarts of each pod of the workload at the
	// change (its containers' summed), to count restarts since.
	Restarts map[string]int32 `json:"restarts,omitempty"`
	// Stopped says why a resize stopped before it was done ("" when it went
	// through); pods it did not reach keep their old values.
	Stopped string `json:"stopped,omitempty"`
	// Resized holds when each pod of Pods was seen running with the change
	// (its kubelet had applied it), the run having begun At: what a pod went
	// through before then, it went through with its old values.
	Resized map[string]time.Time `json:"resized,omitempty"`
	// Reverts is when the change this one put back was made (kgotop's
	// undo); zero for a change of its own. Undoing an undo would put back
	// the values that failed, so it is not offered.
	Reverts time.Time `json:"reverts,omitzero"`
}

// LastUndoable returns the last change kgotop applied to the workload
// when undoing it is worth offering: it is not itself an undo.
func (w Workload) LastUndoable() (AppliedChange, bool) {
	if len(w.Changes) == 0 || !w.Changes[0].Reverts.IsZero() {
		return AppliedChange{}, false
	}
	return w.Changes[0], true
}

// ReachedAt returns when the change reached pod: when the pod was seen
// resized in place, else when the change was made.
func (c AppliedChange) ReachedAt(pod string) time.Time {
	if t, ok := c.Resized[pod]; ok {
		return t
	}
	return c.At
}

// ChangedField is one field of one container that a change set.
type ChangedField struct {
	Container string `json:"container"`
	// Field is the template field relative to the container:
	// "resources.limits.memory", "env[GOMEMLIMIT]", "image", "startupProbe".
	Field string `json:"field"`
	// Before and After are the values as people read them.
	Before string `json:"before"`
	After  string `json:"after"`
	// Undo says how to put Before back; nil when a patch cannot (an env
	// var from valueFrom, a probe).
	Undo *FieldUndo `json:"undo,omitempty"`
}

// FieldUndo is the value that puts a field back: Amount (millicores or
// bytes) for a resource, Value for an env var or an image; Unset when the
// field was not set, so that putting it back removes it.
type FieldUndo struct {
	Amount int64  `json:"amount,omitempty"`
	Value  string `json:"value,omitempty"`
	Unset  bool   `json:"unset,omitempty"`
}

// Resources returns whether the change set only requests and limits.
func (c AppliedChange) Resources() bool {
	for _, f := range c.Fields {
		if !strings.HasPrefix(f.Field, "resources.") {
			return false
		}
	}
	return len(c.Fields) > 0
}

// RestartsSince returns how often a pod's containers restarted since the
// change: all its restarts when it was made after the change, those past
// its count at the change when it was there then, and none when that count
// is unknown.
func (c AppliedChange) RestartsSince(p Pod, restarts int32) int32 {
	if !p.Created.Before(c.At) {
		return restarts
	}
	if was, ok := c.Restarts[p.Name]; ok && restarts >= was {
		return restarts - was
	}
	return 0
}
