package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// Integration tests for the set and sorted-set families that differential
// scripts cannot express: blocking pops, random replies checked by their
// properties, notifications, WATCH and 7.2-only syntax.

// waitBlocked waits until n clients are blocked on the server.
func waitBlocked(t *testing.T, rdb *redis.Client, n int) {
	t.Helper()
	want := "blocked_clients:" + string(rune('0'+n))
	require.Eventually(t, func() bool {
		info, err := rdb.Info(context.Background(), "clients").Result()
		return err == nil && strings.Contains(info, want)
	}, 10*time.Second, 5*time.Millisecond, "waiting for %s", want)
}

func TestZSetBlockingPopServedByZAdd(t *testing.T) {
	srv := hosttest.StartModhost(t)
	for _, proto := range []int{2, 3} {
		ctx := context.Background()
		admin := srv.Client(t, proto)
		blocker := srv.Client(t, proto)
		require.NoError(t, admin.FlushAll(ctx).Err())

		tests := []struct {
			name string
			run  func() (any, error)
			push func()
			want any
		}{
			{"bzpopmin", func() (any, error) {
				return blocker.BZPopMin(ctx, 0, "k1", "k2").Result()
			}, func() { admin.ZAdd(ctx, "k2", redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 1, Member: "a"}) },
				&redis.ZWithKey{Key: "k2", Z: redis.Z{Score: 1, Member: "a"}}},
			{"bzpopmax", func() (any, error) {
				return blocker.BZPopMax(ctx, 0, "k3").Result()
			}, func() { admin.ZAdd(ctx, "k3", redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 1, Member: "a"}) },
				&redis.ZWithKey{Key: "k3", Z: redis.Z{Score: 2, Member: "b"}}},
			{"bzmpop", func() (any, error) {
				key, zs, err := blocker.BZMPop(ctx, 0, "max", 5, "k4", "k5").Result()
				return []any{key, zs}, err
			}, func() {
				admin.ZAdd(ctx, "k5", redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 3, Member: "y"})
			}, []any{"k5", []redis.Z{{Score: 3, Member: "y"}, {Score: 1, Member: "x"}}}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				type res struct {
					v   any
					err error
				}
				done := make(chan res, 1)
				go func() {
					v, err := tc.run()
					done <- res{v, err}
				}()
				waitBlocked(t, admin, 1)
				tc.push()
				r := <-done
				require.NoError(t, r.err)
				require.Equal(t, tc.want, r.v)
			})
		}
		left, err := admin.Exists(ctx, "k2", "k3", "k5").Result()
		require.NoError(t, err)
		require.Equal(t, int64(2), left, "k2 and k3 keep one member, k5 was emptied")
	}
}

func TestZSetBlockingPopTimeoutAndMulti(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		rdb := srv.Client(t, proto)
		_, err := rdb.BZPopMin(ctx, 50*time.Millisecond, "nokey").Result()
		require.ErrorIs(t, err, redis.Nil)
		_, _, err = rdb.BZMPop(ctx, 50*time.Millisecond, "min", 1, "nokey").Result()
		require.ErrorIs(t, err, redis.Nil)

		conn := srv.Conn(t)
		if proto == 3 {
			conn.Do("HELLO", "3")
		}
		require.Equal(t, "+OK\r\n", string(conn.Do("MULTI")))
		require.Equal(t, "+QUEUED\r\n", string(conn.Do("BZPOPMAX", "nokey", "0")))
		want := "*1\r\n*-1\r\n"
		if proto == 3 {
			want = "*1\r\n_\r\n"
		}
		require.Equal(t, want, string(conn.Do("EXEC")))
	}
}

func TestZSetBlockedClientDisconnectLeavesData(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	admin := srv.Client(t, 2)
	conn := srv.Conn(t)
	require.NoError(t, conn.Send(hosttest.AppendCommand(nil, "BZPOPMIN", "q", "0")))
	waitBlocked(t, admin, 1)
	require.NoError(t, conn.Close())
	waitBlocked(t, admin, 0)
	require.NoError(t, admin.ZAdd(ctx, "q", redis.Z{Score: 1, Member: "m"}).Err())
	n, err := admin.ZCard(ctx, "q").Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}

func TestZRankWithScore(t *testing.T) {
	srv := hosttest.StartModhost(t)
	conn := srv.Conn(t)
	conn.Do("ZADD", "z", "1", "a", "2.5", "b")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ZRANK", "z", "b", "WITHSCORE"}, "*2\r\n:1\r\n$3\r\n2.5\r\n"},
		{[]string{"ZREVRANK", "z", "b", "withscore"}, "*2\r\n:0\r\n$3\r\n2.5\r\n"},
		{[]string{"ZRANK", "z", "nosuch", "WITHSCORE"}, "*-1\r\n"},
		{[]string{"ZRANK", "nokey", "a", "WITHSCORE"}, "*-1\r\n"},
		{[]string{"ZRANK", "z", "a", "FOO"}, "-ERR syntax error\r\n"},
		{[]string{"ZRANK", "z", "a", "WITHSCORE", "x"}, "-ERR wrong number of arguments for 'zrank' command\r\n"},
		{[]string{"HELLO", "3"}, ""},
		{[]string{"ZRANK", "z", "b", "WITHSCORE"}, "*2\r\n:1\r\n,2.5\r\n"},
		{[]string{"ZRANK", "z", "nosuch", "WITHSCORE"}, "_\r\n"},
	}
	for _, tc := range tests {
		got := string(conn.Do(tc.args...))
		if tc.want != "" {
			require.Equal(t, tc.want, got, "%v", tc.args)
		}
	}
}

func TestSetRandomRepliesHaveTheirProperties(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	rdb := srv.Client(t, 3)
	members := []any{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	all := map[string]bool{}
	for _, m := range members {
		all[m.(string)] = true
	}
	for _, key := range []string{"small", "bigset"} {
		require.NoError(t, rdb.SAdd(ctx, key, members...).Err())
	}
	for i := 0; i < 200; i++ {
		require.NoError(t, rdb.SAdd(ctx, "bigset", "extra"+string(rune('A'+i%26))+string(rune('a'+i/26))).Err())
	}
	for _, tc := range []struct {
		key   string
		count int64
	}{{"small", 3}, {"small", 7}, {"bigset", 5}, {"bigset", 150}} {
		got, err := rdb.SRandMemberN(ctx, tc.key, tc.count).Result()
		require.NoError(t, err)
		require.Len(t, got, int(tc.count))
		seen := map[string]bool{}
		for _, m := range got {
			require.False(t, seen[m], "duplicate %q in %v", m, got)
			seen[m] = true
			ok, err := rdb.SIsMember(ctx, tc.key, m).Result()
			require.NoError(t, err)
			require.True(t, ok)
		}
	}
	rep, err := rdb.SRandMemberN(ctx, "small", -25).Result()
	require.NoError(t, err)
	require.Len(t, rep, 25)
	for _, m := range rep {
		require.True(t, all[m])
	}
	popped, err := rdb.SPopN(ctx, "small", 4).Result()
	require.NoError(t, err)
	require.Len(t, popped, 4)
	left, err := rdb.SCard(ctx, "small").Result()
	require.NoError(t, err)
	require.Equal(t, int64(6), left)
	for _, m := range popped {
		ok, err := rdb.SIsMember(ctx, "small", m).Result()
		require.NoError(t, err)
		require.False(t, ok)
	}
}

func TestZRandMemberHasItsProperties(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		rdb := srv.Client(t, proto)
		var zs []redis.Z
		for i := 0; i < 200; i++ {
			zs = append(zs, redis.Z{Score: float64(i), Member: "m" + string(rune('A'+i%26)) + string(rune('a'+i/26))})
		}
		require.NoError(t, rdb.ZAdd(ctx, "big", zs...).Err())
		require.NoError(t, rdb.ZAdd(ctx, "small", zs[:10]...).Err())
		for _, key := range []string{"big", "small"} {
			for _, n := range []int{3, 8} {
				got, err := rdb.ZRandMemberWithScores(ctx, key, n).Result()
				require.NoError(t, err)
				require.Len(t, got, n)
				seen := map[string]bool{}
				for _, z := range got {
					m := z.Member.(string)
					require.False(t, seen[m])
					seen[m] = true
					s, err := rdb.ZScore(ctx, key, m).Result()
					require.NoError(t, err)
					require.Equal(t, s, z.Score)
				}
			}
			rep, err := rdb.ZRandMember(ctx, key, -30).Result()
			require.NoError(t, err)
			require.Len(t, rep, 30)
		}
	}
}

func TestSetAndZSetNotifications(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	rdb := srv.Client(t, 2)
	require.NoError(t, rdb.ConfigSet(ctx, "notify-keyspace-events", "KEA").Err())
	sub := rdb.PSubscribe(ctx, "__keyevent@0__:*")
	defer sub.Close()
	_, err := sub.Receive(ctx)
	require.NoError(t, err)
	cmds := [][]any{
		{"SADD", "s", "a"}, {"SREM", "s", "a"},
		{"ZADD", "z", "1", "a", "2", "b"}, {"ZINCRBY", "z", "1", "a"},
		{"ZPOPMIN", "z"}, {"ZREM", "z", "b"},
		{"SADD", "s1", "x"}, {"SMOVE", "s1", "s2", "x"},
		{"ZADD", "z", "1", "a"}, {"ZUNIONSTORE", "u", "1", "z"}, {"ZINTERSTORE", "u", "2", "z", "nokey"},
	}
	for _, c := range cmds {
		require.NoError(t, rdb.Do(ctx, c...).Err())
	}
	want := []string{
		"sadd s", "srem s", "del s",
		"zadd z", "zincr z", "zpopmin z", "zrem z", "del z",
		"sadd s1", "srem s1", "del s1", "sadd s2",
		"zadd z", "zunionstore u", "del u",
	}
	var got []string
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for range want {
		msg, err := sub.ReceiveMessage(rctx)
		require.NoError(t, err)
		got = append(got, strings.TrimPrefix(msg.Channel, "__keyevent@0__:")+" "+msg.Payload)
	}
	require.Equal(t, want, got)
}

func TestZSetWriteTouchesWatchedKey(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	rdb := srv.Client(t, 2)
	for _, tc := range []struct {
		name  string
		write []any
		fails bool
	}{
		{"zadd changes", []any{"ZADD", "w", "5", "a"}, true},
		{"zadd same score", []any{"ZADD", "w", "1", "a"}, false},
		{"srem missing", []any{"SREM", "w", "zz"}, false},
		{"zrem", []any{"ZREM", "w", "a"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, rdb.Del(ctx, "w").Err())
			require.NoError(t, rdb.ZAdd(ctx, "w", redis.Z{Score: 1, Member: "a"}).Err())
			err := rdb.Watch(ctx, func(tx *redis.Tx) error {
				_ = rdb.Do(ctx, tc.write...).Err()
				_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.ZCard(ctx, "w")
					return nil
				})
				return err
			}, "w")
			if tc.fails {
				require.ErrorIs(t, err, redis.TxFailedErr)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestMovableKeysOfSetCommands(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	rdb := srv.Client(t, 2)
	for _, tc := range []struct {
		args []any
		want []string
	}{
		{[]any{"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"}, []string{"d", "a", "b"}},
		{[]any{"ZINTER", "2", "a", "b"}, []string{"a", "b"}},
		{[]any{"SINTERCARD", "1", "a", "LIMIT", "1"}, []string{"a"}},
		{[]any{"ZMPOP", "2", "a", "b", "MIN"}, []string{"a", "b"}},
		{[]any{"BZMPOP", "0", "1", "a", "MIN"}, []string{"a"}},
		{[]any{"SMOVE", "a", "b", "m"}, []string{"a", "b"}},
		{[]any{"BZPOPMIN", "a", "b", "0"}, []string{"a", "b"}},
	} {
		got, err := rdb.CommandGetKeys(ctx, tc.args...).Result()
		require.NoError(t, err, "%v", tc.args)
		require.Equal(t, tc.want, got, "%v", tc.args)
	}
}

// TestZSetNegativeZeroByEncoding: a listpack keeps a score as text that
// reads back as an integer, so -0 comes back as 0, while a skiplist keeps
// the sign. The differential scripts compare doubles by value and cannot
// see the difference, so the exact bytes of both servers are compared here.
func TestZSetNegativeZeroByEncoding(t *testing.T) {
	steps := [][]string{
		{"ZADD", "small", "-0", "a"},
		{"ZRANGE", "small", "0", "-1", "WITHSCORES"},
		{"ZSCORE", "small", "a"},
		{"ZADD", "small", "5", "b"},
		{"ZADD", "small", "-0", "b"},
		{"ZMSCORE", "small", "a", "b"},
		{"ZINCRBY", "inc", "-0", "a"},
		{"ZSCORE", "inc", "a"},
		{"CONFIG", "SET", "zset-max-listpack-entries", "0"},
		{"ZADD", "big", "-0", "a"},
		{"ZRANGE", "big", "0", "-1", "WITHSCORES"},
		{"ZSCORE", "big", "a"},
		{"ZPOPMIN", "big"},
		{"CONFIG", "SET", "zset-max-listpack-entries", "2"},
		{"ZADD", "grow", "1", "a", "2", "b", "-0", "c"},
		{"OBJECT", "ENCODING", "grow"},
		{"ZSCORE", "grow", "c"},
	}
	replies := func(s *hosttest.Server) []string {
		c := hosttest.Dial(t, s.Addr)
		defer c.Close()
		var out []string
		for _, st := range steps {
			out = append(out, string(c.Do(st...)))
		}
		return out
	}
	want := replies(hosttest.StartRedis(t))
	got := replies(hosttest.StartModhost(t))
	for i := range steps {
		require.Equal(t, want[i], got[i], "%v", steps[i])
	}
	require.Equal(t, "$1\r\n0\r\n", want[2], "the listpack case answers 0")
	require.Equal(t, "$2\r\n-0\r\n", want[11], "the skiplist case keeps -0")
}
