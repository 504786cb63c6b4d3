package rdb

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

// TestVerifyPayloadLikeRedis checks verifyDumpPayload's rules: a zero CRC
// is refused like any wrong CRC (only SkipChecksum skips the comparison),
// too-short payloads and newer RDB versions are refused even then.
func TestVerifyPayloadLikeRedis(t *testing.T) {
	ks := keyspace.New(16, nil)
	good, err := DumpValue(keyspace.NewString([]byte("hello")), Options{})
	require.NoError(t, err)
	_, err = RestoreValue(good, ks, nil)
	require.NoError(t, err)

	zero := append([]byte(nil), good...)
	binary.LittleEndian.PutUint64(zero[len(zero)-8:], 0)
	newer := append([]byte(nil), zero...)
	binary.LittleEndian.PutUint16(newer[len(newer)-10:], Version+1)
	for name, tc := range map[string]struct {
		payload []byte
		skip    bool
		want    error
	}{
		"good":              {good, false, nil},
		"zero crc":          {zero, false, ErrBadPayload},
		"zero crc skipped":  {zero, true, nil},
		"truncated":         {good[:len(good)-1], false, ErrBadPayload},
		"footer only":       {good[len(good)-10:], false, ErrBadPayload},
		"nine bytes":        {good[len(good)-9:], true, ErrBadPayload},
		"newer version":     {newer, true, ErrBadPayload},
		"flipped body byte": {append([]byte{good[0], good[1] ^ 1}, good[2:]...), false, ErrBadPayload},
	} {
		_, err := VerifyPayload(tc.payload, tc.skip)
		require.ErrorIs(t, err, tc.want, name)
		if tc.want != nil {
			_, err = RestorePayload(tc.payload, ks, RestoreOptions{SkipChecksum: tc.skip})
			require.ErrorIs(t, err, tc.want, name)
		}
	}
	// With the check skipped, a body that does not decode is a corrupt
	// value ("Bad data format"), not a payload error.
	short := append([]byte{good[0], 0x0f}, zero[2:]...)
	_, err = RestorePayload(short, ks, RestoreOptions{SkipChecksum: true})
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrBadPayload)
}
