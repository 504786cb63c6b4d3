package host

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/host/internal/cgotest"
)

func TestArgvBlockRetainedStringSurvives(t *testing.T) {
	require.Equal(t, 1|2|4|8, cgotest.ArgvRetainBits())
}

func TestCtxRecycleKeepsIdentityAndReply(t *testing.T) {
	require.Equal(t, 1|2|4|8, cgotest.CtxRecycleBits())
}

func TestReplyLongLongFormat(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 9, 10, -10, 1234567890123, -1234567890123, math.MaxInt64, math.MinInt64} {
		require.Equal(t, ":"+strconv.FormatInt(v, 10)+"\r\n", cgotest.ReplyLongLong(v), "value %d", v)
	}
}
