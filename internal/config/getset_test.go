package config

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

func keys(kv [][2]string) []string {
	out := make([]string, len(kv))
	for i, p := range kv {
		out[i] = p[0]
	}
	return out
}

func TestGet(t *testing.T) {
	c := New()
	require.Equal(t, [][2]string{{"port", "6379"}}, c.Get("port"))
	require.Equal(t, [][2]string{{"PORT", "6379"}}, c.Get("PORT"))
	require.Equal(t, [][2]string{{"port", "6379"}}, c.Get("port", "PORT", "p?rt"))
	require.Empty(t, c.Get("loadmodule"))
	require.Empty(t, c.Get("nope*"))

	got := keys(c.Get("*maxmemory*"))
	sort.Strings(got)
	require.Equal(t, []string{"maxmemory", "maxmemory-clients", "maxmemory-eviction-tenacity",
		"maxmemory-policy", "maxmemory-samples", "replica-ignore-maxmemory", "slave-ignore-maxmemory"}, got)

	// Aliases answer with the same value; hidden ones need an exact name.
	require.Equal(t, [][2]string{{"slave-read-only", "yes"}}, c.Get("slave-read-only"))
	require.Empty(t, c.Get("use-exit-on-pani*"))
	require.Equal(t, [][2]string{{"use-exit-on-panic", "no"}}, c.Get("use-exit-on-panic"))

	all := keys(c.Get("*"))
	require.Contains(t, all, "save")
	require.Contains(t, all, "replicaof")
	require.Contains(t, all, "slaveof")
	require.NotContains(t, all, "watchdog-period")
	seen := map[string]bool{}
	for _, k := range all {
		require.False(t, seen[k], k)
		seen[k] = true
	}
}

func TestSetValuesAndOnChange(t *testing.T) {
	c := newAcceptingUnimplemented()
	var changed []string
	c.OnChange(func(name string) { changed = append(changed, name) })
	require.NoError(t, c.Set([][2]string{{"maxmemory", "100mb"}, {"save", "10 1 20 2"}, {"slave-read-only", "no"}}))
	require.Equal(t, int64(100<<20), c.Int("maxmemory"))
	require.Equal(t, []SaveParam{{10, 1}, {20, 2}}, c.SaveParams())
	require.False(t, c.Bool("replica-read-only"))
	require.Equal(t, []string{"maxmemory", "save", "replica-read-only"}, changed)

	changed = nil
	require.NoError(t, c.Set([][2]string{{"maxmemory", "104857600"}}))
	require.Empty(t, changed, "same value is no change")

	require.NoError(t, c.Set([][2]string{{"save", ""}, {"bind", ""}, {"notify-keyspace-events", "Egx"}}))
	require.Empty(t, c.SaveParams())
	require.Empty(t, c.Bind())
	require.Equal(t, "gxE", c.String("notify-keyspace-events"))

	require.NoError(t, c.Set([][2]string{{"hz", "100000"}}))
	require.Equal(t, "500", c.String("hz"))
}

func TestSetErrorsAndAtomicity(t *testing.T) {
	cases := []struct {
		pairs [][2]string
		msg   string
	}{
		{[][2]string{{"port", "7000"}, {"x", "1"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'x'"},
		{[][2]string{{"y", "1"}, {"daemonize", "no"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'y'"},
		// After a refused name, later unknown names are not reported.
		{[][2]string{{"daemonize", "no"}, {"y", "1"}}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
		{[][2]string{{"port", "7000"}, {"daemonize", "no"}}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
		{[][2]string{{"dir", "/tmp"}}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[][2]string{{"port", "7000"}, {"PORT", "7001"}}, "ERR CONFIG SET failed (possibly related to argument 'PORT') - duplicate parameter"},
		{[][2]string{{"maxmemory", "1mb"}, {"port", "abc"}}, "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"},
		{[][2]string{{"timeout", "5"}, {"slave-read-only", "maybe"}}, "ERR CONFIG SET failed (possibly related to argument 'replica-read-only') - argument must be 'yes' or 'no'"},
		{[][2]string{{"save", "1 1"}, {"maxmemory-policy", "lru"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
	}
	for _, tc := range cases {
		c := newAcceptingUnimplemented()
		before := c.Get("*")
		err := c.Set(tc.pairs)
		require.EqualError(t, err, tc.msg)
		var se *SetError
		require.ErrorAs(t, err, &se)
		require.Equal(t, before, c.Get("*"), "values restored after %v", tc.pairs)
	}
}

func TestSetApplyFailureRestores(t *testing.T) {
	c := New()
	var changed []string
	c.OnChange(func(name string) { changed = append(changed, name) })
	c.SetApply("port", func() error {
		if c.Int("port") == 1 {
			return errors.New("Unable to listen on this port. Check server logs.")
		}
		return nil
	})
	err := c.Set([][2]string{{"timeout", "7"}, {"port", "1"}})
	require.EqualError(t, err, "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.")
	require.Equal(t, int64(6379), c.Int("port"))
	require.Equal(t, int64(0), c.Int("timeout"))
	require.Empty(t, changed)
	require.NoError(t, c.Set([][2]string{{"port", "6400"}}))
	require.Equal(t, []string{"port"}, changed)
}

func TestSetDirProtected(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.Chdir(wd) })
	dir, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)

	c := New()
	require.NoError(t, c.LoadString("enable-protected-configs local", ""))
	require.Error(t, c.Set([][2]string{{"dir", dir}}))
	require.NoError(t, c.SetFrom([][2]string{{"dir", dir}}, true))
	require.Equal(t, dir, c.String("dir"))
	err = c.SetFrom([][2]string{{"dir", filepath.Join(dir, "missing")}}, true)
	require.EqualError(t, err, "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory")
	require.Equal(t, dir, c.String("dir"))
}

func TestKeyspaceEvents(t *testing.T) {
	cases := []struct {
		in, canon string
		flags     int
	}{
		{"", "", 0},
		{"KEA", "AKE", NotifyAll | NotifyKeyspace | NotifyKeyevent},
		{"Ex", "xE", NotifyKeyevent | NotifyExpired},
		{"g$lshzxetd", "A", NotifyAll},
		{"Kgm", "gKm", NotifyKeyspace | NotifyGeneric | NotifyKeyMiss},
		{"En", "nE", NotifyKeyevent | NotifyNew},
		{"AKEm", "AKEm", NotifyAll | NotifyKeyspace | NotifyKeyevent | NotifyKeyMiss},
	}
	for _, c := range cases {
		f, ok := ParseKeyspaceEvents(c.in)
		require.True(t, ok, c.in)
		require.Equal(t, c.flags, f, c.in)
		require.Equal(t, c.canon, KeyspaceEventsString(f), c.in)
		back, ok := ParseKeyspaceEvents(c.canon)
		require.True(t, ok)
		require.Equal(t, f, back, "round trip of %q", c.in)
	}
	for _, bad := range []string{"Q", "KE!", "a"} {
		_, ok := ParseKeyspaceEvents(bad)
		require.False(t, ok, bad)
	}
	require.Equal(t, 1<<8, NotifyExpired)
	require.Equal(t, 1<<14, NotifyNew)
}
