//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kgotop/kgotop/internal/report"
	"github.com/kgotop/kgotop/internal/scenario"
)

// The same scenarios seeded into the sandbox give the advice the demo gives.
// The sandbox's pods have no Go process behind them, so advice that needs a
// /metrics page (scenario.NeedsRuntime), or on replicas watched over time
// (scenario.NeedsWatching), is the demo's alone; the rest must match. The usage history the demo simulates is saved where kgotop keeps
// history for the sandbox, as a long-running kgotop would have built it.
func TestSandboxGivesTheDemosAdvice(t *testing.T) {
	needSandbox(t)
	cache := t.TempDir()
	// scripts/sandbox built the seeder when it seeded the sandbox.
	seed := exec.Command(filepath.Join(sandboxDir, "run", "sandboxseed"), "--kubeconfig", kubeconfig(), "--history-only")
	seed.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("saving the simulated history: %v\n%s", err, out)
	}
	// Advice on an HPA reads its current utilization, which the HPA
	// controller reports a sync period or two after metrics arrive.
	k := kube(t)
	eventually(t, "every HPA to report its current utilization", 2*time.Minute, func() bool {
		hpas, err := k.AutoscalingV2().HorizontalPodAutoscalers(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return false
		}
		for _, h := range hpas.Items {
			measured := false
			for _, m := range h.Status.CurrentMetrics {
				measured = measured || m.Resource != nil && m.Resource.Current.AverageUtilization != nil
			}
			if !measured {
				return false
			}
		}
		return true
	})
	// The demo's history is simulated, not Prometheus': the sandbox's past
	// from Prometheus stays out of this comparison (history_test.go reads it).
	sandbox := parseReport(t, cache, "--kubeconfig", kubeconfig(), "-n", ns, "--report", "-o", "json", "--prometheus", "off")
	demo := parseReport(t, t.TempDir(), "--demo", "--report", "-o", "json")

	// Every patch the report prints applies cleanly, as printed (a server-side dry run).
	patches := 0
	for _, w := range sandbox.Workloads {
		if w.Patch == nil {
			continue
		}
		patches++
		cmd := exec.Command("sh", "-c", w.Patch.Command+" --dry-run=server")
		cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: the printed patch does not apply: %v\n%s\n%s", w.Name, err, w.Patch.Command, out)
		}
	}
	if patches < 5 {
		t.Errorf("only %d workloads have a patch; the scenarios call for more", patches)
	}
	for _, sc := range scenario.All() {
		t.Run(sc.Name, func(t *testing.T) {
			inSandbox, inDemo := kinds(sandbox, sc), kinds(demo, sc)
			for _, want := range sc.Expect {
				if !slices.Contains(inDemo, want) {
					t.Errorf("the demo gives %s no %s advice: %v", sc.Name, want, inDemo)
				}
				if !slices.Contains(sc.NeedsRuntime, want) && !slices.Contains(sc.NeedsWatching, want) && !slices.Contains(inSandbox, want) {
					t.Errorf("the sandbox gives %s no %s advice: %v (the demo: %v)", sc.Name, want, inSandbox, inDemo)
				}
			}
		})
	}
}

// kinds returns the kinds of advice a report gives a scenario's workload.
func kinds(r report.JSONReport, sc scenario.Scenario) []string {
	var out []string
	for _, w := range r.Workloads {
		if w.Name == sc.Name && w.Kind == string(sc.Kind) {
			for _, a := range w.Advice {
				out = append(out, string(a.Kind))
			}
		}
	}
	return out
}
