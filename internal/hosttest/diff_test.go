package hosttest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const selfScript = `@flushall
SADD s a b c d e f g h
@sort
SMEMBERS s
ZADD z 0.1 m
ZSCORE z m
@proto 3
ZSCORE z m
HSET h f1 1 f2 2
@sort
HGETALL h
@ignore
TIME
@conn second
CLIENT SETNAME two
CLIENT GETNAME
@conn default
CLIENT GETNAME
@noreply
CLIENT REPLY OFF
@noreply
PING
CLIENT REPLY ON
@rawsend "*1\r\n$4\r\nPING\r\n"
@rawsend "*1\r\n$x\r\n"
PING
QUIT
PING
@reconnect
@sleep 1
ECHO "done\x21"
`

func TestRunScriptSameServerKind(t *testing.T) {
	a := StartRedis(t, DiffArgs...)
	b := StartRedis(t, DiffArgs...)
	s, err := ParseScript("self.txt", strings.NewReader(selfScript))
	require.NoError(t, err)
	ms, err := RunScript(s, Target{"a", a.Addr}, Target{"b", b.Addr})
	require.NoError(t, err)
	require.Empty(t, ms)
}

func TestRunScriptFindsMismatches(t *testing.T) {
	a := StartRedis(t, append([]string{"--databases", "16"}, DiffArgs...)...)
	b := StartRedis(t, append([]string{"--databases", "20"}, DiffArgs...)...)
	src := `PING
CONFIG GET databases
SELECT 17
@sort
CONFIG GET save
`
	s, err := ParseScript("m.txt", strings.NewReader(src))
	require.NoError(t, err)
	ms, err := RunScript(s, Target{"redis16", a.Addr}, Target{"redis20", b.Addr})
	require.NoError(t, err)
	require.Len(t, ms, 2)
	require.Equal(t, 2, ms[0].Line)
	require.Equal(t, "CONFIG GET databases", ms[0].Command)
	require.Equal(t, "*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n", string(ms[0].Replies[0]))
	require.Equal(t, "*2\r\n$9\r\ndatabases\r\n$2\r\n20\r\n", string(ms[0].Replies[1]))
	require.Equal(t, 3, ms[1].Line)
	require.Equal(t, "-ERR DB index is out of range\r\n", string(ms[1].Replies[0]))
	require.Equal(t, "+OK\r\n", string(ms[1].Replies[1]))
	require.Contains(t, ms[1].String(), "m.txt:3: SELECT 17")
}

func TestRunScriptFailsWhenServerIsDown(t *testing.T) {
	a := StartRedis(t, DiffArgs...)
	b := StartRedis(t, DiffArgs...)
	s, err := ParseScript("d.txt", strings.NewReader("PING\n"))
	require.NoError(t, err)
	b.Kill()
	_, err = RunScript(s, Target{"a", a.Addr}, Target{"b", b.Addr})
	require.Error(t, err)
}
