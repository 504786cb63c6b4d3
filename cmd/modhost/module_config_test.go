package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// TestModuleConfigLoadex covers MODULE LOADEX CONFIG values, refused
// values, unused values and a module that never calls LoadConfigs.
func TestModuleConfigLoadex(t *testing.T) {
	so := moduleSO(t, "test_config")
	s := startModhost(t)
	c := s.Conn(t)
	failed := "-ERR Error loading the extension. Please check the server logs.\r\n"
	steps := []struct {
		name string
		args []string
		want string
		log  string
	}{
		{"bad value", []string{"CONFIG", "tcfg.num", "500"}, failed, "Issue during loading of configuration tcfg.num : argument must be between 0 and 100 inclusive"},
		{"unused value", []string{"CONFIG", "tcfg.nope", "1"}, failed, "Loadex configurations were not applied, likely due to invalid arguments. Unloading the module."},
		{"no LoadConfigs", []string{"ARGS", "noload"}, failed, "Module Configurations were not set, likely a missing LoadConfigs call. Unloading the module."},
		{"values", []string{"CONFIG", "tcfg.num", "33", "CONFIG", "TCFG.STR", "via loadex", "CONFIG", "tcfg.bits", "b c"}, "+OK\r\n", ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			args := append([]string{"MODULE", "LOADEX", so}, st.args...)
			require.Equal(t, st.want, string(c.Do(args...)))
			if st.log != "" {
				waitLog(t, s, st.log)
			}
		})
	}
	require.Equal(t, "*8\r\n:1\r\n:33\r\n:1024\r\n$10\r\nvia loadex\r\n:1\r\n:6\r\n:0\r\n:7\r\n", string(c.Do("TCFG.GET")))
	// Registration after OnLoad is refused (Redis 7.2+).
	require.Equal(t, "*2\r\n:1\r\n+EBUSY\r\n", string(c.Do("TCFG.REGERR")))
	require.Equal(t, "*1\r\n*2\r\n:1\r\n:17\r\n", string(c.Do("TCFG.KEYFLAGS", "get", "k")))
	require.Equal(t, "$12\r\ntcfg.cmdname\r\n", string(c.Do("TCFG.CMDNAME")))
	require.Equal(t, "*5\r\n:1\r\n:1\r\n:1\r\n:42\r\n:-1\r\n", string(c.Do("TCFG.DEFRAG")))
	// Unloading removes the configurations.
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "UNLOAD", "tcfg")))
	require.Equal(t, "*0\r\n", string(c.Do("CONFIG", "GET", "tcfg.*")))
	require.Equal(t, "-ERR Unknown option or number of arguments for CONFIG SET - 'tcfg.num'\r\n", string(c.Do("CONFIG", "SET", "tcfg.num", "1")))
}

// TestModuleConfigFileAndRewrite loads values from the config file and
// checks that CONFIG REWRITE writes the changed ones back.
func TestModuleConfigFileAndRewrite(t *testing.T) {
	so := moduleSO(t, "test_config")
	conf := filepath.Join(t.TempDir(), "modhost.conf")
	require.NoError(t, os.WriteFile(conf, []byte("loadmodule "+so+"\ntcfg.num 44\ntcfg.mode four\n"), 0o644))
	s := hosttest.StartModhost(t, conf)
	c := s.Conn(t)
	require.Equal(t, "*2\r\n$8\r\ntcfg.num\r\n$2\r\n44\r\n", string(c.Do("CONFIG", "GET", "tcfg.num")))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "tcfg.mem", "2mb", "tcfg.num", "45")))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "REWRITE")))
	text, err := os.ReadFile(conf)
	require.NoError(t, err)
	for _, line := range []string{"tcfg.num 45", "tcfg.mode four", "tcfg.mem 2mb"} {
		require.Contains(t, string(text), line+"\n")
	}
	require.NotContains(t, string(text), "tcfg.flag")
}

// TestModuleConfigUnknownAtStartup: a module configuration no module
// takes aborts the start, as in Redis.
func TestModuleConfigUnknownAtStartup(t *testing.T) {
	so := moduleSO(t, "test_config")
	cases := []struct {
		name string
		args []string
	}{
		{"no module", []string{"--other.num", "1"}},
		{"unknown name", []string{"--loadmodule", so, "--tcfg.nothing", "1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port, err := hosttest.FreePort()
			require.NoError(t, err)
			cmd := exec.Command(hosttest.ModhostBin(t), append([]string{"--port", strconv.Itoa(port), "--save", ""}, tc.args...)...)
			cmd.Dir = t.TempDir()
			out, _ := cmd.CombinedOutput()
			require.Equal(t, 1, cmd.ProcessState.ExitCode(), string(out))
			require.Contains(t, string(out), "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting")
		})
	}
}

// TestModuleSharedAPIUnload checks INFO modules usedby/using and that an
// exporter in use cannot be unloaded.
func TestModuleSharedAPIUnload(t *testing.T) {
	a, b := moduleSO(t, "test_shared_a"), moduleSO(t, "test_shared_b")
	s := startModhost(t, "--loadmodule", a, "--loadmodule", b)
	c := s.Conn(t)
	require.Equal(t, ":42\r\n", string(c.Do("TSB.ADD", "40", "2")))
	info := string(c.Do("INFO", "modules"))
	require.Contains(t, info, "module:name=tsa,ver=1,api=1,filters=0,usedby=[tsb],using=[],options=[]")
	require.Contains(t, info, "module:name=tsb,ver=1,api=1,filters=0,usedby=[],using=[tsa],options=[]")
	require.Equal(t, "-ERR Error unloading module: the module exports APIs used by other modules. Please unload them first and try again\r\n",
		string(c.Do("MODULE", "UNLOAD", "tsa")))
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "UNLOAD", "tsb")))
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "UNLOAD", "tsa")))
	// Loaded again in the other order, b finds nothing until a is back.
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "LOAD", b)))
	require.Equal(t, "-ERR tsa.add not available\r\n", string(c.Do("TSB.ADD", "1", "1")))
	require.Equal(t, "+OK\r\n", string(c.Do("MODULE", "LOAD", a)))
	require.Equal(t, ":2\r\n", string(c.Do("TSB.ADD", "1", "1")))
}

// TestModuleRdbStream saves the dataset with RdbSave and loads it back
// with RdbLoad; a success clears errno, as in Redis.
func TestModuleRdbStream(t *testing.T) {
	so := moduleSO(t, "test_config")
	s := startModhost(t, "--loadmodule", so)
	c := s.Conn(t)
	file := filepath.Join(t.TempDir(), "snap.rdb")
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "k", "v")))
	require.Equal(t, "*2\r\n:0\r\n+0\r\n", string(c.Do("TCFG.RDB", "save", file)))
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "k2", "v2")))
	require.Equal(t, "*2\r\n:0\r\n+0\r\n", string(c.Do("TCFG.RDB", "load", file)))
	require.Equal(t, "*1\r\n$1\r\nk\r\n", string(c.Do("KEYS", "*")))
	require.Equal(t, "*2\r\n:1\r\n+ENOENT\r\n", string(c.Do("TCFG.RDB", "load", file+".missing")))
	require.Equal(t, ":0\r\n", string(c.Do("DBSIZE")))
	require.NoError(t, os.WriteFile(file, []byte("garbage"), 0o644))
	require.Equal(t, "*2\r\n:1\r\n+EIO\r\n", string(c.Do("TCFG.RDB", "load", file)))
	require.Equal(t, "*2\r\n:0\r\n+0\r\n", string(c.Do("TCFG.RDB", "save", file)))
	require.True(t, strings.HasPrefix(string(c.Do("PING")), "+PONG"))
}
