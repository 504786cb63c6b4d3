package main

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestModuleThreadLockExcludesCommands races a module thread that
// increments a counter under ThreadSafeContextLock with clients that
// increment it from a command: the increments are non-atomic, so a lost
// update would show if the thread and commands ever overlapped.
func TestModuleThreadLockExcludesCommands(t *testing.T) {
	s := startBlockServer(t)
	ctl := s.Conn(t)
	const threadIncrs, clients, perClient = 20000, 4, 500
	require.Equal(t, "+OK\r\n", string(ctl.Do("tthread.race", strconv.Itoa(threadIncrs))))
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := hosttest.DialConn(s.Addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for j := 0; j < perClient; j++ {
				if f, err := c.Command("tthread.incr"); err != nil || f.Type != ':' {
					errs <- fmt.Errorf("tthread.incr: %v %v", f, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	want := fmt.Sprintf(":%d\r\n", threadIncrs+clients*perClient)
	require.Equal(t, want, string(ctl.Do("tthread.wait")))
}

func TestModuleThreadContexts(t *testing.T) {
	s := startBlockServer(t)
	c := s.Conn(t)
	tests := []struct {
		cmd  []string
		want string
	}{
		{[]string{"tthread.trylock"}, "*2\r\n:1\r\n:1\r\n"},
		{[]string{"tthread.detached"}, "+OK\r\n"},
		{[]string{"tthread.unbound"}, "+OK\r\n"},
		{[]string{"tblock.tsreply", "3"}, "*3\r\n:1\r\n:2\r\n:3\r\n"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, string(c.Do(tc.cmd...)), "%v", tc.cmd)
	}
	waitLog(t, s, "<tthread> tthread: detached context line")
}

func TestModuleTimersManyAndOrder(t *testing.T) {
	s := startBlockServer(t)
	c := s.Conn(t)
	require.Equal(t, ":5000\r\n", string(c.Do("ttimer.many", "5000", "1")))
	require.Eventually(t, func() bool { return string(c.Do("ttimer.count")) == ":5000\r\n" },
		10*time.Second, 10*time.Millisecond)
	// Timers fire in expiry order whatever the creation order.
	// One pipeline, so the four are created within one batch.
	var adds []byte
	for i, ms := range []string{"40", "10", "30", "20"} {
		adds = hosttest.AppendCommand(adds, "ttimer.add", ms, strconv.Itoa(i+1))
	}
	require.NoError(t, c.Send(adds))
	for range 4 {
		f, err := c.ReadFrame()
		require.NoError(t, err)
		require.Equal(t, "+OK\r\n", string(f.Raw))
	}
	require.Eventually(t, func() bool {
		f, err := c.Command("ttimer.fired")
		require.NoError(t, err)
		// Wait for all four: a loaded machine (or a -race build) may run
		// the event goroutine late, never out of order.
		if len(f.Elems) < 4 {
			return false
		}
		require.Equal(t, "*4\r\n+2:0\r\n+4:0\r\n+3:0\r\n+1:0\r\n", string(f.Raw))
		return true
	}, 10*time.Second, 100*time.Millisecond)
	st := runtimeStats(t, c)
	require.Equal(t, int64(0), st["timers"])
}

func TestModuleEventLoopPipe(t *testing.T) {
	s := startBlockServer(t)
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("tel.pipe")))
	for i := 0; i < 20; i++ {
		require.Equal(t, "+OK\r\n", string(c.Do("tel.write", strconv.Itoa(i%10))))
	}
	var got string
	require.Eventually(t, func() bool {
		f, err := c.Command("tel.read")
		require.NoError(t, err)
		got += string(f.Str)
		return len(got) >= 20
	}, 10*time.Second, 5*time.Millisecond)
	require.Equal(t, "01234567890123456789", got)
	require.Equal(t, "+OK\r\n", string(c.Do("tel.oneshot", "300")))
	var shots []int64
	require.Eventually(t, func() bool {
		f, err := c.Command("tel.shots")
		require.NoError(t, err)
		for _, e := range f.Elems {
			n, err := strconv.ParseInt(string(e.Str), 10, 64)
			require.NoError(t, err)
			shots = append(shots, n)
		}
		return len(shots) >= 300
	}, 10*time.Second, 5*time.Millisecond)
	for i, v := range shots {
		require.Equal(t, int64(i+1), v, "one-shot events run in order")
	}
	require.Equal(t, "+OK\r\n", string(c.Do("tel.close")))
}
