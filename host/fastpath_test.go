package host

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestArgvBlockRetainedStringSurvives(t *testing.T) {
	require.Equal(t, 1|2|4|8, argvRetainBits())
}

func TestCtxRecycleKeepsIdentityAndReply(t *testing.T) {
	require.Equal(t, 1|2|4|8, ctxRecycleBits())
}

func TestReplyLongLongFormat(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 9, 10, -10, 1234567890123, -1234567890123, math.MaxInt64, math.MinInt64} {
		require.Equal(t, ":"+strconv.FormatInt(v, 10)+"\r\n", replyLongLong(v), "value %d", v)
	}
}
