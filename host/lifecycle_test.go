package host

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/host/internal/cgotest"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/server"
	"github.com/stretchr/testify/require"
)

func TestParseCmdFlags(t *testing.T) {
	tests := []struct {
		in    string
		ok    bool
		flags commands.CmdFlag
		extra extraFlags
	}{
		{"", true, 0, extraFlags{}},
		{"readonly fast", true, commands.FlagReadonly | commands.FlagFast, extraFlags{}},
		{"WRITE Deny-OOM", true, commands.FlagWrite | commands.FlagDenyOOM, extraFlags{}},
		{"random", true, 0, extraFlags{}},
		{"deny-script allow-loading allow-stale", true, commands.FlagNoScript | commands.FlagLoading | commands.FlagStale, extraFlags{}},
		{"no-monitor no-slowlog no-auth", true, commands.FlagSkipMonitor | commands.FlagSkipSlowlog | commands.FlagNoAuth, extraFlags{}},
		{"may-replicate no-mandatory-keys blocking allow-busy", true, commands.FlagMayReplicate | commands.FlagNoMandatoryKeys | commands.FlagBlocking | commands.FlagAllowBusy, extraFlags{}},
		{"admin pubsub", true, commands.FlagAdmin | commands.FlagPubSub, extraFlags{}},
		{"getkeys-api", true, commands.FlagMovableKeys, extraFlags{getkeys: true}},
		{"getchannels-api no-cluster", true, 0, extraFlags{getchannels: true, noCluster: true}},
		{"readonly nosuchflag", false, 0, extraFlags{}},
		{"readonly  fast", false, 0, extraFlags{}}, // empty word between two spaces
		{"denyoom", false, 0, extraFlags{}},        // the core table's spelling is not accepted
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			f, extra, ok := parseCmdFlags(tc.in)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.flags, f)
			require.Equal(t, tc.extra, extra)
		})
	}
}

func TestValidCommandName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"hello.world", true}, {"x", true}, {"", false}, {"a b", false}, {"a\r", false},
		{"a\n", false}, {"a|b", false}, {"a@b", false}, {"a=b", false}, {"a,b", false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.ok, validCommandName(tc.name), "%q", tc.name)
	}
}

func TestValidResourceName(t *testing.T) {
	for in, want := range map[string]bool{"cat": true, "my_cat-2": true, "": false, "a b": false, "a.b": false} {
		require.Equal(t, want, validResourceName(in), "%q", in)
	}
}

func TestPoolAlloc(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
	}{
		{"tiny", []int{1, 1, 2, 3, 1, 4, 7}},
		{"words", []int{8, 16, 24, 8, 9}},
		{"spill into new blocks", []int{5000, 5000, 5000, 1}},
		{"bigger than a block", []int{100, 20000, 3, 9000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.True(t, cgotest.PoolAllocOK(tc.sizes))
		})
	}
}

func TestAutoMemory(t *testing.T) {
	tests := []struct {
		name          string
		n, forget     int
		enable        bool
		wantCollected int
	}{
		{"off: nothing recorded", 5, 0, false, 0},
		{"on: all collected", 5, 0, true, 5},
		{"on: freed early are forgotten", 6, 3, true, 6},
		{"on: many entries grow the table", 100, 10, true, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The counted kind measures collection; -1 would mean leaked strings.
			require.Equal(t, tc.wantCollected, cgotest.AutoMemoryReleased(tc.n, tc.enable, tc.forget))
		})
	}
}

var buildOnce sync.Once

// testModule returns the path of modules_c/<name>.so, building the test
// modules once with their Makefile.
func testModule(t *testing.T, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "modules_c")
	var out []byte
	var err error
	buildOnce.Do(func() { out, err = exec.Command("make", "-C", dir).CombinedOutput() })
	require.NoError(t, err, string(out))
	return filepath.Join(dir, name+".so")
}

// newTestSystem builds a server (not listening) with a module system, and
// returns its log.
func newTestSystem(t *testing.T) (*System, *bytes.Buffer) {
	t.Helper()
	var logBuf bytes.Buffer
	srv := server.New(config.New(), logging.NewWriter(&logBuf, logging.Debug))
	sys := New(srv)
	srv.Modules = sys
	return sys, &logBuf
}

// TestLoadTransaction loads, fails and unloads modules in this process.
// It runs the whole scenario in one test because dlopen shares a library's
// globals across loads in a process.
func TestLoadTransaction(t *testing.T) {
	sys, logBuf := newTestSystem(t)
	srv := sys.srv
	srv.Lock()
	defer srv.Unlock()
	lc := testModule(t, "lifecycle")
	// A stand-in for the core GET the module tries to take over.
	get := &commands.Command{Name: "get", Arity: 2, Handler: func(commands.Client, [][]byte) {}}
	srv.Cmds.Add(get)

	steps := []struct {
		name    string
		path    string
		args    []string
		wantErr bool
		wantLog string
	}{
		{"missing file", "/nonexistent/x.so", nil, true, "Module /nonexistent/x.so failed to load: /nonexistent/x.so: cannot open shared object file"},
		{"not a module", testModule(t, "notamodule"), nil, true, "does not export RedisModule_OnLoad() symbol. Module not loaded."},
		{"OnLoad fails", lc, []string{"name", "failing", "fail"}, true, "initialization failed. Module not loaded"},
		{"collides with core command", lc, []string{"name", "coll", "collide", "get"}, true, "initialization failed. Module not loaded"},
		{"loads", lc, []string{"a", "b"}, false, "Module 'lifecycle' loaded from " + lc},
		{"duplicate name", lc, nil, true, "initialization failed. Module not loaded"},
	}
	for _, st := range steps {
		logBuf.Reset()
		err := sys.Load(st.path, st.args)
		if st.wantErr {
			require.Error(t, err, st.name)
		} else {
			require.NoError(t, err, st.name)
		}
		require.Contains(t, logBuf.String(), st.wantLog, st.name)
	}

	// Only the successful load left anything behind.
	require.Len(t, sys.List(), 1)
	require.Equal(t, server.ModuleInfo{Name: "lifecycle", Version: 3, Path: lc, Args: []string{"a", "b"}}, sys.List()[0])
	require.Equal(t, []string{"module:name=lifecycle,ver=3,api=1,filters=0,usedby=[],using=[],options=[]"}, sys.InfoLines())
	require.Equal(t, []config.ModuleSpec{{Path: lc, Args: []string{"a", "b"}}}, srv.Config.LoadModules())
	ping := srv.Cmds.Get("lc.ping")
	require.NotNil(t, ping)
	require.Equal(t, "lifecycle", ping.Module)
	require.Equal(t, "module", ping.Group)
	require.Equal(t, commands.FlagReadonly|commands.FlagFast|commands.FlagModule, ping.Flags)
	require.Equal(t, -1, ping.Arity)
	require.Nil(t, srv.Cmds.Get("lc.badflag"))
	require.Same(t, get, srv.Cmds.Get("get"), "the module must not have replaced a core command")

	info := srv.Cmds.Get("lc.info")
	require.Equal(t, 2, info.Arity)
	require.Equal(t, "Replies 1.", info.Summary)
	box := srv.Cmds.Get("lc.box")
	require.Equal(t, -2, box.Arity)
	require.Contains(t, box.Subs, "sub")
	require.Equal(t, "lc.box|sub", box.Subs["sub"].FullName)

	keys := srv.Cmds.Get("lc.keys")
	require.NotNil(t, keys.GetKeys)
	require.Equal(t, []int{1, 3}, keys.KeyPositions([][]byte{[]byte("lc.keys"), []byte("k1"), []byte("v1"), []byte("k2"), []byte("v2")}))

	require.ErrorIs(t, sys.Unload("nope"), ErrNoSuchModule)
	sys.Module("lifecycle").AddUnloadCheck(func() string { return "busy for the test" })
	require.EqualError(t, sys.Unload("lifecycle"), "busy for the test")
	sys.Module("lifecycle").unloadChecks = nil

	require.NoError(t, sys.Unload("lifecycle"))
	require.Contains(t, logBuf.String(), "Module lifecycle unloaded")
	require.Empty(t, sys.List())
	require.Empty(t, srv.Config.LoadModules())
	for _, name := range []string{"lc.ping", "lc.keys", "lc.box", "lc.info"} {
		require.Nil(t, srv.Cmds.Get(name), name)
	}
	require.False(t, nameBusy("lifecycle"))

	// Loads again after the unload; OnUnload refusing keeps it loaded.
	require.NoError(t, sys.Load(lc, []string{"nounload"}))
	require.ErrorIs(t, sys.Unload("lifecycle"), ErrUnloadCanceled)
	require.Contains(t, logBuf.String(), "Module lifecycle OnUnload failed.  Unload canceled.")
	require.NotNil(t, srv.Cmds.Get("lc.ping"))
}

func TestLoadWithoutExecPermission(t *testing.T) {
	sys, logBuf := newTestSystem(t)
	src := testModule(t, "notamodule")
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "noexec.so")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	sys.srv.Lock()
	defer sys.srv.Unlock()
	require.ErrorIs(t, sys.Load(path, nil), ErrLoad)
	require.Contains(t, logBuf.String(), "Module "+path+" failed to load: It does not have execute permissions.")
}

func TestParseLoadEx(t *testing.T) {
	sys, _ := newTestSystem(t)
	tests := []struct {
		in      []string
		ok      bool
		configs [][2]string
		args    []string
	}{
		{nil, true, [][2]string{}, []string{}},
		{[]string{"ARGS", "a", "b"}, true, [][2]string{}, []string{"a", "b"}},
		{[]string{"config", "x", "1", "CONFIG", "y", "2", "args"}, true, [][2]string{{"x", "1"}, {"y", "2"}}, []string{}},
		{[]string{"CONFIG", "x"}, false, nil, nil},
		{[]string{"FOO"}, false, nil, nil},
	}
	for _, tc := range tests {
		configs, args, ok := sys.parseLoadEx(tc.in)
		require.Equal(t, tc.ok, ok, "%v", tc.in)
		require.Equal(t, tc.configs, configs, "%v", tc.in)
		require.Equal(t, tc.args, args, "%v", tc.in)
	}
}

func TestSingleError(t *testing.T) {
	tests := []struct {
		in   string
		msg  string
		isOK bool
	}{
		{"-ERR x\r\n", "ERR x", true},
		{"+OK\r\n", "", false},
		{"*2\r\n-ERR a\r\n:1\r\n", "", false},
		{"-ERR a\r\n-ERR b\r\n", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		msg, ok := singleError([]byte(tc.in))
		require.Equal(t, tc.isOK, ok, "%q", tc.in)
		require.Equal(t, tc.msg, msg, "%q", tc.in)
	}
}

// TestCommandsReleaseEverything runs module commands in process and checks
// that contexts, argv strings and auto-memory objects are all released.
func TestCommandsReleaseEverything(t *testing.T) {
	sys, _ := newTestSystem(t)
	srv := sys.srv
	srv.Lock()
	defer srv.Unlock()
	require.NoError(t, sys.Load(testModule(t, "lifecycle"), []string{"name", "leaktest"}))
	t.Cleanup(func() { _ = sys.Unload("leaktest") })
	c := &server.Client{}
	c.W.Proto = 2
	run := func(args ...string) string {
		bs := make([][]byte, len(args))
		for i, a := range args {
			bs[i] = []byte(a)
		}
		c.W.Buf = c.W.Buf[:0]
		srv.Cmds.Get(args[0]).Handler(c, bs)
		return string(c.W.Buf)
	}
	baseCtx, baseMem := liveCtxs.Load(), sys.AllocatedBytes()
	for i := 0; i < 50; i++ {
		require.Equal(t, "+PONG\r\n", run("lc.ping"))
		require.Equal(t, "*3\r\n:3\r\n$1\r\na\r\n$2\r\nbb\r\n", run("lc.args", "a", "bb"))
		require.Equal(t, ":64\r\n", run("lc.automem", "64"))
		args := []string{"lc.args"}
		for j := 0; j < 40; j++ { // more than fit in the stack argv
			args = append(args, "x")
		}
		require.Contains(t, run(args...), "*41\r\n:41\r\n")
		require.Equal(t, []int{1, 3}, srv.Cmds.Get("lc.keys").KeyPositions([][]byte{[]byte("lc.keys"), []byte("k"), []byte("v"), []byte("k2"), []byte("v2")}))
	}
	require.Equal(t, baseCtx, liveCtxs.Load(), "contexts leaked")
	require.Equal(t, baseMem, sys.AllocatedBytes(), "module strings leaked")
}
