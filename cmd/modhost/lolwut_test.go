package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/buildinfo"
	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestLolwut compares LOLWUT with redis-server 7.0.15. The version in the
// text differs (modhost names the Redis version it implements), so it is
// replaced before comparing. Schotter (VERSION 5) disturbs its squares at
// random from the third row on, so only drawings of at most two rows are
// compared byte for byte; taller ones and the random skyline (VERSION 6)
// are compared by shape: lines, their widths and the characters used.
func TestLolwut(t *testing.T) {
	redis, modhost := startPair(t)
	rc, mc := redis.Conn(t), modhost.Conn(t)
	// text returns the reply's type and payload with the version replaced.
	text := func(c *hosttest.Conn, version string, args ...string) string {
		t.Helper()
		f, err := c.Command(args...)
		require.NoError(t, err)
		return string(f.Type) + strings.ReplaceAll(string(f.Str), "Redis ver. "+version, "Redis ver. X")
	}
	same := func(args ...string) {
		t.Helper()
		require.Equal(t, text(rc, "7.0.15", args...), text(mc, buildinfo.RedisVersion, args...), "%v", args)
	}
	same("LOLWUT")
	same("LOLWUT", "VERSION")
	same("LOLWUT", "VERSION", "x")
	same("LOLWUT", "VERSION", "7")
	same("LOLWUT", "VERSION", "4")
	same("LOLWUT", "VERSION", "5", "x")
	same("LOLWUT", "VERSION", "5", "10", "2", "x")
	same("LOLWUT", "VERSION", "6", "10", "x")
	same("LOLWUT", "VERSION", "5", "66", "8", "2")
	same("LOLWUT", "VERSION", "5", "30", "3", "1")
	same("LOLWUT", "VERSION", "5", "0", "0", "0")
	same("LOLWUT", "VERSION", "5", "7", "-5", "2")
	same("LOLWUT", "VERSION", "5", "5000", "300", "2")
	same("LOLWUT", "VERSION", "4294967301", "40", "5", "2") // 5 as unsigned int

	// shape: every line's length in runes and the set of runes or escapes
	shape := func(b []byte) []string {
		var out []string
		esc := regexp.MustCompile(`\x1b\[[0-9;]*m \x1b\[0m`)
		for _, l := range strings.Split(string(b), "\n") {
			cells := esc.FindAllString(l, -1)
			if len(cells) > 0 {
				out = append(out, "cells:"+strings.Repeat("c", len(cells)))
				continue
			}
			out = append(out, "runes:"+strings.Repeat("r", len([]rune(l))))
		}
		return out
	}
	for _, args := range [][]string{{"LOLWUT", "VERSION", "5"}, {"LOLWUT", "VERSION", "5", "40", "6", "9"}, {"LOLWUT", "VERSION", "6"}, {"LOLWUT", "VERSION", "6", "30", "12"}} {
		r, m := text(rc, "7.0.15", args...), text(mc, buildinfo.RedisVersion, args...)
		require.Equal(t, shape([]byte(r)), shape([]byte(m)), "%v", args)
	}
}
