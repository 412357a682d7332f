//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/report"
	"github.com/kgotop/kgotop/internal/scenario"
)

// kubectl gotop: kubectl finds kgotop on the PATH as kubectl-gotop and runs
// it as a plugin, which reports on the sandbox as kgotop does and speaks as
// `kubectl gotop`.
func TestKubectlGotop(t *testing.T) {
	needSandbox(t)
	kubectl := kubectlBin(t)
	bin := t.TempDir()
	if err := os.Symlink(kgotopBin, filepath.Join(bin, "kubectl-gotop")); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, string, int) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, kubectl, append([]string{"gotop"}, args...)...)
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "KUBECONFIG="+kubeconfig(),
			"NO_COLOR=1", "XDG_CACHE_HOME="+cacheDir, "XDG_CONFIG_HOME="+t.TempDir())
		return runCaptured(t, cmd)
	}

	text, stderr, code := run("-n", ns, "--report", "--width", "200")
	if code != 0 || !strings.Contains(text, "deploy/catalog") || !strings.Contains(text, "OOMKilled") {
		t.Fatalf("kubectl gotop -n %s --report: exit %d, stderr %q:\n%s", ns, code, stderr, text)
	}
	out, stderr, code := run("-n", ns, "--report", "-o", "json")
	var r report.JSONReport
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("kubectl gotop --report -o json: exit %d, stderr %q", code, stderr)
	}
	for _, sc := range scenario.All() {
		workload(t, r, string(sc.Kind), sc.Name)
	}
	if _, stderr, code := run("-n", ns, "--bogus"); code != 2 || stderr != "kubectl gotop: unknown flag: --bogus\n" {
		t.Errorf("kubectl gotop --bogus: exit %d, stderr %q", code, stderr)
	}
}

// kubectlBin is the kubectl on the PATH, else $SANDBOX_KUBECTL, else the one
// scripts/sandbox built from tools/kube.
func kubectlBin(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("kubectl"); err == nil {
		return p
	}
	if p := os.Getenv("SANDBOX_KUBECTL"); p != "" {
		return p
	}
	cache := os.Getenv("SANDBOX_BIN_DIR")
	if cache == "" {
		cache = filepath.Join(repoRoot, ".sandbox", "bin")
	}
	if built, _ := filepath.Glob(filepath.Join(cache, "kube-*", "kubectl")); len(built) > 0 {
		return built[0]
	}
	t.Fatal("no kubectl: none on the PATH, no SANDBOX_KUBECTL, none built by scripts/sandbox")
	return ""
}
