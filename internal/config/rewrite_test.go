package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRewriteContent(t *testing.T) {
	old := strings.Join([]string{
		"# my settings",
		"port 7000",
		"save 900 1",
		"save 300 10",
		"slave-read-only yes",
		"search.timeout 10",
		"gone-option 1",
		"",
		"",
		"loadmodule /m.so a",
		"maxmemory 1gb",
	}, "\n")
	c := newAcceptingUnimplemented()
	require.NoError(t, c.LoadString(strings.ReplaceAll(old, "gone-option 1", ""), "x"))
	require.NoError(t, c.Set([][2]string{{"port", "7001"}, {"save", "60 5"}, {"timeout", "30"},
		{"slave-read-only", "no"}, {"requirepass", "s e\"cret"}}))
	got := c.RewriteContent(old)
	want := strings.Join([]string{
		"# my settings",
		"port 7001",
		"save 60 5",
		"",
		"replica-read-only no",
		"search.timeout 10",
		"# ??? gone-option 1",
		"",
		"loadmodule /m.so a",
		"maxmemory 1gb",
	}, "\n") + "\n"
	require.True(t, strings.HasPrefix(got, want), got)
	tail := strings.TrimPrefix(got, want)
	require.True(t, strings.HasPrefix(tail, rewriteSignature+"\n"), tail)
	require.Contains(t, tail, "\ntimeout 30\n")
	require.Contains(t, tail, "\nrequirepass \"s e\\\"cret\"\n")
	require.Contains(t, tail, "\ndir ")
	require.NotContains(t, tail, "hz ", "defaults are not written")
	require.NotContains(t, tail, "bind ", "default bind is not written")
}

func TestRewriteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "r.conf")
	require.NoError(t, os.WriteFile(file, []byte("# keep me\nport 7000\ninclude-less-line-is-fine\n"), 0o644))

	c := newAcceptingUnimplemented()
	require.EqualError(t, c.Rewrite(), "ERR The server is running without a config file")
	_, err := c.LoadFile(file)
	require.NoError(t, err)
	require.NoError(t, c.LoadString("port 7000", file))
	require.NoError(t, c.Set([][2]string{{"maxmemory", "3mb"}, {"save", ""}, {"bind", "127.0.0.1 ::1"},
		{"notify-keyspace-events", "KEA"}, {"maxmemory-clients", "5%"}, {"list-max-listpack-size", "-3"},
		{"client-output-buffer-limit", "pubsub 64mb 16mb 90"}}))
	c.SetLoadModules([]ModuleSpec{{Path: "/x.so", Args: []string{"1"}}})
	require.NoError(t, c.Rewrite())

	data, err := os.ReadFile(file)
	require.NoError(t, err)
	text := string(data)
	require.True(t, strings.HasPrefix(text, "# keep me\nport 7000\n# ??? include-less-line-is-fine\n"), text)
	for _, l := range []string{"maxmemory 3mb", `save ""`, "bind 127.0.0.1 ::1", `notify-keyspace-events "AKE"`,
		"maxmemory-clients 5%", "list-max-listpack-size -3", "loadmodule /x.so 1",
		"client-output-buffer-limit pubsub 64mb 16mb 90"} {
		require.Contains(t, text, "\n"+l+"\n")
	}

	// Loading the rewritten file gives the same values back.
	c2 := newAcceptingUnimplemented()
	text2, err := c2.LoadFile(file)
	require.NoError(t, err)
	require.NoError(t, c2.LoadString(text2, file))
	require.Equal(t, c.Get("*"), c2.Get("*"))
	require.Equal(t, c.LoadModules(), c2.LoadModules())

	// A second rewrite keeps the values (like upstream, it may reuse the
	// pubsub line for the normal class and append pubsub again).
	require.NoError(t, c2.Rewrite())
	c3 := newAcceptingUnimplemented()
	text3, err := c3.LoadFile(file)
	require.NoError(t, err)
	require.NoError(t, c3.LoadString(text3, file))
	require.Equal(t, c.Get("*"), c3.Get("*"))
}
