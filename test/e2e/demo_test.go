//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The demo's dashboard, driven in tmux as a person would, with no cluster.

// demoLoaded is what the demo's dashboard shows once it has its picture.
var demoLoaded = []string{"ns kgotop-demo", "WORKLOAD", "enter details"}

// exitCode waits for kgotop to exit and returns its exit code.
func (s *tmuxSession) exitCode(limit time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(s.exit); err == nil {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("kgotop did not exit:\n%s", s.screen())
	return ""
}

// running reports whether kgotop has not exited.
func (s *tmuxSession) running() bool {
	_, err := os.Stat(s.exit)
	return err != nil
}

// mouse sends an SGR mouse event at the 0-based cell x, y: button 0 is the
// left button, 65 the wheel down; press false sends the release.
func (s *tmuxSession) mouse(button, x, y int, press bool) {
	end := "M"
	if !press {
		end = "m"
	}
	seq := fmt.Sprintf("\x1b[<%d;%d;%d%s", button, x+1, y+1, end)
	args := []string{"send-keys", "-t", s.name, "-H"}
	for _, b := range []byte(seq) {
		args = append(args, fmt.Sprintf("%02x", b))
	}
	if err := exec.Command("tmux", args...).Run(); err != nil {
		s.t.Fatalf("send-keys %q: %v", seq, err)
	}
	time.Sleep(150 * time.Millisecond)
}

// y copies the selected workload's kubectl patch command to a file in
// kgotop's state folder, which the footer names; in the details, 1 copies
// the command numbered [1] there.
func TestDemoCopyToFile(t *testing.T) {
	state := t.TempDir()
	s := startTmuxEnv(t, []string{"XDG_STATE_HOME=" + state}, 160, 40, "--demo")
	s.waitFor(60*time.Second, demoLoaded...)
	file := filepath.Join(state, "kgotop", "copied.txt")

	s.keys(":", "i", "n", "g", "e", "s", "t", "Enter", "y") // ledger, on top, offers its undo

	s.waitFor(10*time.Second, file)
	b, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(b), "kubectl patch deployment ingest -n kgotop-demo --type=strategic -p '{") {
		t.Fatalf("y wrote %q (%v)", b, err)
	}
	if screen := s.screen(); strings.Contains(screen, "copied the kubectl patch command") == strings.Contains(screen, "saved the kubectl patch command") {
		t.Fatalf("the footer should say either that the clipboard took it or that it was saved:\n%s", screen)
	}

	s.keys(":", "n", "o", "t", "i", "f", "Enter", "Enter", "1")
	deadline := time.Now().Add(10 * time.Second)
	for b, _ = os.ReadFile(file); !strings.HasPrefix(string(b), "kubectl logs") && time.Now().Before(deadline); b, _ = os.ReadFile(file) {
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.HasPrefix(string(b), "kubectl logs notifier-") || !strings.HasSuffix(string(b), "--previous\n") {
		t.Fatalf("1 in notifier's details wrote %q", b)
	}
	s.waitFor(10*time.Second, "[1] in "+file)
}

// q, ←, h and esc go back one level; q quits only from the table.
func TestDemoGoingBack(t *testing.T) {
	s := startTmux(t, 120, 32, "--demo")
	s.waitFor(60*time.Second, demoLoaded...)
	for _, back := range []string{"q", "Left", "h", "Escape", "BSpace"} {
		s.keys("Enter")
		s.waitFor(10*time.Second, "── container", "q/esc back")
		s.keys(back)
		s.waitFor(10*time.Second, "WORKLOAD", "q quit")
		if !s.running() {
			t.Fatalf("%s in the details ended kgotop", back)
		}
	}
	s.keys(":", "i", "n", "g", "e", "s", "t", "Enter", "Enter", "p")
	s.waitFor(10*time.Second, "PATCH deployment ingest")
	s.keys("q")
	s.waitFor(10*time.Second, "── container") // the patch opened from the details goes back to them
	s.keys("q", "q")
	if code := s.exitCode(10 * time.Second); code != "0" {
		t.Fatalf("q in the table: exit %s", code)
	}
}

// A click selects a line and a second click opens it; the wheel moves.
func TestDemoMouseSelection(t *testing.T) {
	s := startTmux(t, 120, 32, "--demo")
	screen := s.waitFor(60*time.Second, demoLoaded...)
	lines := strings.Split(screen, "\n")
	title := -1
	for i, l := range lines {
		if strings.HasPrefix(l, " WORKLOAD") {
			title = i
		}
	}
	if title < 0 || len(lines) < title+4 {
		t.Fatalf("no table:\n%s", screen)
	}
	third := strings.Fields(lines[title+3])[0]
	s.mouse(0, 5, title+3, true)
	s.mouse(0, 5, title+3, false)
	s.waitFor(10*time.Second, "▌"+third)
	s.mouse(0, 5, title+3, true)
	s.mouse(0, 5, title+3, false)
	s.waitFor(10*time.Second, third+" · ", "── container "+third)
	s.keys("Escape")
	s.waitFor(10*time.Second, "▌"+third)
	fourth := strings.Fields(lines[title+4])[0]
	s.mouse(65, 5, title+3, true) // the wheel down moves the cursor one line
	s.waitFor(10*time.Second, "▌"+fourth)
}

// In the demo a patch applied with a dry run and Y rolls the pods, and the
// details show the rollout: new pods, made since the patch.
func TestDemoRollout(t *testing.T) {
	s := startTmux(t, 120, 40, "--demo")
	s.waitFor(60*time.Second, demoLoaded...)
	s.keys(":", "i", "n", "g", "e", "s", "t", "Enter", "Enter", "G")
	before := s.waitFor(10*time.Second, "── workload", "POD  ingest-")
	s.keys("a")
	s.waitFor(30*time.Second, "dry run passed", "Press Y to apply")
	s.keys("Y")
	s.waitFor(30*time.Second, "✓ applied")
	s.keys("Escape", "G")
	s.waitFor(30*time.Second, "new since the change")
	s.keys("g") // the follow-up of the change heads the details
	s.waitFor(30*time.Second, "ROLLOUT done: 1 pod new and ready since")
	s.keys("G")
	after := s.waitFor(10*time.Second, "POD  ingest-", "new since the change")
	podName := func(screen string) string {
		_, rest, _ := strings.Cut(screen, "POD  ")
		return strings.Fields(rest)[0]
	}
	if podName(before) == podName(after) {
		t.Fatalf("the rollout kept pod %s:\n%s", podName(after), after)
	}
}
