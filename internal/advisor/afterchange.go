package advisor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// This file judges what followed the newest change kgotop applied: an
// undo when the change lowered what then failed, else what the trouble
// says instead (the raise was not enough; the pods never took it).

// undoSuggested is what the after-change advice suggests when it undoes.
const undoSuggested = "undo the change"

// HeldBehindUndo: the change is an alternative to the undo of kgotop's own
// change, which comes first (see holdBehindUndo).
const HeldBehindUndo = "an alternative to the undo"

// Trouble says in a few words what went wrong since the change ("OOMKilled
// in 2 pods, 3 restarts"), or "" when nothing did.
func (s Since) Trouble() string {
	var out []string
	if s.OOMKilledPods > 0 {
		out = append(out, "OOMKilled in "+count(s.OOMKilledPods, "pod"))
	}
	if s.CrashLoop != "" {
		out = append(out, s.CrashLoop+" in CrashLoopBackOff")
	}
	if s.Throttled >= throttledWindows {
		out = append(out, fmt.Sprintf("CPU at its limit in %d metrics windows (throttled)", s.Throttled))
	}
	if len(out) > 0 && s.Restarts > 0 {
		out = append(out, count(s.Restarts, "restart"))
	}
	return strings.Join(out, ", ")
}

// Blame says which part of the change the trouble since follows from
// ("lowering the memory limit 512Mi → 176Mi"), or "" when none does. An
// OOMKill follows memory the change lowered (a request or limit cut, a
// limit set where there was none) in a pod that took it; throttling, a CPU
// request or limit it lowered; a crash loop that is not an OOMKill, a
// change to anything but requests and limits (a probe, the env, the image).
// Only then is undoing the change the answer: after a raise, the undo puts
// back the values that failed.
func (s Since) Blame() string {
	phrase, _ := s.blame()
	return phrase
}

// blame is Blame, with how many of the change's fields it names.
func (s Since) blame() (string, int) {
	ch := s.Change
	var cut, other []string
	if s.OOMKilledPods > s.OOMKilledUntaken || s.CrashLoop != "" && s.CrashOOM {
		cut = append(cut, lowered(ch, "resources.requests.memory", "resources.limits.memory")...)
	}
	if s.Throttled >= throttledWindows {
		cut = append(cut, lowered(ch, "resources.requests.cpu", "resources.limits.cpu")...)
	}
	if s.CrashLoop != "" && !s.CrashOOM {
		for _, f := range ch.Fields {
			if !strings.HasPrefix(f.Field, "resources.") {
				other = append(other, fieldWords(f))
			}
		}
	}
	var out []string
	if len(cut) > 0 {
		out = append(out, "lowering the "+strings.Join(cut, ", "))
	}
	if len(other) > 0 {
		out = append(out, "changing the "+strings.Join(other, ", "))
	}
	return strings.Join(out, " and "), len(cut) + len(other)
}

// fieldWords is a changed field for people: "memory limit 512Mi → 176Mi".
func fieldWords(f model.ChangedField) string {
	return fmt.Sprintf("%s %s → %s", fieldLabel(f.Field), f.Before, f.After)
}

// lowered names the fields among fields the change lowered: "memory limit
// 512Mi → 176Mi". A limit set where there was none is lowered too.
func lowered(ch model.AppliedChange, fields ...string) []string {
	var out []string
	for _, f := range ch.Fields {
		if !slices.Contains(fields, f.Field) {
			continue
		}
		before, after, ok := changedAmounts(ch, f.Container, f.Field)
		newLimit := before == 0 && strings.HasPrefix(f.Field, "resources.limits.") && f.Undo.Unset
		if ok && after > 0 && (after < before || newLimit) {
			out = append(out, fieldWords(f))
		}
	}
	return out
}

// afterChange raises the newest change kgotop applied to w when an OOMKill,
// a crash loop or throttling followed it: critical, with the undo patch's
// command, when the change lowered what then failed; else a warning that
// says what the trouble asks for instead, with no undo.
func afterChange(w model.Workload) []Advice {
	s, ok := FollowUp(w)
	if !ok || s.Trouble() == "" {
		return nil
	}
	ch := s.Change
	var changed []string
	for _, f := range ch.Fields {
		changed = append(changed, fieldWords(f))
	}
	did := ch.Way.Past() + " it"
	if ch.Way == model.ChangeRollout {
		did = "rolled it out"
	}
	reason := fmt.Sprintf("%s since kgotop %s (%s)", s.Trouble(), did, strings.Join(changed, ", "))
	blame, named := s.blame()
	if blame == "" {
		return []Advice{notTheChange(w, s, reason)}
	}
	if named == len(ch.Fields) { // it names every field: once is enough
		reason = fmt.Sprintf("%s since kgotop %s, %s", s.Trouble(), did, blame)
	} else {
		reason += ", " + blame
	}
	a := workloadAdvice(w, KindAfterChange, Critical, reason)
	a.Current, a.Suggested = textValue(s.Trouble()), Value{Display: undoSuggested}
	a.Evidence = sinceEvidence(s)
	if undo, err := UndoPatch(w, ch); err == nil {
		a.Code, a.CodeLang = undo.Command, "shell"
		a.Notes = append(a.Notes, "undo first: the values before the change are the last state known to work (in the dashboard, u opens the undo, "+
			"which can resize the running pods back in place too)")
	} else {
		a.Notes = append(a.Notes, "no undo patch: "+err.Error())
	}
	return []Advice{a}
}

// notTheChange is the after-change advice when the trouble does not follow
// from what the change lowered: its pods never took it, or it raised what
// then failed, which was not enough. Undoing it would put back the values
// that failed.
func notTheChange(w model.Workload, s Since, reason string) Advice {
	var why, next string
	switch {
	case s.OOMKilledPods > 0 && s.OOMKilledPods == s.OOMKilledUntaken:
		why = "the OOMKilled pods still run the values from before the change, which reaches only pods made from now on"
		next = "resize the running pods in place, or delete them one by one"
	case s.OOMKilledPods > 0 || s.CrashOOM:
		why = "the raise was not enough; the next step is the VPA's step after an OOMKill over the new limit (the memory limit advice), " +
			"and a container that outgrows every raise is leaking: check for growth (the memory growth advice, or a heap profile)"
		next = "raise it again (see the memory limit advice)"
	case s.Throttled >= throttledWindows:
		why = "the CPU it has since is still not enough (the CPU limit advice says the next step)"
		next = "see the CPU limit advice"
	default:
		why = "the change set only requests and limits and lowered none of what fails: the restarts advice says why the container stops"
		next = "see the restarts advice"
	}
	a := workloadAdvice(w, KindAfterChange, Warning, reason+": "+why)
	a.Current, a.Suggested = textValue(s.Trouble()), textValue(next)
	a.Evidence = sinceEvidence(s)
	a.Notes = append(a.Notes, "no undo: it would put back the values that failed before the change")
	return a
}

// sinceEvidence is what the after-change advice rests on.
func sinceEvidence(s Since) []Evidence {
	return []Evidence{
		{Label: "changed at", Value: s.Change.At.UTC().Format(time.RFC3339)},
		{Label: "restarts since", Value: fmt.Sprint(s.Restarts)},
		{Label: "pods OOMKilled since", Value: fmt.Sprint(s.OOMKilledPods)},
	}
}

// holdBehindUndo leaves out of the patch the advice that changes a field
// the undo of kgotop's last change puts back: while the undo stands, forward
// sizing of the same fields is an alternative to it, not a second patch of
// the same values. Advice sized to held advice is held with it, and the
// undo names the alternative.
func holdBehindUndo(w model.Workload, as []Advice) []Advice {
	i := slices.IndexFunc(as, func(a Advice) bool { return a.Kind == KindAfterChange && a.Suggested.Display == undoSuggested })
	if i < 0 {
		return as
	}
	fields := map[string]bool{}
	for _, f := range w.Changes[0].Fields {
		fields[f.Container+" "+f.Field] = true
	}
	var alt []string
	for j, a := range as {
		if !a.Patchable() || !slices.ContainsFunc(a.Changes, func(c Change) bool { return fields[c.Container+" "+c.Field()] }) {
			continue
		}
		as[j].Held, as[j].HeldWhy = true, HeldBehindUndo
		as[j].Notes = append(slices.Clip(a.Notes), "an alternative to the undo, left out of the patch: undo first, the values before the change are the last state known to work; "+
			"apply this instead only if they were wrong too")
		alt = append(alt, fmt.Sprintf("%s %s -> %s", a.Kind.Label(), a.Current.Display, a.Suggested.Display))
	}
	if len(alt) > 0 {
		as[i].Notes = append(as[i].Notes, "or, instead of the undo: "+strings.Join(alt, ", ")+" (that advice, left out of the patch while the undo stands)")
	}
	return holdWhatRestsOnHeld(as, nil)
}

// fieldLabel names a template field for people: "memory limit", "env GOMEMLIMIT".
func fieldLabel(field string) string {
	switch field {
	case "resources.requests.cpu":
		return "CPU request"
	case "resources.limits.cpu":
		return "CPU limit"
	case "resources.requests.memory":
		return "memory request"
	case "resources.limits.memory":
		return "memory limit"
	}
	if name, ok := strings.CutPrefix(field, "env["); ok {
		return "env " + strings.TrimSuffix(name, "]")
	}
	return field
}
