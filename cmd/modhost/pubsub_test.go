package main

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// TestPubSubGoRedis subscribes with go-redis's PubSub (channels and a
// pattern) in both protocols and checks delivery order and counts.
func TestPubSubGoRedis(t *testing.T) {
	s := startModhost(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			sub := s.Client(t, proto)
			pub := s.Client(t, 2)
			ps := sub.Subscribe(ctx, "news", "sport")
			t.Cleanup(func() { _ = ps.Close() })
			require.NoError(t, ps.PSubscribe(ctx, "n*"))
			for range 3 {
				_, err := ps.ReceiveTimeout(ctx, 10*time.Second)
				require.NoError(t, err)
			}
			n, err := pub.Publish(ctx, "news", "hello").Result()
			require.NoError(t, err)
			require.Equal(t, int64(2), n)
			n, err = pub.Publish(ctx, "sport", "goal").Result()
			require.NoError(t, err)
			require.Equal(t, int64(1), n)
			want := []redis.Message{
				{Channel: "news", Payload: "hello"},
				{Channel: "news", Pattern: "n*", Payload: "hello"},
				{Channel: "sport", Payload: "goal"},
			}
			for _, w := range want {
				msg, err := ps.ReceiveTimeout(ctx, 10*time.Second)
				require.NoError(t, err)
				m, ok := msg.(*redis.Message)
				require.True(t, ok, "got %T %v", msg, msg)
				require.Equal(t, w.Channel, m.Channel)
				require.Equal(t, w.Pattern, m.Pattern)
				require.Equal(t, w.Payload, m.Payload)
			}
			numsub, err := pub.PubSubNumSub(ctx, "news", "none").Result()
			require.NoError(t, err)
			require.Equal(t, map[string]int64{"news": 1, "none": 0}, numsub)
			require.NoError(t, ps.Unsubscribe(ctx, "news", "sport"))
			require.NoError(t, ps.PUnsubscribe(ctx, "n*"))
		})
	}
}

// pythonSubscriber is run by Debian's python3-redis: it subscribes, tells
// the test it is ready, and prints the messages it gets.
const pythonSubscriber = `
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
p = r.pubsub()
p.subscribe("chan")
p.psubscribe("pat.*")
for _ in range(2):
    p.get_message(timeout=10)
print("ready", flush=True)
got = 0
while got < 3:
    m = p.get_message(timeout=10)
    if m is None:
        continue
    print(m["type"], (m["pattern"] or b"").decode(), m["channel"].decode(), m["data"].decode(), flush=True)
    got += 1
p.close()
`

// TestPubSubPython proves a second client library works: Debian's
// python3-redis subscribes while go-redis publishes.
func TestPubSubPython(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/python3"); err != nil {
		t.Skip("/usr/bin/python3 not installed")
	}
	if exec.Command("/usr/bin/python3", "-c", "import redis").Run() != nil {
		t.Skip("python3-redis not installed (scripts/install-deps.sh)")
	}
	s := startModhost(t)
	ctx := context.Background()
	cmd := exec.Command("/usr/bin/python3", "-c", pythonSubscriber, strconv.Itoa(s.Port))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string, 16)
	go func() {
		buf := make([]byte, 4096)
		var acc string
		for {
			n, err := out.Read(buf)
			acc += string(buf[:n])
			for {
				line, rest, ok := strings.Cut(acc, "\n")
				if !ok {
					break
				}
				lines <- line
				acc = rest
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	next := func() string {
		select {
		case l, ok := <-lines:
			require.True(t, ok, "python exited: %s", stderr.String())
			return l
		case <-time.After(20 * time.Second):
			t.Fatalf("no output from python: %s", stderr.String())
			return ""
		}
	}
	require.Equal(t, "ready", next())
	pub := s.Client(t, 2)
	for _, m := range [][2]string{{"chan", "one"}, {"pat.x", "two"}, {"chan", "three"}} {
		require.NoError(t, pub.Publish(ctx, m[0], m[1]).Err())
	}
	require.Equal(t, "message  chan one", next())
	require.Equal(t, "pmessage pat.* pat.x two", next())
	require.Equal(t, "message  chan three", next())
}

// TestPubSubRESP2Context checks the RESP2 subscriber restriction through a
// raw connection and that RESP3 has none.
func TestPubSubRESP2Context(t *testing.T) {
	s := startModhost(t)
	c := s.Conn(t)
	c.Do("SUBSCRIBE", "a")
	require.Equal(t, "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", string(c.Do("GET", "x")))
	require.Equal(t, "-ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", string(c.Do("CLIENT", "ID")))
	require.Equal(t, "*2\r\n$4\r\npong\r\n$0\r\n\r\n", string(c.Do("PING")))
	require.Equal(t, "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n", string(c.Do("UNSUBSCRIBE")))
	require.Equal(t, "$-1\r\n", string(c.Do("GET", "x")))

	c3 := s.Conn(t)
	c3.Do("HELLO", "3")
	require.Equal(t, ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", string(c3.Do("SUBSCRIBE", "a")))
	require.Equal(t, "_\r\n", string(c3.Do("GET", "x")))
	require.Equal(t, "+PONG\r\n", string(c3.Do("PING")))
}
