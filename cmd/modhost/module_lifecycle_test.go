package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

var modulesBuild struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}

// moduleSO returns the path of modules_c/<name>.so, building the project's
// C modules once per test binary.
func moduleSO(t *testing.T, name string) string {
	t.Helper()
	modulesBuild.once.Do(func() {
		root, err := hosttest.ModuleRoot()
		if err != nil {
			modulesBuild.err = err
			return
		}
		modulesBuild.dir = filepath.Join(root, "modules_c")
		modulesBuild.out, modulesBuild.err = exec.Command("make", "-C", modulesBuild.dir).CombinedOutput()
	})
	require.NoError(t, modulesBuild.err, string(modulesBuild.out))
	return filepath.Join(modulesBuild.dir, name+".so")
}

// waitLog waits until the server's log holds line (the log is read from
// a pipe, so it may trail the replies).
func waitLog(t *testing.T, s *hosttest.Server, line string) {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(s.Logs(), line) }, 10*time.Second, 10*time.Millisecond, "log line %q", line)
}

// moduleList renders MODULE LIST as name:ver:path:args lines (map order
// and protocol independent).
func moduleList(t *testing.T, c *hosttest.Conn) []string {
	t.Helper()
	f, err := c.Command("MODULE", "LIST")
	require.NoError(t, err)
	var out []string
	for _, m := range f.Elems {
		fields := map[string]string{}
		for i := 0; i+1 < len(m.Elems); i += 2 {
			v := m.Elems[i+1]
			if v.Type == '*' {
				var args []string
				for _, a := range v.Elems {
					args = append(args, string(a.Str))
				}
				fields[string(m.Elems[i].Str)] = strings.Join(args, ",")
				continue
			}
			fields[string(m.Elems[i].Str)] = string(v.Str)
		}
		out = append(out, fields["name"]+":"+fields["ver"]+":"+fields["path"]+":"+fields["args"])
	}
	return out
}

func TestModuleLoadFromConfigFile(t *testing.T) {
	hello := moduleSO(t, "hello")
	conf := filepath.Join(t.TempDir(), "modhost.conf")
	require.NoError(t, os.WriteFile(conf, []byte("loadmodule "+hello+" x y\nenable-module-command yes\n"), 0o644))
	s := hosttest.StartModhost(t, conf)
	c := s.Conn(t)
	require.Equal(t, []string{"hello:1:" + hello + ":x,y"}, moduleList(t, c))
	require.Equal(t, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", string(c.Do("HELLO.ECHO", "a", "b")))
	require.Equal(t, ":0\r\n", string(c.Do("HELLO.SIMPLE")))
	require.Contains(t, s.Logs(), "Module 'hello' loaded from "+hello)
	// The module loads after "Server initialized" and before the ready line.
	logs := s.Logs()
	require.Less(t, strings.Index(logs, "Server initialized"), strings.Index(logs, "Module 'hello' loaded"))
	require.Less(t, strings.Index(logs, "Module 'hello' loaded"), strings.Index(logs, hosttest.ReadyLine))
}

func TestModuleLoadFromCommandLine(t *testing.T) {
	lc := moduleSO(t, "lifecycle")
	s := startModhost(t, "--loadmodule", lc, "arg1", "arg2")
	c := s.Conn(t)
	require.Equal(t, []string{"lifecycle:3:" + lc + ":arg1,arg2"}, moduleList(t, c))
	require.Equal(t, "*3\r\n:3\r\n$1\r\np\r\n$1\r\nq\r\n", string(c.Do("LC.ARGS", "p", "q")))
	require.Contains(t, string(c.Do("INFO", "modules")), "module:name=lifecycle,ver=3,api=1,filters=0,usedby=[],using=[],options=[]")
	require.Equal(t, ":2\r\n", string(c.Do("LC.KEYS", "k1", "v1", "k2", "v2")))
	require.Equal(t, "*2\r\n$2\r\nk1\r\n$2\r\nk2\r\n", string(c.Do("COMMAND", "GETKEYS", "LC.KEYS", "k1", "v1", "k2", "v2")))
	require.Equal(t, ":500\r\n", string(c.Do("LC.AUTOMEM", "500")))
	require.Equal(t, "-ERR wrong number of arguments for 'lc.info' command\r\n", string(c.Do("LC.INFO")))
	require.Equal(t, ":1\r\n", string(c.Do("LC.INFO", "x")))
	require.Equal(t, "+SUB\r\n", string(c.Do("LC.BOX", "SUB")))
	list := string(c.Do("COMMAND", "LIST", "FILTERBY", "MODULE", "lifecycle"))
	for _, name := range []string{"lc.ping", "lc.args", "lc.keys", "lc.box", "lc.box|sub", "lc.allflags"} {
		require.Contains(t, list, "\r\n"+name+"\r\n")
	}
	require.NotContains(t, list, "lc.badflag")
	require.Contains(t, string(c.Do("INFO", "commandstats")), "cmdstat_lc.args:calls=1,")
	// A reply left with an open postponed length is dropped, not sent broken.
	require.Equal(t, "-ERR module command 'lc.postponed' left a postponed reply length unset; reply dropped\r\n", string(c.Do("LC.POSTPONED")))
	require.Equal(t, "+PONG\r\n", string(c.Do("LC.PING")))
	waitLog(t, s, "module lifecycle: lc.postponed: RedisModule_ReplySetArrayLength: 1 REDISMODULE_POSTPONED_LEN length never set; reply replaced by an error")
}

func TestModuleLoadUnloadCycle(t *testing.T) {
	hello := moduleSO(t, "hello")
	s := startModhost(t)
	c := s.Conn(t)
	steps := []struct{ args, want string }{
		{"MODULE LIST", "*0\r\n"},
		{"MODULE LOAD " + hello, "+OK\r\n"},
		{"HELLO.ECHO z", "*1\r\n$1\r\nz\r\n"},
		{"MODULE UNLOAD hello", "+OK\r\n"},
		{"COMMAND INFO hello.echo", "*1\r\n$-1\r\n"},
		{"MODULE LIST", "*0\r\n"},
		{"MODULE LOAD " + hello + " again", "+OK\r\n"},
		{"HELLO.ECHO z", "*1\r\n$1\r\nz\r\n"},
		{"MODULE UNLOAD hello", "+OK\r\n"},
		{"MODULE LOADEX " + hello + " ARGS p q", "+OK\r\n"},
		{"MODULE UNLOAD hello", "+OK\r\n"},
		{"MODULE LOADEX " + hello + " CONFIG hello.x 1", "-ERR Error loading the extension. Please check the server logs.\r\n"},
		{"MODULE LIST", "*0\r\n"},
		{"MODULE UNLOAD hello", "-ERR Error unloading module: no such module with that name\r\n"},
		{"PING", "+PONG\r\n"},
	}
	for _, st := range steps {
		require.Equal(t, st.want, string(c.Do(strings.Fields(st.args)...)), st.args)
	}
	waitLog(t, s, "Loadex configurations were not applied, likely due to invalid arguments. Unloading the module.")
}

// TestModuleBadLoadsLikeRedis runs the same failing loads against
// redis-server and modhost: replies must be identical, the servers keep
// serving and nothing a failed module registered survives.
func TestModuleBadLoadsLikeRedis(t *testing.T) {
	lc, notamodule := moduleSO(t, "lifecycle"), moduleSO(t, "notamodule")
	redis, modhost := startPair(t)
	script := [][]string{
		{"MODULE", "LOAD", "/nonexistent/module.so"},
		{"MODULE", "LOAD", notamodule},
		{"MODULE", "LOAD", lc, "name", "failing", "fail"},
		{"COMMAND", "INFO", "lc.ping", "lc.box"},
		{"MODULE", "LOAD", lc, "name", "coll", "collide", "ping"},
		{"COMMAND", "INFO", "lc.ping"},
		{"MODULE", "LOAD", lc},
		{"MODULE", "LOAD", lc},
		{"LC.PING"},
		{"MODULE", "UNLOAD", "nosuchmodule"},
		{"MODULE", "LOADEX", lc, "CONFIG", "onlyname"},
		{"MODULE", "LOADEX", lc, "BOGUS"},
		{"MODULE", "NOSUCHSUB"},
		{"MODULE", "LOAD"},
		{"MODULE", "UNLOAD", "lifecycle"},
		{"LC.PING"},
		{"MODULE", "LIST"},
		{"PING"},
	}
	rc, mc := redis.Conn(t), modhost.Conn(t)
	for _, cmd := range script {
		want := string(rc.Do(cmd...))
		require.Equal(t, want, string(mc.Do(cmd...)), strings.Join(cmd, " "))
	}
	for _, line := range []string{
		"Module /nonexistent/module.so failed to load: /nonexistent/module.so: cannot open shared object file",
		"Module " + notamodule + " does not export RedisModule_OnLoad() symbol. Module not loaded.",
		"Module " + lc + " initialization failed. Module not loaded",
		"CONFIG specified without name value pair",
		"Syntax Error from arguments to loadex around BOGUS.",
		"Module lifecycle unloaded",
	} {
		waitLog(t, redis, line)
		waitLog(t, modhost, line)
	}
}

func TestModuleCommandDisabledLikeRedis(t *testing.T) {
	hello := moduleSO(t, "hello")
	args := []string{"--save", "", "--enable-module-command", "no"}
	redis := hosttest.StartRedis(t, args...)
	modhost := hosttest.StartModhost(t, args...)
	tests := []struct {
		cmd    []string
		denied bool
	}{
		{[]string{"MODULE", "LOAD", hello}, true},
		{[]string{"MODULE", "LOADEX", hello}, true},
		{[]string{"MODULE", "UNLOAD", "hello"}, true},
		{[]string{"MODULE", "LIST"}, false}, // only LOAD, LOADEX and UNLOAD are protected
	}
	for _, tc := range tests {
		want := string(redis.Conn(t).Do(tc.cmd...))
		require.Equal(t, tc.denied, strings.HasPrefix(want, "-ERR MODULE command not allowed"), want)
		require.Equal(t, want, string(modhost.Conn(t).Do(tc.cmd...)), strings.Join(tc.cmd, " "))
	}
}

// TestModuleStartupFailure checks that a loadmodule that fails stops the
// server with exit status 1 and Redis's log lines, like redis-server.
func TestModuleStartupFailure(t *testing.T) {
	lc := moduleSO(t, "lifecycle")
	bins := map[string]string{"redis": hosttest.RedisBin(t), "modhost": hosttest.ModhostBin(t)}
	for name, bin := range bins {
		t.Run(name, func(t *testing.T) {
			port, err := hosttest.FreePort()
			require.NoError(t, err)
			var out bytes.Buffer
			cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--save", "", "--loadmodule", lc, "fail")
			cmd.Dir = t.TempDir()
			cmd.Stdout, cmd.Stderr = &out, &out
			require.NoError(t, cmd.Start())
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("%s did not exit:\n%s", name, out.String())
			}
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, out.String())
			require.Equal(t, 1, exit.ExitCode())
			require.Contains(t, out.String(), "Module "+lc+" initialization failed. Module not loaded")
			require.Contains(t, out.String(), "Can't load module from "+lc+": server aborting")
		})
	}
}
