package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// This file is the report's "applied changes" section: every change kgotop
// applied from the dashboard (rollouts and in-place resizes) that it still
// keeps, with what followed the newest of each workload.

// JSONChange is one change kgotop applied, in `applied_changes`.
type JSONChange struct {
	Kind      string            `json:"kind"`
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Way       string            `json:"way"` // rollout, resize, template
	At        time.Time         `json:"at"`
	Template  bool              `json:"template"` // the template patch went in
	Pods      []string          `json:"pods,omitempty"`
	Stopped   string            `json:"stopped,omitempty"`
	Fields    []JSONChangeField `json:"fields"`
	// FollowUp is what followed the workload's newest change (absent on
	// older ones); UndoCommand puts its before values back.
	FollowUp    *JSONFollowUp `json:"follow_up,omitempty"`
	UndoCommand string        `json:"undo_command,omitempty"`
	// UndoResizeCommands resize the running pods back in place, each in
	// turn, before UndoCommand, when the change reached them in place (or
	// the workload's pods take no template change).
	UndoResizeCommands []string `json:"undo_resize_commands,omitempty"`
}

// JSONChangeField is one field a change set.
type JSONChangeField struct {
	Container string `json:"container"`
	Field     string `json:"field"`
	Before    string `json:"before"`
	After     string `json:"after"`
}

// JSONFollowUp is what followed a change (advisor.Since).
type JSONFollowUp struct {
	NewPods          int      `json:"new_pods"`
	NewReady         int      `json:"new_ready"`
	OldPods          int      `json:"old_pods"`
	Resized          int      `json:"resized_pods"`
	Replaced         int      `json:"replaced_pods"`
	Waiting          []string `json:"waiting,omitempty"`
	Restarts         int32    `json:"restarts"`
	OOMKilledPods    int      `json:"oomkilled_pods"`
	CrashLoop        string   `json:"crash_loop,omitempty"`
	ThrottledWindows int      `json:"throttled_windows"`
	// Trouble says what went wrong since, "" when nothing did: the change
	// then has critical advice of kind after-change.
	Trouble string `json:"trouble,omitempty"`
}

// appliedChange is a change with its workload, for the section.
type appliedChange struct {
	w      model.Workload
	ch     model.AppliedChange
	newest bool
}

// appliedChanges returns every change the snapshot's workloads carry,
// newest first.
func appliedChanges(s model.Snapshot) []appliedChange {
	var out []appliedChange
	for _, w := range s.Workloads {
		for i, ch := range w.Changes {
			out = append(out, appliedChange{w: w, ch: ch, newest: i == 0})
		}
	}
	for i := 1; i < len(out); i++ { // few: an insertion sort keeps ties in workload order
		for j := i; j > 0 && out[j].ch.At.After(out[j-1].ch.At); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// jsonChanges converts the snapshot's changes for the JSON report.
func jsonChanges(s model.Snapshot) []JSONChange {
	var out []JSONChange
	for _, a := range appliedChanges(s) {
		ch := a.ch
		jc := JSONChange{Kind: string(ch.Ref.Kind), Namespace: ch.Ref.Namespace, Name: ch.Ref.Name, Way: string(ch.Way), At: ch.At.UTC(),
			Template: ch.Template, Pods: ch.Pods, Stopped: ch.Stopped, Fields: []JSONChangeField{}}
		for _, f := range ch.Fields {
			jc.Fields = append(jc.Fields, JSONChangeField{Container: f.Container, Field: f.Field, Before: f.Before, After: f.After})
		}
		if a.newest {
			if since, ok := advisor.FollowUp(a.w); ok {
				jc.FollowUp = &JSONFollowUp{NewPods: since.NewPods, NewReady: since.NewReady, OldPods: since.OldPods, Resized: since.Resized,
					Replaced: since.Replaced, Waiting: since.Waiting, Restarts: since.Restarts, OOMKilledPods: since.OOMKilledPods, CrashLoop: since.CrashLoop,
					ThrottledWindows: since.Throttled, Trouble: since.Trouble()}
			}
			if undo, err := advisor.UndoPatch(a.w, ch); err == nil {
				jc.UndoCommand = undo.Command
			}
			if rb, ok := undoRunbook(a.w); ok && rb.inPlace {
				jc.UndoResizeCommands = rb.resizes()
			}
		}
		out = append(out, jc)
	}
	return out
}

// changeLines are the section's lines, for text and Markdown: one per
// change, and what followed the newest of each workload.
func changeLines(s model.Snapshot) []string {
	var out []string
	for _, a := range appliedChanges(s) {
		ch := a.ch
		name := ch.Ref.Kind.Short() + "/" + ch.Ref.Name
		if s.Namespace == "" {
			name = ch.Ref.Namespace + "/" + name
		}
		var fields []string
		for _, f := range ch.Fields {
			fields = append(fields, fmt.Sprintf("%s %s %s → %s", f.Container, f.Field, f.Before, f.After))
		}
		how := fmt.Sprintf("%s %s ago (%s)", ch.Way.Past(), model.FormatAge(max(s.Taken.Sub(ch.At), 0)), ch.At.UTC().Format(time.DateTime+"Z"))
		if ch.Way == model.ChangeResize {
			how += ", " + plural(len(ch.Pods), "pod") + " in place"
		}
		how += ifElse(ch.Template, ", the template patched", ", the template NOT patched (the next rollout undoes it)")
		line := fmt.Sprintf("%s: %s: %s", name, how, strings.Join(fields, ", "))
		if ch.Stopped != "" {
			line += "; stopped: " + ch.Stopped
		}
		out = append(out, line)
		if !a.newest {
			continue
		}
		if since, ok := advisor.FollowUp(a.w); ok {
			out = append(out, name+": since: "+sinceWords(since))
		}
	}
	return out
}

// sinceWords says what followed a change in one line.
func sinceWords(s advisor.Since) string {
	var parts []string
	if s.Change.Way == model.ChangeResize {
		resized := fmt.Sprintf("%d of %d pods resized", s.Resized+s.Replaced, len(s.Change.Pods))
		if s.Replaced > 0 {
			resized += fmt.Sprintf(", %d since replaced", s.Replaced)
		}
		parts = append(parts, resized)
	}
	if s.NewPods > 0 || s.Change.Way == model.ChangeRollout {
		parts = append(parts, fmt.Sprintf("%d new pods (%d ready), %d old still running", s.NewPods, s.NewReady, s.OldPods))
	}
	switch t := s.Trouble(); {
	case t != "" && s.Blame() != "":
		parts = append(parts, t+" (critical: the after-change advice has the undo command)")
	case t != "":
		parts = append(parts, t+" (not from what the change lowered, so no undo: the after-change advice says what next)")
	default:
		parts = append(parts, plural(int(s.Restarts), "restart")+", no OOMKill, no crash loop")
	}
	return strings.Join(parts, "; ")
}
