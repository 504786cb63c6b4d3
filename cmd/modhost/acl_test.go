package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// ACL behaviour of Redis 7.2 that the 7.0 oracle of testdata/diff/acl.txt
// cannot show (NOPERM and DRYRUN texts, rule order, ACL LOG fields,
// selectors): modhost only, with Redis 7.2's texts.

// authAs opens a connection authenticated as user with password pw.
func authAs(t *testing.T, s *hosttest.Server, user, pw string) *hosttest.Conn {
	t.Helper()
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("AUTH", user, pw)))
	return c
}

// TestACLNoPerm: commands, keys (by read/write need) and channels a
// restricted user may not use get Redis 7.2's NOPERM errors; allowed ones
// run.
func TestACLNoPerm(t *testing.T) {
	s := hosttest.StartModhost(t)
	admin := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "SETUSER", "alice", "on", ">pw",
		"~app:*", "%R~ro:*", "%W~wo:*", "&news.*", "-@all", "+@string", "-append", "+publish", "+subscribe", "+psubscribe",
		"+select|0", "+client|id", "+multi", "+exec")))
	c := authAs(t, s, "alice", "pw")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"SET", "app:1", "v"}, "+OK\r\n"},
		{[]string{"GET", "app:1"}, "$1\r\nv\r\n"},
		{[]string{"APPEND", "app:1", "x"}, "-NOPERM User alice has no permissions to run the 'append' command\r\n"},
		{[]string{"HSET", "app:h", "f", "v"}, "-NOPERM User alice has no permissions to run the 'hset' command\r\n"},
		{[]string{"GET", "other"}, "-NOPERM No permissions to access a key\r\n"},
		{[]string{"GET", "ro:1"}, "$-1\r\n"},
		{[]string{"SET", "ro:1", "v"}, "-NOPERM No permissions to access a key\r\n"},
		{[]string{"SET", "wo:1", "v"}, "+OK\r\n"},
		{[]string{"GET", "wo:1"}, "-NOPERM No permissions to access a key\r\n"},
		{[]string{"COPY", "ro:1", "wo:2"}, "-NOPERM User alice has no permissions to run the 'copy' command\r\n"},
		{[]string{"MSET", "app:a", "1", "ro:b", "2"}, "-NOPERM No permissions to access a key\r\n"},
		{[]string{"PUBLISH", "news.today", "hi"}, ":0\r\n"},
		{[]string{"PUBLISH", "sports", "hi"}, "-NOPERM No permissions to access a channel\r\n"},
		{[]string{"SELECT", "0"}, "+OK\r\n"},
		{[]string{"SELECT", "1"}, "-NOPERM User alice has no permissions to run the 'select' command\r\n"},
		{[]string{"CLIENT", "ID"}, ":"},
		{[]string{"CLIENT", "INFO"}, "-NOPERM User alice has no permissions to run the 'client|info' command\r\n"},
		{[]string{"PING"}, "-NOPERM User alice has no permissions to run the 'ping' command\r\n"},
		{[]string{"AUTH", "alice", "pw"}, "+OK\r\n"}, // no_auth commands are always allowed
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			require.True(t, strings.HasPrefix(string(c.Do(tc.args...)), tc.want))
		})
	}
	// A pattern subscription must name one of the user's patterns literally.
	sub := authAs(t, s, "alice", "pw")
	require.Equal(t, "-NOPERM No permissions to access a channel\r\n", string(sub.Do("PSUBSCRIBE", "news.t*")))
	require.Contains(t, string(sub.Do("PSUBSCRIBE", "news.*")), "psubscribe")
	// A transaction is refused at queue time and re-checked at EXEC.
	require.Equal(t, "+OK\r\n", string(c.Do("MULTI")))
	require.Equal(t, "+QUEUED\r\n", string(c.Do("GET", "app:1")))
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "SETUSER", "alice", "-get")))
	require.Equal(t, "*1\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand\r\n", string(c.Do("EXEC")))
	require.Equal(t, "+OK\r\n", string(c.Do("MULTI")))
	require.Equal(t, "-NOPERM User alice has no permissions to run the 'get' command\r\n", string(c.Do("GET", "app:1")))
	require.Equal(t, "-EXECABORT Transaction discarded because of previous errors.\r\n", string(c.Do("EXEC")))
}

// TestACLSelectors: a command is allowed when any selector allows it and
// the error names what no selector allowed.
func TestACLSelectors(t *testing.T) {
	s := hosttest.StartModhost(t)
	admin := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "SETUSER", "sel", "on", "nopass", "+get", "~a*", "(+set ~b*)", "(%R~c* +@read)")))
	c := authAs(t, s, "sel", "x")
	require.Equal(t, "$-1\r\n", string(c.Do("GET", "a1")))
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "b1", "v")))
	require.Equal(t, "$-1\r\n", string(c.Do("GET", "c1")))
	require.Equal(t, "-NOPERM No permissions to access a key\r\n", string(c.Do("SET", "a1", "v")))
	require.Equal(t, "-NOPERM User sel has no permissions to run the 'del' command\r\n", string(c.Do("DEL", "a1")))
	list := string(admin.Do("ACL", "LIST"))
	require.Contains(t, list, "user sel on nopass sanitize-payload ~a* resetchannels -@all +get (~b* resetchannels -@all +set) (%R~c* resetchannels -@all +@read)")
	require.Equal(t, "$49\r\nUser sel has no permissions to access the 'd' key\r\n", string(admin.Do("ACL", "DRYRUN", "sel", "get", "d")))
	require.Equal(t, "$53\r\nUser sel has no permissions to run the 'incr' command\r\n", string(admin.Do("ACL", "DRYRUN", "sel", "incr", "a")))
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "DRYRUN", "sel", "set", "b2", "v")))
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "SETUSER", "sel", "clearselectors")))
	require.Equal(t, "-NOPERM User sel has no permissions to run the 'set' command\r\n", string(c.Do("SET", "b1", "v")))
}

// TestACLRuleOrder: rules are kept in the order given, replacing earlier
// rules for the same command and its subcommands, as Redis 7.2 shows them.
func TestACLRuleOrder(t *testing.T) {
	s := hosttest.StartModhost(t)
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("ACL", "SETUSER", "u", "-@all", "+@hash", "+client|id", "-hdel", "+get", "+client", "+select|0", "+GET")))
	r := s.Client(t, 2)
	u, err := r.Do(context.Background(), "ACL", "GETUSER", "u").Slice()
	require.NoError(t, err)
	require.Equal(t, "-@all +@hash -hdel +client +select|0 +get", u[5])
	require.Equal(t, "+OK\r\n", string(c.Do("ACL", "SETUSER", "u", "+@all", "-@dangerous", "+flushdb")))
	u, err = r.Do(context.Background(), "ACL", "GETUSER", "u").Slice()
	require.NoError(t, err)
	require.Equal(t, "+@all -@dangerous +flushdb", u[5])
	require.Equal(t, "+OK\r\n", string(c.Do("ACL", "DRYRUN", "u", "flushdb")))
	require.Contains(t, string(c.Do("ACL", "DRYRUN", "u", "flushall")), "no permissions to run the 'flushall' command")
}

// TestACLLog: denials and failed AUTHs are logged with Redis's fields,
// similar entries are counted together, and LOG RESET empties the log.
func TestACLLog(t *testing.T) {
	s := hosttest.StartModhost(t)
	admin := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "SETUSER", "bob", "on", ">pw", "~k", "+get", "+multi", "+discard", "&ch")))
	c := authAs(t, s, "bob", "pw")
	c.Do("GET", "other")
	c.Do("GET", "other")
	c.Do("SET", "k", "v")
	require.Equal(t, "+OK\r\n", string(c.Do("MULTI")))
	c.Do("INCR", "k")
	c.Do("DISCARD")
	admin.Do("AUTH", "bob", "wrong")
	r := s.Client(t, 3)
	entries, err := r.Do(context.Background(), "ACL", "LOG").Slice()
	require.NoError(t, err)
	require.Len(t, entries, 4)
	want := []struct {
		reason, context, object, user string
		count                         int64
	}{
		{"auth", "toplevel", "AUTH", "bob", 1},
		{"command", "multi", "incr", "bob", 1},
		{"command", "toplevel", "set", "bob", 1},
		{"key", "toplevel", "other", "bob", 2},
	}
	for i, w := range want {
		e := entries[i].(map[any]any)
		require.Equal(t, w.reason, e["reason"], i)
		require.Equal(t, w.context, e["context"], i)
		require.Equal(t, w.object, e["object"], i)
		require.Equal(t, w.user, e["username"], i)
		require.Equal(t, w.count, e["count"], i)
		require.Contains(t, e["client-info"], " user=", i)
		require.GreaterOrEqual(t, e["timestamp-last-updated"], e["timestamp-created"], i)
		require.Less(t, e["age-seconds"], 60.0, i)
		require.Equal(t, int64(3-i), e["entry-id"], i)
	}
	info, err := r.Info(context.Background(), "stats").Result()
	require.NoError(t, err)
	for _, line := range []string{"acl_access_denied_auth:1", "acl_access_denied_cmd:2", "acl_access_denied_key:2", "acl_access_denied_channel:0"} {
		require.Contains(t, info, line+"\r\n")
	}
	one, err := r.Do(context.Background(), "ACL", "LOG", "1").Slice()
	require.NoError(t, err)
	require.Len(t, one, 1)
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "LOG", "RESET")))
	require.Equal(t, "*0\r\n", string(admin.Do("ACL", "LOG")))
}

// TestACLGenPass: GENPASS returns bits/4 (rounded up) lower-case hex
// characters, 64 by default, different each time.
func TestACLGenPass(t *testing.T) {
	s := hosttest.StartModhost(t)
	r := s.Client(t, 2)
	ctx := context.Background()
	for bits, n := range map[string]int{"": 64, "1": 1, "5": 2, "256": 64, "4096": 1024} {
		args := []any{"ACL", "GENPASS"}
		if bits != "" {
			args = append(args, bits)
		}
		p, err := r.Do(ctx, args...).Text()
		require.NoError(t, err)
		require.Len(t, p, n, bits)
		require.Empty(t, strings.Trim(p, "0123456789abcdef"), bits)
	}
	a, _ := r.Do(ctx, "ACL", "GENPASS").Text()
	b, _ := r.Do(ctx, "ACL", "GENPASS").Text()
	require.NotEqual(t, a, b)
}

// TestACLDeleteAndRevoke: deleting a user closes its connections; removing
// channel permissions closes its subscribers that lost a channel; turning
// a user off refuses new AUTHs but keeps existing connections.
func TestACLDeleteAndRevoke(t *testing.T) {
	s := hosttest.StartModhost(t)
	admin := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "SETUSER", "eve", "on", ">pw", "+@all", "~*", "&a", "&b")))
	c := authAs(t, s, "eve", "pw")
	subA := authAs(t, s, "eve", "pw")
	subB := authAs(t, s, "eve", "pw")
	require.Contains(t, string(subA.Do("SUBSCRIBE", "a")), "subscribe")
	require.Contains(t, string(subB.Do("SUBSCRIBE", "b")), "subscribe")
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "SETUSER", "eve", "resetchannels", "&a")))
	require.True(t, subB.Closed(2*time.Second))
	require.False(t, subA.Closed(100*time.Millisecond))
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "SETUSER", "eve", "off")))
	require.Equal(t, "+PONG\r\n", string(c.Do("PING")))
	require.Equal(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", string(admin.Do("AUTH", "eve", "pw")))
	require.Equal(t, ":1\r\n", string(admin.Do("ACL", "DELUSER", "eve")))
	require.True(t, c.Closed(2*time.Second))
	require.True(t, subA.Closed(2*time.Second))
	// Deleting the user a connection runs as closes it after the reply.
	require.Equal(t, "+OK\r\n", string(admin.Do("ACL", "SETUSER", "self", "on", "nopass", "+@all")))
	self := authAs(t, s, "self", "x")
	require.Equal(t, ":1\r\n", string(self.Do("ACL", "DELUSER", "self")))
	require.True(t, self.Closed(2*time.Second))
}

// TestACLRequirepassAndHello: requirepass is the default user's password;
// HELLO AUTH authenticates; an AUTH failure is WRONGPASS.
func TestACLRequirepassAndHello(t *testing.T) {
	s := hosttest.StartModhost(t, "--requirepass", "sekret")
	c := s.Conn(t)
	require.Equal(t, "-NOAUTH Authentication required.\r\n", string(c.Do("GET", "k")))
	require.Equal(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", string(c.Do("AUTH", "nope")))
	require.Equal(t, "+OK\r\n", string(c.Do("AUTH", "sekret")))
	require.Contains(t, string(c.Do("ACL", "LIST")), "user default on sanitize-payload #")
	h := s.Conn(t)
	require.Contains(t, string(h.Do("HELLO", "3", "AUTH", "default", "sekret")), "proto")
	require.Equal(t, "$7\r\ndefault\r\n", string(h.Do("ACL", "WHOAMI")))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "requirepass", "")))
	fresh := s.Conn(t)
	require.Equal(t, "+PONG\r\n", string(fresh.Do("PING")))
	require.Contains(t, string(c.Do("ACL", "LIST")), "user default on nopass sanitize-payload")
}

// TestACLFileAndUserDirectives: users from "user" directives and from an
// aclfile; ACL SAVE writes the file ACL LOAD reads back; a broken file
// changes nothing; both sources at once stop the server.
func TestACLFileAndUserDirectives(t *testing.T) {
	s := hosttest.StartModhost(t, "--user", "cfg", "on", ">pw", "+get", "~x")
	c := s.Conn(t)
	require.Contains(t, string(c.Do("ACL", "LIST")), "user cfg on sanitize-payload #")
	require.Equal(t, "+OK\r\n", string(s.Conn(t).Do("AUTH", "cfg", "pw")))

	dir := t.TempDir()
	file := filepath.Join(dir, "users.acl")
	require.NoError(t, os.WriteFile(file, []byte("user default on nopass ~* &* +@all\nuser fil on >pw ~f* -@all +get\n"), 0o644))
	s = hosttest.StartModhost(t, "--aclfile", file)
	c = s.Conn(t)
	require.Equal(t, "*2\r\n$7\r\ndefault\r\n$3\r\nfil\r\n", string(c.Do("ACL", "USERS")))
	fil := authAs(t, s, "fil", "pw")
	require.Equal(t, "+OK\r\n", string(c.Do("ACL", "SETUSER", "new", "on", "nopass", "+@all")))
	require.Equal(t, "+OK\r\n", string(c.Do("ACL", "SAVE")))
	saved, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Contains(t, string(saved), "user new on nopass sanitize-payload resetchannels +@all\n")
	require.Contains(t, string(saved), "user fil on sanitize-payload #")
	require.NoError(t, os.WriteFile(file, []byte("user fil on >pw ~f* -@all +get\nuser bad +nosuch\nbogus line\n"), 0o644))
	msg := string(c.Do("ACL", "LOAD"))
	require.Contains(t, msg, "Error in applying operation '+nosuch': Unknown command or category name in ACL")
	require.Contains(t, msg, "should start with user keyword followed by the username")
	require.Contains(t, msg, "WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
	require.Equal(t, "*3\r\n$7\r\ndefault\r\n$3\r\nfil\r\n$3\r\nnew\r\n", string(c.Do("ACL", "USERS")))
	require.Equal(t, "$-1\r\n", string(fil.Do("GET", "f1")), "a failed LOAD keeps the users and their clients")
	require.NoError(t, os.WriteFile(file, saved, 0o644))
	require.Equal(t, "+OK\r\n", string(c.Do("ACL", "LOAD")))
	require.True(t, fil.Closed(2*time.Second), "a reloaded user's clients are closed")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, hosttest.ModhostBin(t), "--port", "0", "--save", "", "--aclfile", file, "--user", "x", "on").CombinedOutput()
	require.Error(t, err, "the server must refuse to start")
	require.Contains(t, string(out), "please define either an ACL file or declare users directly in your redis.conf, but not both")
	out, err = exec.CommandContext(ctx, hosttest.ModhostBin(t), "--port", "0", "--user", "x", "on", "bogus").CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "Error in user declaration 'x': Syntax error")
}

// TestACLConfigRewrite: without an aclfile, CONFIG REWRITE writes the
// users as "user" lines, which the next start loads.
func TestACLConfigRewrite(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "m.conf")
	require.NoError(t, os.WriteFile(conf, []byte("user old on nopass +@all\n"), 0o644))
	s := hosttest.StartModhost(t, conf)
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("ACL", "SETUSER", "neo", "on", ">pw", "~n*", "+get")))
	require.Equal(t, ":1\r\n", string(c.Do("ACL", "DELUSER", "old")))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "REWRITE")))
	b, err := os.ReadFile(conf)
	require.NoError(t, err)
	require.Contains(t, string(b), "user default on nopass sanitize-payload ~* &* +@all\n")
	require.Contains(t, string(b), "user neo on sanitize-payload #")
	require.NotContains(t, string(b), "user old")
	s = hosttest.StartModhost(t, conf)
	c = s.Conn(t)
	require.Equal(t, "*2\r\n$7\r\ndefault\r\n$3\r\nneo\r\n", string(c.Do("ACL", "USERS")))
	require.Equal(t, "+OK\r\n", string(s.Conn(t).Do("AUTH", "neo", "pw")))
}
