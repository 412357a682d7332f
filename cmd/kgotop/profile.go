package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// Profiles for measuring kgotop itself (scripts/bench), off by default and
// deliberately not flags: KGOTOP_CPUPROFILE=cpu.out records a CPU profile for
// the whole run, KGOTOP_MEMPROFILE=heap.out writes a heap profile at exit
// whose in-use figures are those of the last garbage collection (not forced
// at exit, so that they show the dashboard's working set, not what is left
// once it closed). Read them with `go tool pprof bin/kgotop cpu.out`.
const (
	envCPUProfile = "KGOTOP_CPUPROFILE"
	envMemProfile = "KGOTOP_MEMPROFILE"
)

// startProfiles starts what the environment asks for and returns the
// function that finishes it; problems are reported to warn, never fatal.
func startProfiles(warn func(string)) (stop func()) {
	var cpu *os.File
	if path := os.Getenv(envCPUProfile); path != "" {
		f, err := os.Create(path)
		switch {
		case err != nil:
			warn(fmt.Sprintf("%s: %v", envCPUProfile, err))
		case pprof.StartCPUProfile(f) != nil:
			warn(envCPUProfile + ": a CPU profile is already running")
			f.Close()
		default:
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if path := os.Getenv(envMemProfile); path != "" {
			if err := writeHeapProfile(path); err != nil {
				warn(fmt.Sprintf("%s: %v", envMemProfile, err))
			}
		}
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
