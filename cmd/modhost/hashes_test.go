package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

func TestHashScanFullIteration(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	for _, n := range []int{3, 1000} { // listpack and hashtable encodings
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rdb := srv.Client(t, 2)
			key := fmt.Sprint("h", n)
			want := map[string]string{}
			for i := 0; i < n; i++ {
				want[fmt.Sprint("f", i)] = fmt.Sprint("v", i)
			}
			require.NoError(t, rdb.HSet(ctx, key, want).Err())
			got := map[string]string{}
			var cursor uint64
			for {
				kv, next, err := rdb.HScan(ctx, key, cursor, "", 37).Result()
				require.NoError(t, err)
				require.Zero(t, len(kv)%2)
				for i := 0; i < len(kv); i += 2 {
					got[kv[i]] = kv[i+1]
				}
				if cursor = next; cursor == 0 {
					break
				}
			}
			require.Equal(t, want, got)
		})
	}
}

func TestHashScanNoValuesAndMatch(t *testing.T) {
	srv := hosttest.StartModhost(t)
	c := srv.Conn(t)
	c.Do("HSET", "h", "a1", "x", "b1", "y", "a2", "z")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"HSCAN", "h", "0", "NOVALUES"}, "*2\r\n$1\r\n0\r\n*3\r\n$2\r\na1\r\n$2\r\nb1\r\n$2\r\na2\r\n"},
		{[]string{"HSCAN", "h", "0", "MATCH", "a*", "NOVALUES"}, "*2\r\n$1\r\n0\r\n*2\r\n$2\r\na1\r\n$2\r\na2\r\n"},
		{[]string{"HSCAN", "h", "0", "MATCH", "b*"}, "*2\r\n$1\r\n0\r\n*2\r\n$2\r\nb1\r\n$1\r\ny\r\n"},
		{[]string{"HSCAN", "nokey", "0", "NOVALUES"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, string(c.Do(tt.args...)), "%v", tt.args)
	}
}

func TestHashRandFieldCounts(t *testing.T) {
	srv := hosttest.StartModhost(t)
	ctx := context.Background()
	for _, n := range []int{5, 300} { // listpack and hashtable encodings
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rdb := srv.Client(t, 3)
			key := fmt.Sprint("h", n)
			all := map[string]string{}
			for i := 0; i < n; i++ {
				all[fmt.Sprint("f", i)] = fmt.Sprint("v", i)
			}
			require.NoError(t, rdb.HSet(ctx, key, all).Err())

			// Positive count below the size: distinct fields.
			fields, err := rdb.HRandField(ctx, key, n-2).Result()
			require.NoError(t, err)
			require.Len(t, fields, n-2)
			seen := map[string]bool{}
			for _, f := range fields {
				require.Contains(t, all, f)
				require.False(t, seen[f], "field %s repeated", f)
				seen[f] = true
			}

			// Negative count: exactly |count| fields, repeats allowed.
			fields, err = rdb.HRandField(ctx, key, -3*n).Result()
			require.NoError(t, err)
			require.Len(t, fields, 3*n)
			for _, f := range fields {
				require.Contains(t, all, f)
			}

			// WITHVALUES pairs carry each field's own value (RESP3 nested).
			pairs, err := rdb.HRandFieldWithValues(ctx, key, -7).Result()
			require.NoError(t, err)
			require.Len(t, pairs, 7)
			for _, p := range pairs {
				require.Equal(t, all[p.Key], p.Value)
			}
			one, err := rdb.HRandField(ctx, key, 1).Result()
			require.NoError(t, err)
			require.Len(t, one, 1)
			require.Contains(t, all, one[0])
		})
	}
}

func TestHashRandFieldReplyShapes(t *testing.T) {
	srv := hosttest.StartModhost(t)
	c := srv.Conn(t)
	c.Do("HSET", "h", "f", "v")
	require.Equal(t, "*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nv\r\n", string(c.Do("HRANDFIELD", "h", "-2", "WITHVALUES")))
	c.Do("HELLO", "3")
	require.Equal(t, "*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n", string(c.Do("HRANDFIELD", "h", "-2", "WITHVALUES")))
	require.Equal(t, "$1\r\nf\r\n", string(c.Do("HRANDFIELD", "h")))
}

func TestHashIncrByFloatAccumulates(t *testing.T) {
	srv := hosttest.StartModhost(t)
	rdb := srv.Client(t, 2)
	ctx := context.Background()
	var last float64
	for i := 0; i < 10; i++ {
		v, err := rdb.HIncrByFloat(ctx, "h", "f", 0.1).Result()
		require.NoError(t, err)
		last = v
	}
	require.Equal(t, 1.0, last)
	s, err := rdb.HGet(ctx, "h", "f").Result()
	require.NoError(t, err)
	require.Equal(t, "1", s, "long double arithmetic: ten 0.1 steps print as 1")
}
