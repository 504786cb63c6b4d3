package acl

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeCmd is a command for the rule tests.
type fakeCmd struct {
	name   string
	parent *fakeCmd
	subs   bool
	cats   []string
	noAuth bool
	keys   []KeyRef
	chans  []ChannelRef
}

func (c *fakeCmd) ACLName() string { return c.name }
func (c *fakeCmd) ACLParent() Command {
	if c.parent == nil {
		return nil
	}
	return c.parent
}
func (c *fakeCmd) ACLHasSubcommands() bool                { return c.subs }
func (c *fakeCmd) ACLCategories() uint64                  { return CategoryBits(c.cats) }
func (c *fakeCmd) ACLNoAuth() bool                        { return c.noAuth }
func (c *fakeCmd) ACLHasKeys() bool                       { return len(c.keys) > 0 }
func (c *fakeCmd) ACLKeys(args [][]byte) []KeyRef         { return c.keys }
func (c *fakeCmd) ACLChannels(args [][]byte) []ChannelRef { return c.chans }

var (
	getCmd    = &fakeCmd{name: "get", cats: []string{"read", "string", "fast"}, keys: []KeyRef{{1, Read}}}
	setCmd    = &fakeCmd{name: "set", cats: []string{"write", "string", "slow"}, keys: []KeyRef{{1, Write}}}
	selectCmd = &fakeCmd{name: "select", cats: []string{"fast", "connection"}}
	authCmd   = &fakeCmd{name: "auth", cats: []string{"fast", "connection"}, noAuth: true}
	clientCmd = &fakeCmd{name: "client", subs: true, cats: []string{"slow"}}
	killCmd   = &fakeCmd{name: "client|kill", parent: clientCmd, cats: []string{"admin", "dangerous"}}
	idCmd     = &fakeCmd{name: "client|id", parent: clientCmd, cats: []string{"connection"}}
	pubCmd    = &fakeCmd{name: "publish", cats: []string{"pubsub"}, chans: []ChannelRef{{1, ChannelPublish}}}
	psubCmd   = &fakeCmd{name: "psubscribe", cats: []string{"pubsub"}, chans: []ChannelRef{{1, ChannelPattern | ChannelSubscribe}}}
)

func testLookup(name string) Command {
	for _, c := range []*fakeCmd{getCmd, setCmd, selectCmd, authCmd, clientCmd, killCmd, idCmd, pubCmd, psubCmd} {
		if c.name == name {
			return c
		}
	}
	return nil
}

func args(a ...string) [][]byte {
	out := make([][]byte, len(a))
	for i, s := range a {
		out[i] = []byte(s)
	}
	return out
}

func TestSetErrno(t *testing.T) {
	tests := []struct {
		before []string
		op     string
		want   syscall.Errno
	}{
		{nil, "on", 0},
		{nil, "bogus", syscall.EINVAL},
		{nil, "+nosuch", syscall.ENOENT},
		{nil, "+@nosuch", syscall.ENOENT},
		{nil, "+@READ", 0},
		{nil, "+client|kill", 0},
		{nil, "+client|nosuch", syscall.ENOENT},
		{nil, "-client|nosuch", syscall.ENOENT},
		{nil, "+client|kill|x", syscall.ECHILD},
		{nil, "+select|0", 0},
		{nil, "-select|0", syscall.ENOENT},
		{nil, "+select|", syscall.EINVAL},
		{[]string{"allkeys"}, "~a", syscall.EEXIST},
		{[]string{"allchannels"}, "&a", syscall.EISDIR},
		{nil, "~a b", syscall.EINVAL},
		{nil, "<nopw", syscall.ENODEV},
		{nil, "#xyz", syscall.EBADMSG},
		{nil, "%X~a", syscall.EINVAL},
		{nil, "%RR~a", syscall.EINVAL},
		{nil, "%R~a", 0},
		{nil, "(~a +get)", 0},
		{nil, "(~a +nosuch)", syscall.ENOENT},
		{nil, "(~a", syscall.EINVAL},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			u := NewUser("u")
			for _, op := range tc.before {
				require.Zero(t, u.Set(op, testLookup))
			}
			require.Equal(t, tc.want, u.Set(tc.op, testLookup))
		})
	}
}

func TestChecks(t *testing.T) {
	u := NewUser("u")
	require.Empty(t, u.SetString("on >pw %R~r:* ~rw:* &news.* -@all +@read +client -client|kill +select|1 +publish +psubscribe", testLookup))
	require.False(t, u.Open())
	require.True(t, u.CheckPassword([]byte("pw")))
	require.False(t, u.CheckPassword([]byte("other")))
	tests := []struct {
		cmd  Command
		args [][]byte
		res  Result
		pos  int
	}{
		{getCmd, args("get", "r:1"), OK, 0},
		{getCmd, args("get", "x"), DeniedKey, 1},
		{setCmd, args("set", "rw:1", "v"), DeniedCmd, 0},
		{idCmd, args("client", "id"), OK, 0},
		{killCmd, args("client", "kill", "x"), DeniedCmd, 0},
		{selectCmd, args("select", "1"), OK, 0},
		{selectCmd, args("select", "2"), DeniedCmd, 0},
		{authCmd, args("auth", "x"), OK, 0},
		{pubCmd, args("publish", "news.1", "m"), OK, 0},
		{pubCmd, args("publish", "sport", "m"), DeniedChannel, 1},
		{psubCmd, args("psubscribe", "news.*"), OK, 0},
		{psubCmd, args("psubscribe", "news.1"), DeniedChannel, 1},
	}
	for _, tc := range tests {
		res, pos := u.Check(tc.cmd, tc.args)
		require.Equal(t, tc.res, res, "%s", tc.args)
		require.Equal(t, tc.pos, pos, "%s", tc.args)
	}
	require.True(t, u.CheckKey([]byte("r:1"), Read))
	require.False(t, u.CheckKey([]byte("r:1"), Write))
	require.True(t, u.CheckKey([]byte("r:1"), 0))
	require.False(t, u.CheckKey([]byte("x"), 0))
	require.Equal(t, "on sanitize-payload #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 %R~r:* ~rw:* resetchannels &news.* -@all +@read +client -client|kill +select|1 +publish +psubscribe", u.Describe())
	// A later category rule that covers a command drops its first-args.
	require.Empty(t, u.SetString("-@connection", testLookup))
	res, _ := u.Check(selectCmd, args("select", "1"))
	require.Equal(t, DeniedCmd, res)
}

func TestSelectorsAndDefault(t *testing.T) {
	s := NewStore()
	require.True(t, s.Default().Open())
	require.False(t, s.AuthRequired())
	s.SetDefaultPassword("pw")
	require.True(t, s.AuthRequired())
	require.True(t, s.Default().Open(), "a password does not restrict commands")
	u, before, msg := s.SetUser("x", []string{"on", "nopass", "+get", "~a*", "(+set", "~b*)"}, testLookup)
	require.Empty(t, msg)
	require.Nil(t, before)
	res, _ := u.Check(setCmd, args("set", "b1", "v"))
	require.Equal(t, OK, res)
	res, pos := u.Check(setCmd, args("set", "a1", "v"))
	require.Equal(t, DeniedKey, res, "the selector allowing set does not allow a1")
	require.Equal(t, 1, pos)
	_, before, msg = s.SetUser("x", []string{"+set", "bogus"}, testLookup)
	require.Equal(t, "Error in ACL SETUSER modifier 'bogus': Syntax error", msg)
	require.Nil(t, before)
	require.Equal(t, "on nopass sanitize-payload ~a* resetchannels -@all +get (~b* resetchannels -@all +set)", u.Describe(), "a failed SETUSER changes nothing")
	require.Equal(t, []string{"default", "x"}, s.Names())
	require.Equal(t, u, s.Delete("x"))
	require.Nil(t, s.Delete("default"))
}

func TestLogGrouping(t *testing.T) {
	var l Log
	l.Max = 2
	l.Add(LogEntry{Reason: DeniedKey, Object: "k", Username: "u", Millis: 1000})
	l.Add(LogEntry{Reason: DeniedKey, Object: "k", Username: "u", Millis: 2000})
	require.Len(t, l.Entries, 1)
	require.Equal(t, int64(2), l.Entries[0].Count)
	require.Equal(t, int64(1000), l.Entries[0].Created)
	l.Add(LogEntry{Reason: DeniedKey, Object: "k", Username: "u", Millis: 2000 + logGroupMillis + 1})
	l.Add(LogEntry{Reason: DeniedCmd, Object: "get", Username: "u", Millis: 3000})
	require.Len(t, l.Entries, 2, "trimmed to Max")
	require.Equal(t, int64(2), l.Entries[0].ID)
}

func TestSplitArgs(t *testing.T) {
	got, ok := SplitArgs(`a "b c" 'd\'e' "\x41\n"`)
	require.True(t, ok)
	require.Equal(t, []string{"a", "b c", "d'e", "A\n"}, got)
	_, ok = SplitArgs(`"unterminated`)
	require.False(t, ok)
	_, ok = SplitArgs(`"a"b`)
	require.False(t, ok)
}
