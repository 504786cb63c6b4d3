package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile to $MODHOST_CPUPROFILE, when set, until
// the returned function is called (at shutdown). It is a tool for
// performance work, off by default.
func startProfile() func() {
	path := os.Getenv("MODHOST_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
