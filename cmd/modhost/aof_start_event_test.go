package main

import (
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// persistenceEvents runs a server with appendonly yes in an empty
// directory and returns the Persistence events its module saw: the AOF
// base written at start-up, synchronously.
func persistenceEvents(t *testing.T, bin string) []string {
	srv := hosttest.StartServer(t, bin, "--dir", t.TempDir(), "--appendonly", "yes", "--save", "",
		"--loadmodule", moduleSO(t, "test_events"))
	c := srv.Conn(t)
	var out []string
	for _, l := range strings.Split(string(c.Do("TEVENTS.LIST")), "\r\n") {
		if strings.HasPrefix(l, "+persistence:") {
			out = append(out, l[1:])
		}
	}
	out = append(out, "supported sync-aof-start: "+string(c.Do("TEVENTS.SUPPORTED", "1", "5")))
	return out
}

// TestAOFStartPersistenceEvent: a server started with appendonly yes and
// no AOF writes its base file synchronously, and modules see Persistence
// sync-AOF-start then ended, as with redis-server 7.0.15 (upstream hooks:
// "Test module aof save on server start from empty").
func TestAOFStartPersistenceEvent(t *testing.T) {
	want := persistenceEvents(t, hosttest.RedisBin(t))
	got := persistenceEvents(t, hosttest.ModhostBin(t))
	require.Equal(t, want, got)
	require.Equal(t, []string{"persistence:5", "persistence:3"}, got[:2])
}
