package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// Tests of the module user, authentication and cluster APIs for what the
// Redis 7.0 oracle cannot show (7.2+ functions and texts): modhost only.

// TestModuleUserPermissions: a client authenticated as a module user gets
// Redis 7.2's NOPERM texts, and CLIENT INFO, GetCurrentUserName and
// GetClientUserNameById name the user.
func TestModuleUserPermissions(t *testing.T) {
	s := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "test_acl"))
	c := s.Conn(t)
	require.Equal(t, "$7\r\ndefault\r\n", string(c.Do("tacl.whoami")))
	require.Equal(t, "+OK\r\n", string(c.Do("tacl.setuser", "on", "+@all", "-set", "~k*", "&news")))
	require.Equal(t, "+OK\r\n", string(c.Do("tacl.auth")))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"SET", "k", "v"}, "-NOPERM User tacluser has no permissions to run the 'set' command\r\n"},
		{[]string{"GET", "other"}, "-NOPERM No permissions to access a key\r\n"},
		{[]string{"GET", "k1"}, "$-1\r\n"},
		{[]string{"PUBLISH", "sports", "x"}, "-NOPERM No permissions to access a channel\r\n"},
		{[]string{"PUBLISH", "news", "x"}, ":0\r\n"},
		{[]string{"tacl.whoami"}, "$8\r\ntacluser\r\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			require.Equal(t, tc.want, string(c.Do(tc.args...)))
		})
	}
	info := string(c.Do("CLIENT", "INFO"))
	require.Contains(t, info, " user=tacluser ")
	require.Equal(t, "+OK\r\n", string(c.Do("AUTH", "default", "x")))
	require.Equal(t, ":1\r\n", string(c.Do("tacl.changed")))
	require.Contains(t, string(c.Do("CLIENT", "INFO")), " user=default ")
}

// TestModuleUserACLString: GetModuleUserACLString describes the rules as
// ACL LIST would, and SetModuleUserACLString is all or nothing with
// Redis's error text.
func TestModuleUserACLString(t *testing.T) {
	s := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "test_acl"))
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("tacl.setuser")))
	tests := []struct {
		acl, reply, describe string
	}{
		{"", "+OK\r\n", "off sanitize-payload resetchannels -@all"},
		{"on nopass ~a* %R~r* &ch +@read -get +set", "+OK\r\n",
			"on nopass sanitize-payload ~a* %R~r* resetchannels &ch -@all +@read -get +set"},
		{"+get -@read", "+OK\r\n",
			"on nopass sanitize-payload ~a* %R~r* resetchannels &ch -@all +set +get -@read"},
		{"allkeys allchannels +@all -client|kill >pw", "+OK\r\n",
			"on sanitize-payload #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~* &* +@all -client|kill"},
		{"off +get bogus", "-ERR Error in ACL SETUSER modifier 'bogus': Syntax error\r\n",
			"on sanitize-payload #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~* &* +@all -client|kill"},
		{"~x", "-ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns\r\n",
			"on sanitize-payload #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~* &* +@all -client|kill"},
		{"reset", "+OK\r\n", "off sanitize-payload resetchannels -@all"},
	}
	for _, tc := range tests {
		t.Run(tc.acl, func(t *testing.T) {
			require.Equal(t, tc.reply, string(c.Do("tacl.setstring", tc.acl)))
			want := "$" + strconv.Itoa(len(tc.describe)) + "\r\n" + tc.describe + "\r\n"
			require.Equal(t, want, string(c.Do("tacl.aclstring")))
		})
	}
	require.Equal(t, "+OK\r\n", string(c.Do("tacl.defaultcmd", "set", "k", "v")))
	require.Equal(t, "-ERR errno=ENOENT\r\n", string(c.Do("tacl.defaultcmd", "nosuch")))
}

// TestModuleAuthCallbacks: AUTH and HELLO AUTH run the module auth
// callbacks newest first; HANDLED ends the chain with success or the
// module's error, NOT_HANDLED falls back to the password check.
func TestModuleAuthCallbacks(t *testing.T) {
	s := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "test_auth"), "--requirepass", "pw")
	c := s.Conn(t)
	tests := []struct {
		args  []string
		want  string
		order string
	}{
		{[]string{"AUTH", "foo", "deny"}, "-ERR Auth denied by tauth.\r\n", "second,first"},
		{[]string{"AUTH", "foo", "plain"}, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "second,first"},
		{[]string{"AUTH", "zzz", "pw"}, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "second,first"},
		{[]string{"AUTH", "pw"}, "+OK\r\n", "second,first"},
		{[]string{"AUTH", "bar", "ok"}, "+OK\r\n", "second"},
		{[]string{"AUTH", "foo", "allow"}, "+OK\r\n", "second,first"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			require.Equal(t, tc.want, string(c.Do(tc.args...)))
			require.Equal(t, "$"+strconv.Itoa(len(tc.order))+"\r\n"+tc.order+"\r\n", string(c.Do("tauth.order")))
		})
	}
	require.Equal(t, "-NOPERM User foo has no permissions to run the 'set' command\r\n", string(c.Do("SET", "k", "v")))
	require.Equal(t, "-ERR Module blocking client on auth when not currently undergoing module authentication\r\n", string(c.Do("tauth.block")))

	h := s.Conn(t)
	f, err := h.Command("HELLO", "3", "AUTH", "foo", "allow")
	require.NoError(t, err)
	require.Equal(t, byte('%'), f.Type, "%q", f.Str)
	require.Contains(t, string(h.Do("CLIENT", "INFO")), " user=foo ")
	require.Equal(t, "-ERR Auth denied by tauth.\r\n", string(h.Do("HELLO", "2", "AUTH", "foo", "deny")))
}

// TestModuleClusterKeySlot: ClusterKeySlot hashes keys (and hash tags) to
// Redis Cluster's slots, and every canonical slot name hashes back to its
// slot.
func TestModuleClusterKeySlot(t *testing.T) {
	s := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "test_cluster"))
	c := s.Conn(t)
	slots := []struct {
		key  string
		slot int
	}{
		{"foo", 12182}, {"bar", 5061}, {"hello", 866},
		{"{foo}.x", 12182}, {"x{foo}y{bar}", 12182}, {"{}foo", -1}, {"", 0},
	}
	for _, tc := range slots {
		got := string(c.Do("tcluster.slot", tc.key))
		if tc.slot >= 0 {
			require.Equal(t, ":"+strconv.Itoa(tc.slot)+"\r\n", got, tc.key)
		} else {
			require.NotEqual(t, string(c.Do("tcluster.slot", "foo")), got, tc.key)
		}
	}
	for _, slot := range []int{0, 1, 866, 5061, 12182, 16383} {
		f, err := c.Command("tcluster.name", strconv.Itoa(slot))
		require.NoError(t, err)
		name := string(f.Str)
		require.True(t, len(name) >= 1 && len(name) <= 3, "slot %d: %q", slot, name)
		require.Equal(t, ":"+strconv.Itoa(slot)+"\r\n", string(c.Do("tcluster.slot", name)), "slot %d name %q", slot, name)
	}
	require.Equal(t, "$-1\r\n", string(c.Do("tcluster.name", "16384")))
}

// TestModuleCallRunsAsContextUser checks RedisModule_Call's "C" flag with a
// user set by SetContextUser: allowed commands run, a denied command or key
// gives Redis 7.2's NOPERM error reply with "E" (7.0 worded these
// differently, so they are not in the differential script).
func TestModuleCallRunsAsContextUser(t *testing.T) {
	c := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "test_acl")).Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("TACL.SETUSER", "on", "+get", "~k*")))
	require.Equal(t, "+OK\r\n", string(c.Do("SET", "k1", "v1")))
	require.Equal(t, "$2\r\nv1\r\n", string(c.Do("TACL.CALLAS", "GET", "k1")))
	require.Equal(t, "-NOPERM User tacluser has no permissions to run the 'set' command\r\n", string(c.Do("TACL.CALLAS", "SET", "k1", "v")))
	require.Equal(t, "-NOPERM No permissions to access a key\r\n", string(c.Do("TACL.CALLAS", "GET", "other")))
	require.Equal(t, "$2\r\nv1\r\n", string(c.Do("GET", "k1")))
}

// TestModuleBlockingAuth: an auth callback that blocks the client
// (BlockClientOnAuth) and decides in a thread: AUTH and HELLO AUTH answer
// only once the reply callback ran; its NOT_HANDLED falls back to the
// password check; inside MULTI the block is refused with Redis's error;
// the blocked AUTH counts as one call in commandstats.
func TestModuleBlockingAuth(t *testing.T) {
	s := hosttest.StartModhost(t, "--loadmodule", moduleSO(t, "test_auth"), "--requirepass", "pw")
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("AUTH", "pw")))
	require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "RESETSTAT")))
	require.Equal(t, "+OK\r\n", string(c.Do("AUTH", "baz", "ok")))
	require.Equal(t, "-ERR denied in background\r\n", string(c.Do("AUTH", "baz", "no")))
	require.Equal(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", string(c.Do("AUTH", "baz", "other")))
	require.Contains(t, infoFieldRaw(t, c, "commandstats", "cmdstat_auth"), "calls=3,")
	require.Contains(t, infoFieldRaw(t, c, "commandstats", "cmdstat_auth"), "failed_calls=2")

	h := s.Conn(t)
	f, err := h.Command("HELLO", "3", "AUTH", "baz", "ok", "SETNAME", "bg")
	require.NoError(t, err)
	require.Equal(t, byte('%'), f.Type, "%q", f.Raw)
	require.Equal(t, "$2\r\nbg\r\n", string(h.Do("CLIENT", "GETNAME")))
	require.Equal(t, "-ERR denied in background\r\n", string(h.Do("HELLO", "2", "AUTH", "baz", "no", "SETNAME", "x")))
	require.Equal(t, "$2\r\nbg\r\n", string(h.Do("CLIENT", "GETNAME")))

	// Pipelined: the command after a blocked AUTH waits for it.
	require.NoError(t, h.Send(append(hosttest.AppendCommand(nil, "AUTH", "baz", "ok"), hosttest.AppendCommand(nil, "PING")...)))
	for _, want := range []string{"+OK\r\n", "+PONG\r\n"} {
		f, err := h.ReadFrame()
		require.NoError(t, err)
		require.Equal(t, want, string(f.Raw))
	}

	require.Equal(t, "+OK\r\n", string(c.Do("MULTI")))
	require.Equal(t, "+QUEUED\r\n", string(c.Do("AUTH", "baz", "ok")))
	require.Equal(t, "*1\r\n-ERR Blocking module command called from transaction\r\n", string(c.Do("EXEC")))
}
