package hosttest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseScript(t *testing.T) {
	src := `# a comment
PING

@proto 3
@sort
SMEMBERS s
@conn other
@ignore
TIME
@noreply
CLIENT REPLY OFF
@sleep 15
@flushall
@rawsend "*1\r\n$4\r\nPING\r\n"
@reconnect
SET k "a b"
`
	s, err := ParseScript("x.txt", strings.NewReader(src))
	require.NoError(t, err)
	require.Equal(t, "x.txt", s.Name)
	want := []Step{
		{Line: 2, Text: "PING", Kind: StepCommand, Args: []string{"PING"}},
		{Line: 4, Text: "@proto 3", Kind: StepProto, Args: []string{"@proto", "3"}, Proto: 3},
		{Line: 6, Text: "SMEMBERS s", Kind: StepCommand, Args: []string{"SMEMBERS", "s"}, Sort: true},
		{Line: 7, Text: "@conn other", Kind: StepConn, Args: []string{"@conn", "other"}, Conn: "other"},
		{Line: 9, Text: "TIME", Kind: StepCommand, Args: []string{"TIME"}, Ignore: true},
		{Line: 11, Text: "CLIENT REPLY OFF", Kind: StepCommand, Args: []string{"CLIENT", "REPLY", "OFF"}, NoReply: true},
		{Line: 12, Text: "@sleep 15", Kind: StepSleep, Args: []string{"@sleep", "15"}, Sleep: 15 * time.Millisecond},
		{Line: 13, Text: "@flushall", Kind: StepCommand, Args: []string{"FLUSHALL"}},
		{Line: 14, Text: `@rawsend "*1\r\n$4\r\nPING\r\n"`, Kind: StepRawSend, Raw: []byte("*1\r\n$4\r\nPING\r\n")},
		{Line: 15, Text: "@reconnect", Kind: StepReconnect, Args: []string{"@reconnect"}},
		{Line: 16, Text: `SET k "a b"`, Kind: StepCommand, Args: []string{"SET", "k", "a b"}},
	}
	require.Equal(t, want, s.Steps)
}

func TestParseScriptErrors(t *testing.T) {
	tests := []struct {
		name, src, msg string
	}{
		{"unbalanced", "ECHO \"x\n", "x.txt:1: unbalanced quotes"},
		{"unknown directive", "@nope\n", "x.txt:1: unknown directive @nope"},
		{"bad proto", "PING\n@proto 4\n", "x.txt:2: @proto takes 2 or 3"},
		{"proto arity", "@proto\n", "x.txt:1: @proto takes 1 argument(s)"},
		{"bad sleep", "@sleep soon\n", "x.txt:1: @sleep takes milliseconds"},
		{"dangling modifier", "PING\n@sort\n", "x.txt:2: modifier at end of script"},
		{"modifier before directive", "@sort\n@conn b\nPING\n", "x.txt:2: modifier on line 1 must be followed by a command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseScript("x.txt", strings.NewReader(tc.src))
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestMismatchString(t *testing.T) {
	m := Mismatch{Script: "a.txt", Line: 3, Command: "GET k", Names: [2]string{"redis", "modhost"},
		Replies: [2][]byte{[]byte("$1\r\nv\r\n"), []byte("$-1\r\n")}}
	require.Equal(t, "a.txt:3: GET k\n    redis:   \"$1\\r\\nv\\r\\n\"\n    modhost: \"$-1\\r\\n\"", m.String())
}

func TestParseUntil(t *testing.T) {
	s, err := ParseScript("u.txt", strings.NewReader("@until \":1\\r\\n\" DBSIZE\n"))
	require.NoError(t, err)
	require.Equal(t, []Step{{Line: 1, Text: `@until ":1\r\n" DBSIZE`, Kind: StepUntil, Args: []string{"DBSIZE"}, Until: []byte(":1\r\n")}}, s.Steps)
	_, err = ParseScript("u.txt", strings.NewReader("@until \":1\\r\\n\"\n"))
	require.Error(t, err)
}
