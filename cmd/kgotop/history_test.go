package main

import (
	"log/slog"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes/fake"

	"github.com/kgotop/kgotop/internal/collect"
	"github.com/kgotop/kgotop/internal/model"
)

// A change applied from the dashboard is saved at once, beside the usage
// history, and the next run of kgotop on the same cluster and namespace
// starts with it (so its follow-up survives a restart); --no-history keeps
// it in the run alone.
func TestAppliedChangesSurviveARestart(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	tgt := &target{server: "https://127.0.0.1:6443", context: "sandbox", namespace: "shop"}
	log := slog.New(slog.DiscardHandler)
	newC := func() *collect.Collector {
		kube := fake.NewClientset()
		return collect.New(collect.Clients{Kube: kube, Discovery: kube.Discovery()}, collect.Options{Namespace: "shop"})
	}
	ch := model.AppliedChange{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "api"}, Way: model.ChangeResize,
		At: time.Now().Add(-time.Minute).UTC().Truncate(time.Second), Template: true, Pods: []string{"api-1"},
		Fields: []model.ChangedField{{Container: "app", Field: "resources.limits.memory", Before: "256Mi", After: "384Mi", Undo: &model.FieldUndo{Amount: 256 << 20}}}}

	first := newC()
	loadHistory(first, tgt, log, func(msg string) { t.Errorf("warning: %s", msg) }).recorder(first)(ch)
	if got := first.Changes(); len(got) != 1 {
		t.Fatalf("this run has %d changes", len(got))
	}
	second := newC()
	loadHistory(second, tgt, log, func(msg string) { t.Errorf("warning: %s", msg) })
	got := second.Changes()
	if len(got) != 1 || got[0].Ref != ch.Ref || !got[0].At.Equal(ch.At) || got[0].Fields[0].Undo.Amount != 256<<20 {
		t.Fatalf("the next run has %+v", got)
	}

	var none *history // --no-history
	third := newC()
	none.recorder(third)(ch)
	if len(third.Changes()) != 1 {
		t.Error("without history the change is still this run's")
	}
}
