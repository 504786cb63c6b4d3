package main

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// idleTolerance bounds the idle times these tests accept (ms): the
// commands run back to back, so only a loaded machine gets near it.
const idleTolerance = 5000

// maskPending returns an extended XPENDING reply with each entry's idle
// time replaced by "~", after checking it lies in [lo, lo+idleTolerance)
// where lo is minIdle[id] (0 if absent).
func maskPending(t *testing.T, f *hosttest.Frame, minIdle map[string]int64) string {
	t.Helper()
	out := string(f.Raw[:len(f.Raw)-len(elemsRaw(f))])
	for _, e := range f.Elems {
		require.Len(t, e.Elems, 4, "%s", e)
		out += string(e.Raw[:len(e.Raw)-len(elemsRaw(e))]) + string(e.Elems[0].Raw) + string(e.Elems[1].Raw)
		out += maskInt(t, e.Elems[2], minIdle[string(e.Elems[0].Str)]) + string(e.Elems[3].Raw)
	}
	return out
}

// maskInt checks that integer reply f lies in [lo, lo+idleTolerance) and
// returns "~" for it.
func maskInt(t *testing.T, f *hosttest.Frame, lo int64) string {
	t.Helper()
	require.Equal(t, byte(':'), f.Type, "not an integer: %s", f)
	v, err := strconv.ParseInt(string(f.Str), 10, 64)
	require.NoError(t, err)
	require.GreaterOrEqual(t, v, lo)
	require.Less(t, v, lo+idleTolerance)
	return "~"
}

// elemsRaw is the bytes of f's elements (its raw reply without header).
func elemsRaw(f *hosttest.Frame) []byte {
	n := 0
	for _, e := range f.Elems {
		n += len(e.Raw)
	}
	return f.Raw[len(f.Raw)-n:]
}

// TestStreamGroupsIdleTimes compares, with redis-server 7.0.15, the replies
// that carry idle times (XPENDING's extended form, XINFO CONSUMERS, XCLAIM
// IDLE), checking each idle time lies in the expected window.
func TestStreamGroupsIdleTimes(t *testing.T) {
	r, m := startPair(t)
	var replies [2][]string
	for i, s := range []*hosttest.Server{r, m} {
		c := s.Conn(t)
		for _, cmd := range [][]string{
			{"XADD", "s", "1-0", "a", "1"}, {"XADD", "s", "2-0", "b", "2"}, {"XADD", "s", "3-0", "c", "3"},
			{"XGROUP", "CREATE", "s", "g", "0"},
			{"XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"},
			{"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"},
			{"XCLAIM", "s", "g", "bob", "0", "1-0", "IDLE", "600000", "JUSTID"},
		} {
			require.NotContains(t, string(c.Do(cmd...)), "-ERR", cmd)
		}
		do := func(args ...string) *hosttest.Frame {
			f, err := c.Command(args...)
			require.NoError(t, err)
			return f
		}
		var out []string
		claimed := map[string]int64{"1-0": 600000}
		for _, args := range [][]string{
			{"XPENDING", "s", "g", "-", "+", "10"},
			{"XPENDING", "s", "g", "IDLE", "500000", "-", "+", "10"},
			{"XPENDING", "s", "g", "IDLE", "500000", "(1-0", "+", "10", "bob"},
			{"XPENDING", "s", "g", "-", "+", "1", "bob"},
			{"XPENDING", "s", "g", "(1-0", "+", "10", "bob"},
		} {
			out = append(out, maskPending(t, do(args...), claimed))
		}
		// XINFO CONSUMERS: name, pending, idle (7.2 adds inactive: dropped).
		f := do("XINFO", "CONSUMERS", "s", "g")
		require.Len(t, f.Elems, 2)
		for _, cons := range f.Elems {
			require.GreaterOrEqual(t, len(cons.Elems), 6)
			out = append(out, string(cons.Elems[1].Raw)+string(cons.Elems[3].Raw)+maskInt(t, cons.Elems[5], 0))
		}
		require.Len(t, out, 7)
		replies[i] = out
	}
	require.Equal(t, replies[0], replies[1])
}

// TestStreamGroupsConsumerTimes checks the Redis 7.2 consumer times that
// 7.0 lacks: inactive is -1 until a consumer reads or claims something,
// and active-time in XINFO STREAM FULL matches.
func TestStreamGroupsConsumerTimes(t *testing.T) {
	s := startModhost(t)
	c := s.Conn(t)
	c.Do("XADD", "s", "1-0", "a", "1")
	c.Do("XGROUP", "CREATE", "s", "g", "$")
	c.Do("XGROUP", "CREATECONSUMER", "s", "g", "fresh")
	c.Do("XREADGROUP", "GROUP", "g", "empty", "STREAMS", "s", ">")
	c.Do("XGROUP", "SETID", "s", "g", "0")
	c.Do("XREADGROUP", "GROUP", "g", "reader", "STREAMS", "s", ">")
	f, err := c.Command("XINFO", "CONSUMERS", "s", "g")
	require.NoError(t, err)
	require.Len(t, f.Elems, 3)
	inactive := map[string]string{}
	for _, cons := range f.Elems {
		require.Equal(t, "inactive", string(cons.Elems[6].Str))
		inactive[string(cons.Elems[1].Str)] = string(cons.Elems[7].Str)
	}
	require.Equal(t, "-1", inactive["fresh"])
	require.Equal(t, "-1", inactive["empty"])
	n, err := strconv.Atoi(inactive["reader"])
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 0)
	require.Less(t, n, idleTolerance)
	full, err := c.Command("XINFO", "STREAM", "s", "FULL")
	require.NoError(t, err)
	consumers := full.Elems[17].Elems[0].Elems[13]
	require.Len(t, consumers.Elems, 3)
	for _, cons := range consumers.Elems {
		require.Equal(t, "active-time", string(cons.Elems[4].Str))
		seen, _ := strconv.ParseInt(string(cons.Elems[3].Str), 10, 64)
		active, _ := strconv.ParseInt(string(cons.Elems[5].Str), 10, 64)
		if string(cons.Elems[1].Str) == "reader" {
			require.Equal(t, seen, active)
		} else {
			require.Equal(t, int64(-1), active)
		}
	}
}
