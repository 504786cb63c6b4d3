package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
)

// persistKinds cycles the value types of the -persist dataset.
var persistKinds = []func(i int) []string{
	func(i int) []string { return []string{"SET", "k:" + strconv.Itoa(i), "value-" + strconv.Itoa(i)} },
	func(i int) []string { return []string{"SET", "k:" + strconv.Itoa(i), strconv.Itoa(i)} },
	func(i int) []string {
		return []string{"HSET", "k:" + strconv.Itoa(i), "a", strconv.Itoa(i), "b", "text"}
	},
	func(i int) []string { return []string{"RPUSH", "k:" + strconv.Itoa(i), "x", "y", strconv.Itoa(i)} },
	func(i int) []string { return []string{"SADD", "k:" + strconv.Itoa(i), "1", "2", strconv.Itoa(i)} },
	func(i int) []string {
		return []string{"ZADD", "k:" + strconv.Itoa(i), "1", "a", "2.5", "b", strconv.Itoa(i), "c"}
	},
}

// fillMixed writes n keys of mixed types with pipelined batches.
func fillMixed(c *hosttest.Conn, n int) error {
	const batch = 1000
	for start := 0; start < n; start += batch {
		var raw []byte
		end := min(start+batch, n)
		for i := start; i < end; i++ {
			raw = hosttest.AppendCommand(raw, persistKinds[i%len(persistKinds)](i)...)
		}
		if err := c.Send(raw); err != nil {
			return err
		}
		for i := start; i < end; i++ {
			f, err := c.ReadFrame()
			if err != nil {
				return err
			}
			if f.IsError() {
				return fmt.Errorf("populate: %s", f.Str)
			}
		}
	}
	return nil
}

// timed runs one command and returns how long its reply took.
func timed(c *hosttest.Conn, args ...string) (time.Duration, error) {
	start := time.Now()
	f, err := c.Command(args...)
	if err != nil {
		return 0, err
	}
	if f.IsError() {
		return 0, fmt.Errorf("%v: %s", args, f.Str)
	}
	return time.Since(start), nil
}

// reportPersist fills n mixed keys on both servers and compares SAVE time
// and load time (DEBUG RELOAD NOSAVE: flush and load the file just saved).
func reportPersist(servers [2]server, n int) error {
	hosttest.ReplyTimeout = 10 * time.Minute
	var save, load [2]time.Duration
	for i, s := range servers {
		c, err := hosttest.DialConn(s.proc.Addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := timed(c, "FLUSHALL"); err != nil {
			return err
		}
		if err := fillMixed(c, n); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if save[i], err = timed(c, "SAVE"); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if load[i], err = timed(c, "DEBUG", "RELOAD", "NOSAVE"); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	fmt.Printf("\nPersistence, %d mixed keys (strings, ints, hashes, lists, sets, zsets):\n", n)
	fmt.Printf("  %-6s %10s %10s %8s\n", "", "modhost", "redis", "ratio")
	fmt.Printf("  %-6s %10.3fs %10.3fs %8.2f\n", "SAVE", save[0].Seconds(), save[1].Seconds(), save[0].Seconds()/save[1].Seconds())
	fmt.Printf("  %-6s %10.3fs %10.3fs %8.2f\n", "load", load[0].Seconds(), load[1].Seconds(), load[0].Seconds()/load[1].Seconds())
	return nil
}
