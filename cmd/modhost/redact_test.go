package main

import (
	"regexp"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// redactTranscript runs a module command that redacts some of its
// arguments and returns what the slow log and a MONITOR client show of
// it, times masked.
func redactTranscript(t *testing.T, srv *hosttest.Server) []string {
	c, mon := srv.Conn(t), srv.Conn(t)
	require.Equal(t, "+OK\r\n", string(mon.Do("MONITOR")))
	var out []string
	do := func(args ...string) { out = append(out, string(c.Do(args...))) }
	do("CONFIG", "SET", "slowlog-log-slower-than", "0")
	do("SLOWLOG", "RESET")
	do("tutil.redact", "user", "secret", "more", "end")
	do("tutil.redact")
	do("SET", "k", "v")
	f, err := c.Command("SLOWLOG", "GET", "3")
	require.NoError(t, err)
	for _, e := range f.Elems {
		out = append(out, string(e.Elems[3].Raw))
	}
	for i := 0; i < 3; i++ {
		fr, err := mon.ReadFrame()
		require.NoError(t, err)
		out = append(out, regexp.MustCompile(`^\+[0-9.]+ \[0 [^\]]*\]`).ReplaceAllString(string(fr.Raw), "+T [0 addr]"))
	}
	return out
}

// TestRedactClientCommandArgument: arguments a module redacts show as
// "(redacted)" in SLOWLOG GET and MONITOR, as on redis-server 7.0.15;
// positions 0 and argc are refused.
func TestRedactClientCommandArgument(t *testing.T) {
	args := []string{"--save", "", "--loadmodule", moduleSO(t, "test_util")}
	want := redactTranscript(t, hosttest.StartServer(t, hosttest.RedisBin(t), args...))
	got := redactTranscript(t, hosttest.StartModhost(t, args...))
	require.Equal(t, want, got)
	require.Contains(t, got, `+T [0 addr] "tutil.redact" "(redacted)" "secret" "(redacted)" "end"`+"\r\n")
}
