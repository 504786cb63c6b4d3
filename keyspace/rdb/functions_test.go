package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

// libs is a FunctionSaver and FunctionLoader over plain codes.
type libs struct {
	codes  [][]byte
	failOn string
}

func (l *libs) FunctionLibraries() [][]byte { return l.codes }

func (l *libs) LoadFunctionLibrary(code []byte) error {
	if l.failOn != "" && bytes.Contains(code, []byte(l.failOn)) {
		return errors.New("Error compiling function: bad")
	}
	l.codes = append(l.codes, append([]byte(nil), code...))
	return nil
}

var sampleCodes = [][]byte{
	[]byte("#!lua name=a\nredis.register_function('fa', function() return 1 end)"),
	[]byte("#!lua name=b\n" + strings.Repeat("-- a comment that compresses well\n", 20) + "redis.register_function('fb', function() return 2 end)"),
}

// TestFunctionsDumpRestore: FUNCTION DUMP payloads (compressed or not)
// read back to the same codes, carry the RDB version asked for, and the
// payload of redis-server 7.0.15 (RDB 10, no LZF) reads as Redis wrote it.
func TestFunctionsDumpRestore(t *testing.T) {
	for _, compress := range []bool{false, true} {
		p := DumpFunctions(sampleCodes, 10, compress)
		require.Equal(t, byte(10), p[len(p)-10])
		got, err := RestoreFunctions(p, false)
		require.NoError(t, err)
		require.Equal(t, sampleCodes, got)
	}
	require.Less(t, len(DumpFunctions(sampleCodes, 0, true)), len(DumpFunctions(sampleCodes, 0, false)))
	empty := DumpFunctions(nil, 0, false)
	require.Len(t, empty, 10)
	got, err := RestoreFunctions(empty, false)
	require.NoError(t, err)
	require.Empty(t, got)

	redis := []byte("\xf5@e#!lua name=plib\nredis.register_function('pget', function(keys) return redis.call('get', keys[1]) end)\n\x00\b7\x18\xcc\xdd\xd2\xc3}")
	got, err = RestoreFunctions(redis, false)
	require.NoError(t, err)
	require.Equal(t, [][]byte{redis[3 : len(redis)-10]}, got)
	require.Equal(t, redis, DumpFunctions(got, 10, false))

	bad := DumpFunctions(sampleCodes, 0, false)
	bad[3] ^= 1
	_, err = RestoreFunctions(bad, false)
	require.ErrorIs(t, err, ErrBadPayload)
	_, err = RestoreFunctions(dumpRaw([]byte{0, 1, 'k', 1, 'v'}), false)
	require.EqualError(t, err, "given type is not a function")
	_, err = RestoreFunctions(dumpRaw([]byte{OpFunctionPre}), false)
	require.EqualError(t, err, "Pre-GA function format not supported")
	_, err = RestoreFunctions(dumpRaw([]byte{OpFunction2, 5, 'a'}), false)
	require.EqualError(t, err, "Failed loading library payload")
}

// dumpRaw wraps body in the DUMP footer (RDB version, CRC64).
func dumpRaw(body []byte) []byte {
	out := binary.LittleEndian.AppendUint16(append([]byte(nil), body...), Version)
	return binary.LittleEndian.AppendUint64(out, CRC64(0, out))
}

// TestFunctionsInRDB: libraries are written after the aux fields and
// before the databases by Save and Encode alike, and Load hands them to
// the loader; a loader error fails the load with Redis's log text, and
// without a loader they are skipped.
func TestFunctionsInRDB(t *testing.T) {
	ks := keyspace.New(16, nil)
	ks.Add(0, []byte("k"), keyspace.NewString([]byte("v")))
	opt := Options{Functions: &libs{codes: sampleCodes}, Compress: true, RedisVer: "7.2.0"}
	var saved bytes.Buffer
	require.NoError(t, Save(&saved, ks, opt))
	snap, err := TakeSnapshot(ks, true, opt)
	require.NoError(t, err)
	var encoded bytes.Buffer
	require.NoError(t, Encode(&encoded, snap, opt))
	// ctime may differ by a second between the two; compare from the
	// first function on.
	at := bytes.IndexByte(saved.Bytes(), OpFunction2)
	require.Greater(t, at, 9)
	require.Equal(t, saved.Bytes()[at:], encoded.Bytes()[bytes.IndexByte(encoded.Bytes(), OpFunction2):])
	require.Less(t, at, bytes.IndexByte(saved.Bytes(), OpSelectDB))

	got := &libs{}
	ks2 := keyspace.New(16, nil)
	_, err = Load(saved.Bytes(), ks2, LoadOptions{Functions: got, VerifyChecksum: true})
	require.NoError(t, err)
	require.Equal(t, sampleCodes, got.codes)
	require.Equal(t, 1, ks2.Size(0))

	_, err = Load(saved.Bytes(), keyspace.New(16, nil), LoadOptions{Functions: &libs{failOn: "name=b"}})
	var fe *FatalError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "Failed loading library, Error compiling function: bad", fe.Msg)

	var warned []string
	_, err = Load(saved.Bytes(), keyspace.New(16, nil), LoadOptions{Warning: func(m string) { warned = append(warned, m) }})
	require.NoError(t, err)
	require.Len(t, warned, 2)
}
