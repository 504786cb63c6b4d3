package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func fatal(line int, text, reason string) string {
	return (&FatalError{Line: line, Text: text, Reason: reason}).Error()
}

func TestFatalErrorText(t *testing.T) {
	require.Equal(t,
		"\n*** FATAL CONFIG FILE ERROR (Redis 7.4.0) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments\n",
		fatal(2, "foo bar", "Bad directive or wrong number of arguments"))
	require.Equal(t, "\n*** FATAL CONFIG FILE ERROR (Redis 7.4.0) ***\nCan't open the log file: x\n",
		(&FatalError{Reason: "Can't open the log file: x"}).Error())
}

func TestLoadStringValues(t *testing.T) {
	c := newAcceptingUnimplemented()
	text := strings.Join([]string{
		"# comment",
		"",
		"   PORT 7000   ",
		`requirepass "p a\"ss"`,
		"bind 127.0.0.1 ::1",
		"maxmemory 1gb",
		"loglevel WARNING",
		"save 900 1",
		"save 60 100",
		"notify-keyspace-events KEA",
		"list-max-listpack-size -1",
		"slave-serve-stale-data no",
		"loadmodule /a.so x y",
		"loadmodule /b.so",
		"search.timeout 500",
		"list-max-ziplist-entries 10",
		"maxmemory-clients 10%",
		"shutdown-on-sigterm force nosave",
		"hz 1000",
		"unixsocketperm 700",
		"\tenable-module-command local\r",
	}, "\n")
	require.NoError(t, c.LoadString(text, "test.conf"))
	require.Equal(t, int64(7000), c.Int("port"))
	require.Equal(t, `p a"ss`, c.String("requirepass"))
	require.Equal(t, []string{"127.0.0.1", "::1"}, c.Bind())
	require.Equal(t, int64(1<<30), c.Int("maxmemory"))
	require.Equal(t, "1073741824", c.String("maxmemory"))
	require.Equal(t, "warning", c.String("loglevel"))
	require.Equal(t, int64(LogWarning), c.Int("loglevel"))
	require.Equal(t, []SaveParam{{900, 1}, {60, 100}}, c.SaveParams())
	require.Equal(t, "900 1 60 100", c.String("save"))
	require.Equal(t, NotifyAll|NotifyKeyspace|NotifyKeyevent, c.KeyspaceEvents())
	require.Equal(t, "AKE", c.String("notify-keyspace-events"))
	require.Equal(t, int64(-1), c.Int("list-max-listpack-size"))
	require.False(t, c.Bool("replica-serve-stale-data"))
	require.Equal(t, []ModuleSpec{{"/a.so", []string{"x", "y"}}, {"/b.so", []string{}}}, c.LoadModules())
	require.Equal(t, [][2]string{{"search.timeout", "500"}}, c.ModuleConfigs())
	require.Equal(t, "10%", c.String("maxmemory-clients"))
	require.Equal(t, "nosave force", c.String("shutdown-on-sigterm"))
	require.Equal(t, int64(500), c.Int("hz"))
	require.Equal(t, "700", c.String("unixsocketperm"))
	require.Equal(t, int64(0o700), c.Int("unixsocketperm"))
	require.True(t, c.AllowProtected("enable-module-command", true))
	require.False(t, c.AllowProtected("enable-module-command", false))
	require.False(t, c.AllowProtected("enable-debug-command", true))
}

func TestLoadStringErrors(t *testing.T) {
	cases := []struct {
		text   string
		line   int
		bad    string
		reason string
	}{
		{"port 1\nfoo bar", 2, "foo bar", "Bad directive or wrong number of arguments"},
		{"port 99999", 1, "port 99999", "argument must be between 0 and 65535 inclusive"},
		{"port abc", 1, "port abc", "argument couldn't be parsed into an integer"},
		{"port 1 2", 1, "port 1 2", "wrong number of arguments"},
		{"port", 1, "port", "wrong number of arguments"},
		{`port "1`, 1, `port "1`, "Unbalanced quotes in configuration line"},
		{"appendonly maybe", 1, "appendonly maybe", "argument must be 'yes' or 'no'"},
		{"maxmemory 1tb", 1, "maxmemory 1tb", "argument must be a memory value"},
		{"maxmemory-clients 200%", 1, "maxmemory-clients 200%", "percentage argument must be less or equal to 100"},
		{"maxmemory-clients x", 1, "maxmemory-clients x", "argument must be a memory or percent value"},
		{"unixsocketperm 999", 1, "unixsocketperm 999", "argument couldn't be parsed as an octal number"},
		{"unixsocketperm 1777", 1, "unixsocketperm 1777", "argument must be between 0 and 777 inclusive"},
		{"maxclients 0", 1, "maxclients 0", "argument must be between 1 and 4294967295 inclusive"},
		{"loglevel loud", 1, "loglevel loud", "argument(s) must be one of the following: debug, verbose, notice, warning, nothing"},
		{"enable-debug-command maybe", 1, "enable-debug-command maybe", "argument(s) must be one of the following: no, yes, local"},
		{"save 10", 1, "save 10", "Invalid save parameters"},
		{"save 0 1", 1, "save 0 1", "Invalid save parameters"},
		{"notify-keyspace-events Q", 1, "notify-keyspace-events Q", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{"dbfilename a/b.rdb", 1, "dbfilename a/b.rdb", "dbfilename can't be a path, just a filename"},
		{"daemonize yes", 1, "daemonize yes", "modhost does not implement 'daemonize' yet (only the default 'no' is accepted)"},
		{"shutdown-on-sigint save nosave", 1, "shutdown-on-sigint save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously"},
		{"mod.cfg", 1, "mod.cfg", "Module config specified without value"},
		{"loadmodule", 1, "loadmodule", "Bad directive or wrong number of arguments"},
		{"list-max-ziplist-entries 1 2", 1, "list-max-ziplist-entries 1 2", "Bad directive or wrong number of arguments"},
		{"replicaof host 70000", 1, "replicaof host 70000", "Invalid master port"},
		{"client-output-buffer-limit master 1 1 1", 1, "client-output-buffer-limit master 1 1 1", "Invalid client class specified in buffer limit configuration."},
	}
	for _, c := range cases {
		err := New().LoadString(c.text, "x.conf")
		require.Error(t, err, c.text)
		var fe *FatalError
		require.ErrorAs(t, err, &fe, c.text)
		require.Equal(t, fatal(c.line, c.bad, c.reason), fe.Error(), c.text)
	}
}

func TestDefaultsAndSpecials(t *testing.T) {
	c := New()
	require.Equal(t, "* -::*", c.String("bind"))
	require.Equal(t, "3600 1 300 100 60 10000", c.String("save"))
	require.Equal(t, int64(16), c.Int("databases"))
	require.Equal(t, "no", c.String("enable-module-command"))
	require.Equal(t, "", c.String("notify-keyspace-events"))
	require.Equal(t, "536870912", c.String("proto-max-bulk-len"))
	require.Equal(t, "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", c.String("client-output-buffer-limit"))
	require.Equal(t, "50 99 99.9", c.String("latency-tracking-info-percentiles"))
	require.Equal(t, "noeviction", c.String("maxmemory-policy"))
	require.Equal(t, "default", c.String("shutdown-on-sigterm"))
	require.Equal(t, "", c.String("replicaof"))
	require.Panics(t, func() { c.Int("no-such-directive") })
	require.Panics(t, func() { c.Bool("port") })

	require.NoError(t, c.LoadString("save \"\"\nbind ''", ""))
	require.Empty(t, c.SaveParams())
	require.Empty(t, c.Bind())
	// save "" resets even after earlier save lines of the same load.
	c = New()
	require.NoError(t, c.LoadString("save 1 1\nsave ''\nsave 2 2", ""))
	require.Equal(t, []SaveParam{{2, 2}}, c.SaveParams())
	// A single argument of a multi-argument directive is split.
	c = New()
	require.NoError(t, c.LoadString(`save "10 1 20 2"`, ""))
	require.Equal(t, "10 1 20 2", c.String("save"))
}

func TestUpstreamTestDirectivesAccepted(t *testing.T) {
	// Directives the upstream test suite's base config uses.
	lines := []string{
		"always-show-logo yes", "notify-keyspace-events KEA", "daemonize no",
		"pidfile /var/run/redis.pid", "port 6379", "timeout 0", "bind 127.0.0.1",
		"loglevel verbose", "logfile ''", "databases 16", "latency-monitor-threshold 1",
		"repl-diskless-sync-delay 0", "save ''", "rdbcompression yes", "dbfilename dump.rdb",
		"dir ./", "slave-serve-stale-data yes", "appendonly no", "appendfsync everysec",
		"no-appendfsync-on-rewrite no", "activerehashing yes", "enable-protected-configs yes",
		"enable-debug-command yes", "enable-module-command yes",
		"propagation-error-behavior panic", "shutdown-on-sigterm force",
	}
	c := New()
	require.NoError(t, c.LoadString(strings.Join(lines, "\n"), "default.conf"))
	require.Equal(t, "panic", c.String("propagation-error-behavior"))
	require.Equal(t, "force", c.String("shutdown-on-sigterm"))
	require.Equal(t, "/var/run/redis.pid", c.String("pidfile"))
	require.Equal(t, "verbose", c.String("loglevel"))
	require.Equal(t, "", c.String("save"))
}

func TestIncludeAndLoadFile(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "inc.conf")
	main := filepath.Join(dir, "main.conf")
	require.NoError(t, os.WriteFile(inc, []byte("port 7001\nmaxclients 50\n"), 0o644))
	require.NoError(t, os.WriteFile(main, []byte("port 7000\ninclude "+inc+"\ntimeout 5\n"), 0o644))
	c := New()
	text, err := c.LoadFile(main)
	require.NoError(t, err)
	require.Equal(t, main, c.ConfigFile())
	require.NoError(t, c.LoadString(text, main))
	require.Equal(t, int64(7001), c.Int("port"))
	require.Equal(t, int64(50), c.Int("maxclients"))
	require.Equal(t, int64(5), c.Int("timeout"))

	// Globs that match nothing are fine; a missing plain include is fatal.
	require.NoError(t, New().LoadString("include "+filepath.Join(dir, "none*.conf"), ""))
	err = New().LoadString("include "+filepath.Join(dir, "none.conf"), "")
	require.EqualError(t, err, "Fatal error, can't open config file '"+filepath.Join(dir, "none.conf")+"': No such file or directory")
	_, err = New().LoadFile(filepath.Join(dir, "nope.conf"))
	require.ErrorContains(t, err, "Fatal error, can't open config file '")

	// An error inside an included file reports that file's line.
	require.NoError(t, os.WriteFile(inc, []byte("\nbogus 1\n"), 0o644))
	err = New().LoadString("include "+inc, "")
	require.EqualError(t, err, fatal(2, "bogus 1", "Bad directive or wrong number of arguments"))
}

func TestLogfileCheck(t *testing.T) {
	err := New().LoadString("logfile /nonexistent-dir/x.log", "")
	require.EqualError(t, err, (&FatalError{Reason: "Can't open the log file: No such file or directory"}).Error())
}

func TestArgsToConfig(t *testing.T) {
	cases := []struct {
		argv []string
		file string
		text string
	}{
		{nil, "", ""},
		{[]string{"redis.conf"}, "redis.conf", ""},
		{[]string{"redis.conf", "--port", "7000"}, "redis.conf", `port "7000" `},
		{[]string{"--port", "7000", "--bind", "a", "b"}, "", "port \"7000\" \nbind \"a\" \"b\" "},
		{[]string{"--port 7000", "--loglevel", "debug"}, "", "port 7000 \nloglevel \"debug\" "},
		{[]string{"--save", "--port", "1"}, "", "save \"\"\nport \"1\" "},
		{[]string{"--port", "1", "--save"}, "", "port \"1\" \nsave \"\""},
		{[]string{"--list-max-listpack-size", "-2"}, "", `list-max-listpack-size "-2" `},
		{[]string{"--requirepass", "--weird"}, "", `requirepass "--weird" `},
		{[]string{"--requirepass", "a b\"c"}, "", `requirepass "a b\"c" `},
		{[]string{"-"}, "-", ""},
		{[]string{"-", "--port", "1"}, "-", `port "1" `},
		{[]string{"f.conf", "--port", "1", "-"}, "f.conf", `port "1" `},
	}
	for _, c := range cases {
		file, text, err := ArgsToConfig(c.argv)
		require.NoError(t, err, c.argv)
		require.Equal(t, c.file, file, c.argv)
		require.Equal(t, c.text, text, c.argv)
	}
	a, err := ParseArgs([]string{"f.conf", "-"})
	require.NoError(t, err)
	require.Equal(t, Args{ConfigFile: "f.conf", Stdin: true}, a)
	_, _, err = ArgsToConfig([]string{"--version"})
	require.ErrorIs(t, err, ErrVersion)
	_, _, err = ArgsToConfig([]string{"-h"})
	require.ErrorIs(t, err, ErrHelp)
}

func TestLoadArgs(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "r.conf")
	require.NoError(t, os.WriteFile(file, []byte("port 7000\nhz 20\n"), 0o644))
	c := New()
	require.NoError(t, c.LoadArgs([]string{file, "--port", "7001", "-"}, strings.NewReader("timeout 9\n")))
	require.Equal(t, int64(7001), c.Int("port"))
	require.Equal(t, int64(20), c.Int("hz"))
	require.Equal(t, int64(9), c.Int("timeout"))
	require.Equal(t, file, c.ConfigFile())

	err := New().LoadArgs([]string{"--port", "abc"}, nil)
	require.EqualError(t, err, fatal(2, `port "abc"`, "argument couldn't be parsed into an integer"))
	err = New().LoadArgs([]string{"--save", "10"}, nil)
	require.EqualError(t, err, fatal(2, `save "10"`, "Invalid save parameters"))
}

func TestRenameCommandRecorded(t *testing.T) {
	c := New()
	require.NoError(t, c.LoadString("port 7000\nrename-command FLUSHALL \"\"\nrename-command get myget", "r.conf"))
	require.Equal(t, []CommandRename{
		{From: "FLUSHALL", To: "", Line: 2, Text: `rename-command FLUSHALL ""`},
		{From: "get", To: "myget", Line: 3, Text: "rename-command get myget"},
	}, c.CommandRenames())
	err := New().LoadString("rename-command get", "r.conf")
	require.ErrorContains(t, err, "Bad directive or wrong number of arguments")
}
