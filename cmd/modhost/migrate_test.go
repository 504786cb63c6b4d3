package main

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// TestMigrateDiff runs the same MIGRATE script from a modhost source and
// from a redis-server source, each to its own redis-server target, and
// compares every reply and the target's data.
func TestMigrateDiff(t *testing.T) {
	src := map[string]*hosttest.Conn{
		"redis":   hosttest.StartRedis(t, "--save", "").Conn(t),
		"modhost": hosttest.StartModhost(t, "--save", "", "--rdb-version", "10").Conn(t),
	}
	dst := map[string]*hosttest.Server{
		"redis":   hosttest.StartRedis(t, "--save", ""),
		"modhost": hosttest.StartRedis(t, "--save", ""),
	}
	closedPort, err := hosttest.FreePort()
	require.NoError(t, err)
	type step struct {
		onSrc bool
		args  []string
	}
	script := func(port int) []step {
		p := strconv.Itoa(port)
		return []step{
			{true, []string{"MIGRATE", "127.0.0.1", p, "nokey", "0", "1000"}},
			{true, []string{"SET", "k1", "v1"}},
			{true, []string{"RPUSH", "l", "a", "b"}},
			{true, []string{"SET", "ttl", "x", "PX", "100000"}},
			{true, []string{"MIGRATE", "127.0.0.1", p, "k1", "0", "1000", "BOGUS"}},
			{true, []string{"MIGRATE", "127.0.0.1", p, "k1", "0", "1000", "KEYS", "l"}},
			{true, []string{"MIGRATE", "127.0.0.1", p, "k1", "0", "1000", "AUTH"}},
			{true, []string{"MIGRATE", "127.0.0.1", p, "k1", "zero", "1000"}},
			{true, []string{"MIGRATE", "127.0.0.1", p, "k1", "0", "1000", "COPY"}},
			{true, []string{"EXISTS", "k1"}},
			{true, []string{"MIGRATE", "127.0.0.1", p, "k1", "0", "1000"}},
			{true, []string{"MIGRATE", "127.0.0.1", p, "k1", "0", "1000", "REPLACE"}},
			{true, []string{"EXISTS", "k1"}},
			{true, []string{"MIGRATE", "127.0.0.1", p, "", "3", "1000", "KEYS", "l", "ttl", "missing"}},
			{true, []string{"EXISTS", "l", "ttl"}},
			{true, []string{"SET", "k2", "v"}},
			{true, []string{"MIGRATE", "127.0.0.1", p, "k2", "0", "1000", "AUTH", "nopass"}},
			{true, []string{"MIGRATE", "127.0.0.1", strconv.Itoa(closedPort), "k2", "0", "300"}},
			{false, []string{"GET", "k1"}},
			{false, []string{"SELECT", "3"}},
			{false, []string{"LRANGE", "l", "0", "-1"}},
			{false, []string{"GET", "ttl"}},
			{false, []string{"EXISTS", "missing"}},
		}
	}
	replies := map[string][]string{}
	for name, c := range src {
		d := dst[name]
		dc := d.Conn(t)
		for _, st := range script(d.Port) {
			conn := c
			if !st.onSrc {
				conn = dc
			}
			replies[name] = append(replies[name], string(conn.Do(st.args...)))
		}
	}
	steps := script(0)
	for i := range replies["redis"] {
		require.Equal(t, replies["redis"][i], replies["modhost"][i], "%v", steps[i].args)
	}
}
