package host

import (
	"syscall"
	"testing"

	"github.com/modhost/modhost/commands"
	"github.com/stretchr/testify/require"
)

// testLookup knows "get" and "client" with its "kill" subcommand.
func testLookup(name string) *commands.Command {
	get := &commands.Command{Name: "get", FullName: "get", ACL: []string{"read", "string", "fast"}}
	client := &commands.Command{Name: "client", FullName: "client"}
	kill := &commands.Command{Name: "kill", FullName: "client|kill", Parent: client}
	client.Subs = map[string]*commands.Command{"kill": kill}
	return map[string]*commands.Command{"get": get, "client": client, "client|kill": kill}[name]
}

func TestACLUserSetErrno(t *testing.T) {
	tests := []struct {
		before []string
		op     string
		want   syscall.Errno
	}{
		{nil, "on", 0},
		{nil, "bogus", syscall.EINVAL},
		{nil, "+nosuch", syscall.ENOENT},
		{nil, "+@nosuch", syscall.ENOENT},
		{nil, "+@read", 0},
		{nil, "+client|kill", 0},
		{nil, "+get|x", syscall.EINVAL},
		{[]string{"allkeys"}, "~a", syscall.EEXIST},
		{[]string{"allchannels"}, "&a", syscall.EISDIR},
		{nil, "<nopw", syscall.ENODEV},
		{nil, "#xyz", syscall.EBADMSG},
		{nil, "%X~a", syscall.EINVAL},
		{nil, "%R~a", 0},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			u := newACLUser("u")
			for _, op := range tc.before {
				require.Zero(t, u.set(op, testLookup))
			}
			require.Equal(t, tc.want, u.set(tc.op, testLookup))
		})
	}
}

func TestACLUserChecks(t *testing.T) {
	u := newACLUser("u")
	for _, op := range []string{"on", ">pw", "%R~r:*", "~rw:*", "&news.*", "-@all", "+@read", "+client", "-client|kill"} {
		require.Zero(t, u.set(op, testLookup), op)
	}
	require.True(t, u.checkPassword([]byte("pw")))
	require.False(t, u.checkPassword([]byte("other")))
	require.True(t, u.canRunCommand(testLookup("get")))
	require.True(t, u.canRunCommand(testLookup("client")))
	require.False(t, u.canRunCommand(testLookup("client|kill")))
	keys := []struct {
		key   string
		flags commands.KeyFlag
		ok    bool
	}{
		{"r:1", commands.KeyAccess, true},
		{"r:1", commands.KeyUpdate, false},
		{"rw:1", commands.KeyAccess | commands.KeyInsert, true},
		{"x", 0, false},
		{"r:1", 0, true},
	}
	for _, k := range keys {
		require.Equal(t, k.ok, u.checkKey([]byte(k.key), k.flags), k.key)
	}
	require.True(t, u.checkChannel([]byte("news.1"), false))
	require.False(t, u.checkChannel([]byte("news.1"), true))
	require.True(t, u.checkChannel([]byte("news.*"), true))
	require.False(t, u.checkChannel([]byte("sport"), false))
	require.Equal(t, "on sanitize-payload #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 %R~r:* ~rw:* resetchannels &news.* -@all +@read +client -client|kill", u.describe())
}
