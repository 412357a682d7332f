//go:build e2e

// Package e2e runs kgotop against a real control plane on 127.0.0.1 started
// by scripts/sandbox (etcd, kube-apiserver, controllers, kwok, metrics-server).
// scripts/test starts a sandbox of its own and points KGOTOP_E2E_SANDBOX at
// its folder; run by hand with
//
//	scripts/sandbox up && KGOTOP_E2E_SANDBOX=$PWD/.sandbox go test -tags e2e ./test/e2e
//
// Without KGOTOP_E2E_SANDBOX the tests that need a sandbox skip, saying so;
// the TestDemo tests (kgotop --demo in tmux) need none and run.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kgotop/kgotop/internal/report"
)

const ns = "kgotop-demo"

var (
	repoRoot   string
	sandboxDir string
	kgotopBin  string
	cacheDir   string
)

func TestMain(m *testing.M) {
	keepDescriptorsToOurselves()
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Join(filepath.Dir(file), "..", "..")
	sandboxDir = os.Getenv("KGOTOP_E2E_SANDBOX")
	dir, err := os.MkdirTemp("", "kgotop-e2e")
	if err != nil {
		panic(err)
	}
	kgotopBin = filepath.Join(dir, "kgotop")
	cacheDir = filepath.Join(dir, "cache")
	build := exec.Command("go", "build", "-o", kgotopBin, "./cmd/kgotop")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Printf("e2e: building kgotop: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// keepDescriptorsToOurselves marks the descriptors this process inherited
// (above stderr) close-on-exec: run as `flock /tmp/kgotop-e2e.lock go test
// ...`, it holds the lock's, and a process a test starts that outlives it (a
// sandbox component restarted with scripts/sandbox up, a tmux server) would
// hold the lock for every other run until it stops.
func keepDescriptorsToOurselves() {
	fds, _ := os.ReadDir("/proc/self/fd") // Linux; elsewhere nothing to do
	for _, e := range fds {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}

// needSandbox skips the test when no sandbox was given, saying how to run it.
func needSandbox(t *testing.T) {
	t.Helper()
	if sandboxDir == "" {
		t.Skip("KGOTOP_E2E_SANDBOX is not set: run `scripts/test` (it starts a sandbox of its own), " +
			"or `scripts/sandbox up && KGOTOP_E2E_SANDBOX=$PWD/.sandbox go test -tags e2e ./test/e2e`")
	}
}

func kubeconfig() string         { return filepath.Join(sandboxDir, "run", "kubeconfig") }
func readonlyKubeconfig() string { return filepath.Join(sandboxDir, "run", "kubeconfig-readonly") }

// kube returns an admin client for the sandbox.
func kube(t *testing.T) *kubernetes.Clientset {
	t.Helper()
	needSandbox(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	return kubernetes.NewForConfigOrDie(cfg)
}

// kgotop runs the binary and returns stdout, stderr and the exit code.
func kgotop(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	// A cache of the tests' own: saved usage history must not leak in from the user's.
	return kgotopIn(t, cacheDir, args...)
}

// kgotopIn runs the binary with its history cache in cache.
func kgotopIn(t *testing.T, cache string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kgotopBin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "XDG_CACHE_HOME="+cache, "XDG_CONFIG_HOME="+filepath.Join(cache, "no-config"))
	return runCaptured(t, cmd)
}

// runCaptured runs cmd and returns its stdout, stderr and exit code; a
// command that cannot start at all fails the test.
func runCaptured(t *testing.T, cmd *exec.Cmd) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", cmd.Path, err)
	}
	return stdout.String(), stderr.String(), code
}

// jsonReport runs `kgotop --report -o json` with the given kubeconfig.
func jsonReport(t *testing.T, kc string, extra ...string) report.JSONReport {
	t.Helper()
	return parseReport(t, cacheDir, append([]string{"--kubeconfig", kc, "-n", ns, "--report", "-o", "json"}, extra...)...)
}

// parseReport runs kgotop with a JSON report in args and decodes it.
func parseReport(t *testing.T, cache string, args ...string) report.JSONReport {
	t.Helper()
	stdout, stderr, code := kgotopIn(t, cache, args...)
	if code != 0 {
		t.Fatalf("kgotop %v exited %d: %s", args, code, stderr)
	}
	var r report.JSONReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout)
	}
	return r
}

// sandbox runs scripts/sandbox with the test's sandbox folder.
func sandbox(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(repoRoot, "scripts", "sandbox"), args...)
	cmd.Env = append(os.Environ(), "SANDBOX_DIR="+sandboxDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/sandbox %v: %v\n%s", args, err, out)
	}
}

func workload(t *testing.T, r report.JSONReport, kind, name string) report.JSONWorkload {
	t.Helper()
	for _, w := range r.Workloads {
		if w.Kind == kind && w.Name == name {
			return w
		}
	}
	t.Fatalf("no %s %s in the report", kind, name)
	return report.JSONWorkload{}
}

func containerOf(t *testing.T, w report.JSONWorkload, name string) report.JSONContainer {
	t.Helper()
	for _, c := range w.Containers {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %s in %s", name, w.Name)
	return report.JSONContainer{}
}

// within reports whether got is want give or take tol.
func within(got, want, tol int64) bool { return got >= want-tol && got <= want+tol }
