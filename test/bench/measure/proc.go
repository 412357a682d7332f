package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// alive reports whether the process still runs (and is not a zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	return ok && !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

// running returns the PIDs of processes running the executable at path.
func running(path string) []int {
	want, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []int
	for _, d := range dirs {
		exe, err := os.Readlink(filepath.Join(d, "exe"))
		if err != nil || exe != want {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(d)); err == nil && alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// statusKB reads one "VmXXX:   1234 kB" field of /proc/PID/status.
func statusKB(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			f := strings.Fields(v)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// evict drops a file's pages from the page cache. The resident memory of a
// Go binary includes the pages of its executable that are mapped, and how
// many are depends on what the page cache holds: a binary just built is all
// there (and mapped around every fault), one not run for a while is not. So
// every run starts from the same, cold, page cache.
func evict(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	const fadvDontNeed = 4 // POSIX_FADV_DONTNEED
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0); errno != 0 {
		return fmt.Errorf("fadvise %s: %w", path, errno)
	}
	return nil
}

// peakRSS is VmHWM in MB (0 if the process is gone).
func peakRSS(pid int) float64 {
	kb, _ := statusKB(pid, "VmHWM")
	return float64(kb) / 1024
}

// cpuTicks is utime+stime of /proc/PID/stat, in clock ticks.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("cannot read /proc/%d/stat", pid)
	}
	// After "pid (comm) ": state is field 3, utime 14, stime 15.
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("cannot read the CPU times of /proc/%d/stat", pid)
	}
	return u + s, nil
}

// clockTicks is USER_HZ (getconf CLK_TCK), 100 when it cannot be asked.
func clockTicks() float64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err == nil {
		if v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64); err == nil && v > 0 {
			return v
		}
	}
	return 100
}

// sampler reads VmRSS and RssAnon every interval until stopped.
type sampler struct {
	mu      sync.Mutex
	at      []time.Time
	rssMB   []float64
	anonMB  []float64
	done    chan struct{}
	stopped sync.Once
}

func startSampler(pid int, every time.Duration) *sampler {
	s := &sampler{done: make(chan struct{})}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			kb, err1 := statusKB(pid, "VmRSS")
			anon, err2 := statusKB(pid, "RssAnon")
			if err1 == nil && err2 == nil {
				s.mu.Lock()
				s.at, s.rssMB, s.anonMB = append(s.at, time.Now()), append(s.rssMB, float64(kb)/1024), append(s.anonMB, float64(anon)/1024)
				s.mu.Unlock()
			}
			select {
			case <-s.done:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) stop() { s.stopped.Do(func() { close(s.done) }) }

// between returns the VmRSS and RssAnon samples taken in [from, to].
func (s *sampler) between(from, to time.Time) (rss, anon []float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.at {
		if !t.Before(from) && !t.After(to) {
			rss, anon = append(rss, s.rssMB[i]), append(anon, s.anonMB[i])
		}
	}
	return rss, anon
}
