package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// TestDebugSubcommandsOfTheTestSuites covers the DEBUG subcommands whose
// effect a differential script cannot show: CHANGE-REPL-ID renews
// master_replid, PAUSE-CRON stops the active expiry, STRINGMATCH-TEST runs,
// and the subcommands modhost cannot honour are refused with their reason.
func TestDebugSubcommandsOfTheTestSuites(t *testing.T) {
	c := hosttest.StartModhost(t, "--enable-debug-command", "yes").Conn(t)
	repl, _ := infoSection(t, c, "replication")
	require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "CHANGE-REPL-ID")))
	repl2, _ := infoSection(t, c, "replication")
	require.Len(t, repl2["master_replid"], 40)
	require.NotEqual(t, repl["master_replid"], repl2["master_replid"])

	require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "PAUSE-CRON", "1")))
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "k", "v", "PX", "20")))
	time.Sleep(400 * time.Millisecond)
	require.Equal(t, ":1\r\n", string(c.Do("DBSIZE")), "no active expiry while the cron is paused")
	require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "PAUSE-CRON", "0")))
	require.Eventually(t, func() bool { return string(c.Do("DBSIZE")) == ":0\r\n" }, 5*time.Second, 20*time.Millisecond)

	require.Equal(t, "+Apparently Redis did not crash: test passed\r\n", string(c.Do("DEBUG", "STRINGMATCH-TEST")))
	require.Equal(t, "-ERR DEBUG RESTART is not supported by modhost: modhost cannot re-exec itself\r\n", string(c.Do("DEBUG", "restart")))
	require.Equal(t, "-ERR DEBUG MALLCTL is not supported by modhost: modhost does not use jemalloc\r\n", string(c.Do("DEBUG", "MALLCTL", "x")))
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
}
