package main

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
)

// bgsaveLatency is what one server showed while a BGSAVE ran.
type bgsaveLatency struct {
	pings      int
	worst, p99 time.Duration
	total      time.Duration // BGSAVE call to rdb_bgsave_in_progress:0
}

// measureBgsave fills n mixed keys, starts a BGSAVE and PINGs back to back
// on another connection until the save is over (at most two minutes),
// timing each PING.
func measureBgsave(addr string, n int) (bgsaveLatency, error) {
	var r bgsaveLatency
	c, err := hosttest.DialConn(addr)
	if err != nil {
		return r, err
	}
	defer c.Close()
	p, err := hosttest.DialConn(addr)
	if err != nil {
		return r, err
	}
	defer p.Close()
	if _, err := timed(c, "FLUSHALL"); err != nil {
		return r, err
	}
	if err := fillMixed(c, n); err != nil {
		return r, err
	}
	if _, err := timed(c, "SAVE"); err != nil { // no save points racing the measured one
		return r, err
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		if _, err := timed(c, "BGSAVE"); err != nil {
			done <- err
			return
		}
		for time.Since(start) < 2*time.Minute {
			f, err := c.Command("INFO", "persistence")
			if err != nil {
				done <- err
				return
			}
			if bytes.Contains([]byte(f.Str), []byte("rdb_bgsave_in_progress:0")) {
				done <- nil
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		done <- fmt.Errorf("BGSAVE still running after 2 minutes")
	}()
	var lat []time.Duration
	for {
		d, err := timed(p, "PING")
		if err != nil {
			return r, err
		}
		lat = append(lat, d)
		select {
		case err := <-done:
			if err != nil {
				return r, err
			}
			r.total = time.Since(start)
			slices.Sort(lat)
			r.pings, r.worst = len(lat), lat[len(lat)-1]
			r.p99 = lat[len(lat)*99/100]
			return r, nil
		default:
		}
	}
}

// reportBgsave compares PING latency during a BGSAVE of n mixed keys.
func reportBgsave(servers [2]server, n int) error {
	hosttest.ReplyTimeout = 10 * time.Minute
	var res [2]bgsaveLatency
	for i, s := range servers {
		var err error
		if res[i], err = measureBgsave(s.proc.Addr, n); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("\nLatency during BGSAVE, %d mixed keys (PINGs back to back on another connection):\n", n)
	fmt.Printf("  %-12s %10s %10s\n", "", "modhost", "redis")
	fmt.Printf("  %-12s %9.2fms %9.2fms\n", "worst PING", ms(res[0].worst), ms(res[1].worst))
	fmt.Printf("  %-12s %9.2fms %9.2fms\n", "p99 PING", ms(res[0].p99), ms(res[1].p99))
	fmt.Printf("  %-12s %10d %10d\n", "PINGs", res[0].pings, res[1].pings)
	fmt.Printf("  %-12s %9.3fs %9.3fs\n", "BGSAVE", res[0].total.Seconds(), res[1].total.Seconds())
	return nil
}
