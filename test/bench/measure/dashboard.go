package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// dashboard is what one run of the dashboard measured.
type dashboard struct {
	// Seconds from starting the tmux session: the status line names some
	// workloads, all of them, and the screen is complete (all workloads,
	// metrics shown in the header and usage on every visible row).
	FirstRowsS    float64 `json:"first_rows_s"`
	AllWorkloadsS float64 `json:"all_workloads_s"`
	CompleteS     float64 `json:"complete_s"`
	// Resident memory: the peak (VmHWM) over the whole run, and the largest
	// and the median VmRSS sampled each half second in the steady window.
	RSSPeakMB         float64 `json:"rss_peak_mb"`
	RSSSteadyMaxMB    float64 `json:"rss_steady_max_mb"`
	RSSSteadyMedianMB float64 `json:"rss_steady_median_mb"`
	// AnonSteadyMedianMB is the median RssAnon in the steady window: the
	// process's own memory, without the pages of its executable.
	AnonSteadyMedianMB float64 `json:"anon_steady_median_mb"`
	// CPU is utime+stime over the steady window, in % of one core.
	CPUPercent float64 `json:"cpu_pct"`
	SteadyS    float64 `json:"steady_s"`
	// Key presses: time from sending j (or k) to the cursor line moving.
	KeyMedianMS float64 `json:"key_median_ms"`
	KeyMaxMS    float64 `json:"key_max_ms"`
	KeyPresses  int     `json:"key_presses"`
	KeyMissed   int     `json:"key_missed"`

	t0, tComplete, s0, s1, tEnd time.Time
}

func (d dashboard) start() time.Time                     { return d.t0 }
func (d dashboard) end() time.Time                       { return d.tEnd }
func (d dashboard) completeAt() time.Time                { return d.tComplete }
func (d dashboard) steadyWindow() (time.Time, time.Time) { return d.s0, d.s1 }

// tmux drives one private tmux server.
type tmux struct {
	socket, session string
}

func (t tmux) cmd(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-L", t.socket}, args...)...)
}

func (t tmux) run(args ...string) (string, error) {
	out, err := t.cmd(args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("tmux %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func (t tmux) capture() ([]string, error) {
	out, err := t.run("capture-pane", "-p", "-t", t.session)
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(out, "\n"), "\n"), nil
}

var (
	workloadsRe = regexp.MustCompile(`(\d+) workloads? · sorted by`)
	metricsRe   = regexp.MustCompile(`metrics \S+ ago`)
)

// screen is what the bench reads off one capture.
type screen struct {
	workloads int    // from the status line; -1 when not shown
	metrics   bool   // the header says how old the newest metrics are
	unsampled int    // visible rows without a usage figure ("?/...")
	cursor    int    // the line index of the selected row; -1 if none
	selected  string // the workload on the selected row
}

func readScreen(lines []string) screen {
	s := screen{workloads: -1, cursor: -1}
	if len(lines) > 0 {
		s.metrics = metricsRe.MatchString(lines[0])
	}
	inTable := false
	for i, l := range lines {
		if m := workloadsRe.FindStringSubmatch(l); m != nil && s.workloads < 0 {
			s.workloads, _ = strconv.Atoi(m[1])
		}
		switch {
		case strings.Contains(l, "WORKLOAD") && strings.Contains(l, "KIND"):
			inTable = true
			continue
		case strings.HasPrefix(l, "─"):
			inTable = false
		}
		if !inTable {
			continue
		}
		if name, ok := strings.CutPrefix(l, "▌"); ok { // the usage bars draw ▌ too, never first
			s.cursor = i
			if f := strings.Fields(name); len(f) > 0 {
				s.selected = f[0]
			}
		}
		if strings.Contains(l, "?/") {
			s.unsampled++
		}
	}
	return s
}

func (s screen) complete(workloads int) bool {
	return s.workloads == workloads && s.metrics && s.unsampled == 0
}

// runDashboard starts kgotop in a tmux session of its own and measures it.
func runDashboard(ctx context.Context, o options) (dashboard, error) {
	var d dashboard
	work, err := filepath.Abs(o.work)
	if err != nil {
		return d, err
	}
	t := tmux{socket: fmt.Sprintf("kgotop-bench-%d", os.Getpid()), session: "bench"}
	defer t.run("kill-server") //nolint:errcheck // best effort: the server may be gone
	pid, err := startDashboard(t, o, work, &d)
	if err != nil {
		return d, err
	}
	mem := startSampler(pid, 500*time.Millisecond)
	defer mem.stop()
	if err := firstScreen(ctx, t, o, pid, &d); err != nil {
		return d, err
	}
	if err := steadyWindow(ctx, o, pid, mem, &d); err != nil {
		return d, err
	}
	if err := keyPresses(ctx, t, o, &d); err != nil {
		return d, err
	}
	d.RSSPeakMB = peakRSS(pid)
	return d, quitDashboard(t, pid, &d)
}

// startDashboard starts kgotop in a tmux pane of o's size and returns its PID.
func startDashboard(t tmux, o options, work string, d *dashboard) (int, error) {
	conf := filepath.Join(work, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g status off\nset -g escape-time 0\n"), 0o644); err != nil {
		return 0, err
	}
	args := []string{"-f", conf, "new-session", "-d", "-s", t.session, "-x", strconv.Itoa(o.width), "-y", strconv.Itoa(o.height),
		"-e", "XDG_CACHE_HOME=" + filepath.Join(work, "cache"), "-e", "TERM=xterm-256color", "--", o.kgotop}
	args = append(args, kgotopArgs(o, "--log-file", filepath.Join(work, fmt.Sprintf("dashboard-%d.log", o.pods)))...)
	if err := evict(o.kgotop); err != nil {
		return 0, err
	}
	d.t0 = time.Now()
	if _, err := t.run(args...); err != nil {
		return 0, err
	}
	pidText, err := t.run("display-message", "-p", "-t", t.session, "#{pane_pid}")
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(pidText))
	if err != nil {
		return 0, fmt.Errorf("pane pid %q: %w", pidText, err)
	}
	return pid, nil
}

// firstScreen waits for the first complete screen: every workload, with
// metrics and usage on every row.
func firstScreen(ctx context.Context, t tmux, o options, pid int, d *dashboard) error {
	deadline := d.t0.Add(o.startTimeout)
	for {
		lines, err := t.capture()
		if err != nil {
			return err
		}
		now := time.Now()
		s := readScreen(lines)
		if s.workloads > 0 && d.FirstRowsS == 0 {
			d.FirstRowsS = now.Sub(d.t0).Seconds()
		}
		if s.workloads == o.workloads && d.AllWorkloadsS == 0 {
			d.AllWorkloadsS = now.Sub(d.t0).Seconds()
		}
		if s.complete(o.workloads) {
			d.tComplete = now
			d.CompleteS = now.Sub(d.t0).Seconds()
			break
		}
		switch {
		case !alive(pid):
			return fmt.Errorf("kgotop exited before its first complete screen:\n%s", strings.Join(lines, "\n"))
		case ctx.Err() != nil:
			return ctx.Err()
		case now.After(deadline):
			return fmt.Errorf("no complete screen within %s (want %d workloads, metrics and usage on every row); last screen:\n%s",
				o.startTimeout, o.workloads, strings.Join(lines, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	logf("first rows %.2fs, all %d workloads %.2fs, complete screen %.2fs", d.FirstRowsS, o.workloads, d.AllWorkloadsS, d.CompleteS)
	return nil
}

// steadyWindow measures CPU and resident memory over o.steady, after o.settle.
func steadyWindow(ctx context.Context, o options, pid int, mem *sampler, d *dashboard) error {
	if !sleepCtx(ctx, o.settle) {
		return ctx.Err()
	}
	d.s0 = time.Now()
	cpu0, err := cpuTicks(pid)
	if err != nil {
		return err
	}
	if !sleepCtx(ctx, o.steady) {
		return ctx.Err()
	}
	cpu1, err := cpuTicks(pid)
	if err != nil {
		return err
	}
	d.s1 = time.Now()
	d.SteadyS = d.s1.Sub(d.s0).Seconds()
	d.CPUPercent = 100 * float64(cpu1-cpu0) / clockTicks() / d.SteadyS
	steady, anon := mem.between(d.s0, d.s1)
	if len(steady) > 0 {
		d.RSSSteadyMaxMB = slices.Max(steady)
		slices.Sort(steady)
		slices.Sort(anon)
		d.RSSSteadyMedianMB, d.AnonSteadyMedianMB = steady[len(steady)/2], anon[len(anon)/2]
	}
	logf("steady %.0fs: CPU %.2f%% of a core, RSS max %.1f MB median %.1f MB (anon %.1f MB)",
		d.SteadyS, d.CPUPercent, d.RSSSteadyMaxMB, d.RSSSteadyMedianMB, d.AnonSteadyMedianMB)
	return nil
}

// keyPresses times o.keys presses: j down half the time, then k back up,
// sorted by name (N) so that a refresh does not move the selected row, from
// the top (g) so that the j presses never meet the last row.
func keyPresses(ctx context.Context, t tmux, o options, d *dashboard) error {
	if _, err := t.run("send-keys", "-t", t.session, "N", "g"); err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	var lat []float64
	for i := range o.keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		k := "j"
		if i >= o.keys/2 {
			k = "k"
		}
		ms, ok, err := pressKey(t, k)
		if err != nil {
			return err
		}
		if ok {
			lat = append(lat, ms)
		} else {
			d.KeyMissed++
		}
		time.Sleep(time.Duration(200+37*i%200) * time.Millisecond) // at varied phases of the refresh
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		d.KeyMedianMS, d.KeyMaxMS, d.KeyPresses = lat[len(lat)/2], lat[len(lat)-1], len(lat)
	}
	logf("key presses: median %.1f ms, max %.1f ms (%d timed, %d missed)", d.KeyMedianMS, d.KeyMaxMS, d.KeyPresses, d.KeyMissed)
	return nil
}

// quitDashboard presses q and waits up to 30 s for kgotop to exit.
func quitDashboard(t tmux, pid int, d *dashboard) error {
	if _, err := t.run("send-keys", "-t", t.session, "q"); err != nil {
		return err
	}
	for i := 0; i < 300 && alive(pid); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	d.tEnd = time.Now()
	if alive(pid) {
		return fmt.Errorf("kgotop did not quit within 30s of q")
	}
	return nil
}

// pressKey sends one key and returns the milliseconds until another
// workload is selected (the cursor moved, or the table scrolled under it).
func pressKey(t tmux, key string) (float64, bool, error) {
	before, err := t.capture()
	if err != nil {
		return 0, false, err
	}
	was := readScreen(before)
	if was.cursor < 0 {
		return 0, false, fmt.Errorf("no selected row on the screen:\n%s", strings.Join(before, "\n"))
	}
	start := time.Now()
	if _, err := t.run("send-keys", "-t", t.session, key); err != nil {
		return 0, false, err
	}
	var lines []string
	for time.Since(start) < 5*time.Second {
		if lines, err = t.capture(); err != nil {
			return 0, false, err
		}
		if now := readScreen(lines); now.cursor >= 0 && (now.cursor != was.cursor || now.selected != was.selected) {
			return float64(time.Since(start).Microseconds()) / 1000, true, nil
		}
	}
	logf("%s moved no cursor in 5s (selected line %d); the screen:\n%s", key, was.cursor, strings.Join(lines, "\n"))
	return 0, false, nil
}

// sleepCtx waits d, or less when ctx ends (then it returns false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}
