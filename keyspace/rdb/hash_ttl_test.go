package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

// fieldTTLs lists a hash's fields as "field=value@expiry" in stored order.
func fieldTTLs(h *keyspace.Hash) []string {
	var out []string
	h.EachTTL(func(f string, v []byte, exp int64) bool {
		out = append(out, fmt.Sprintf("%s=%s@%d", f, v, exp))
		return true
	})
	return out
}

// fieldTTLKS builds a keyspace with a listpackex hash, a hashtable hash
// with field TTLs and a listpackex hash whose TTLs were all removed.
func fieldTTLKS() *keyspace.Keyspace {
	ks := keyspace.New(16, nil)
	small := ks.NewHash()
	small.Set([]byte("a"), []byte("1"))
	small.Set([]byte("b"), []byte("two"))
	small.Set([]byte("c"), []byte("3"))
	small.SetTTL([]byte("c"), 4_000_000_000_000)
	small.SetTTL([]byte("a"), 4_000_000_000_500)
	ks.Add(0, []byte("small"), small)
	big := ks.NewHash()
	for i := range 600 {
		big.Set([]byte(fmt.Sprint("f", i)), []byte(fmt.Sprint(i)))
	}
	big.SetTTL([]byte("f7"), 4_000_000_000_000)
	big.SetTTL([]byte("f9"), 4_100_000_000_000)
	ks.Add(0, []byte("big"), big)
	persisted := ks.NewHash()
	persisted.Set([]byte("x"), []byte("y"))
	persisted.SetTTL([]byte("x"), 4_000_000_000_000)
	persisted.SetTTL([]byte("x"), 0)
	ks.Add(0, []byte("persisted"), persisted)
	return ks
}

func TestRDBFieldTTLRoundTrip(t *testing.T) {
	ks := fieldTTLKS()
	data := encodeKS(t, ks, Options{Checksum: true, Compress: true})
	require.Equal(t, "REDIS0012", string(data[:9]))
	got, st := loadBytes(t, data)
	require.Equal(t, 12, st.Version)
	for _, k := range []string{"small", "big", "persisted"} {
		want := ks.Peek(0, []byte(k)).(*keyspace.Hash)
		h := got.Peek(0, []byte(k)).(*keyspace.Hash)
		require.Equal(t, want.Encoding(), h.Encoding(), k)
		if k == "big" {
			require.ElementsMatch(t, fieldTTLs(want), fieldTTLs(h))
		} else {
			require.Equal(t, fieldTTLs(want), fieldTTLs(h), k)
		}
	}
	require.Equal(t, []string{"c=3@4000000000000", "a=1@4000000000500", "b=two@0"},
		fieldTTLs(got.Peek(0, []byte("small")).(*keyspace.Hash)))
	require.Equal(t, "listpackex", got.Peek(0, []byte("persisted")).Encoding())
	require.Equal(t, 2, got.HashesWithFieldTTLs(0), "loaded hashes are tracked for active expiry")
}

func TestRDBFieldTTLOlderVersionRefused(t *testing.T) {
	ks := fieldTTLKS()
	for _, ver := range []int{10, 11} {
		snap, err := TakeSnapshot(ks, false, Options{Version: ver})
		require.NoError(t, err)
		err = Encode(&bytes.Buffer{}, snap, Options{Version: ver})
		require.ErrorIs(t, err, ErrFieldTTLVersion, "version %d", ver)
		_, err = DumpValue(ks.Peek(0, []byte("small")), Options{Version: ver})
		require.ErrorIs(t, err, ErrFieldTTLVersion)
	}
	// A listpackex hash without TTLs loses nothing as a plain listpack.
	p, err := DumpValue(ks.Peek(0, []byte("persisted")), Options{Version: 11})
	require.NoError(t, err)
	require.Equal(t, byte(TypeHashListpack), p[0])
	p, err = DumpValue(ks.Peek(0, []byte("persisted")), Options{})
	require.NoError(t, err)
	require.Equal(t, byte(TypeHashListpackEx), p[0])
}

// dumpPayload appends the DUMP footer (RDB version, CRC64) to body.
func dumpPayload(body []byte, ver uint16) []byte {
	out := binary.LittleEndian.AppendUint16(append([]byte(nil), body...), ver)
	return binary.LittleEndian.AppendUint64(out, CRC64(0, out))
}

func TestRestoreHandBuiltV12Payloads(t *testing.T) {
	const t1 = 1_900_000_000_000 // needs the 64-bit listpack integer encoding
	// Type 25: min expiry, then a listpack of (field, value, ttl) triples:
	// "f1" "v1" t1, "f2" 7 0.
	lp := []byte{0, 0, 0, 0, 6, 0}
	lp = append(lp, 0x82, 'f', '1', 3, 0x82, 'v', '1', 3)
	lp = append(lp, 0xF4)
	lp = binary.LittleEndian.AppendUint64(lp, t1)
	lp = append(lp, 9)
	lp = append(lp, 0x82, 'f', '2', 3, 7, 1, 0, 1, 0xFF)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	body := []byte{TypeHashListpackEx}
	body = binary.LittleEndian.AppendUint64(body, t1)
	body = append(body, byte(len(lp)))
	body = append(body, lp...)
	v, err := RestoreValue(dumpPayload(body, 12), keyspace.New(1, nil), nil)
	require.NoError(t, err)
	h := v.(*keyspace.Hash)
	require.Equal(t, "listpackex", h.Encoding())
	require.Equal(t, []string{fmt.Sprintf("f1=v1@%d", t1), "f2=7@0"}, fieldTTLs(h))

	// Type 24: min expiry, count, then per field ttl (relative + 1), field,
	// value.
	body = []byte{TypeHashMetadata}
	body = binary.LittleEndian.AppendUint64(body, t1)
	body = append(body, 3)
	body = append(body, 1, 1, 'a', 1, 'x')               // ttl 1: t1
	body = append(body, 0x40|0x03, 0xE9, 1, 'b', 1, 'y') // 14-bit len 1001: t1+1000
	body = append(body, 0, 1, 'c', 1, 'z')               // no ttl
	v, err = RestoreValue(dumpPayload(body, 12), keyspace.New(1, nil), nil)
	require.NoError(t, err)
	h = v.(*keyspace.Hash)
	require.ElementsMatch(t, []string{fmt.Sprintf("a=x@%d", t1), fmt.Sprintf("b=y@%d", t1+1000), "c=z@0"}, fieldTTLs(h))

	// The same payload claiming version 13 is refused, as Redis 7.4 does.
	_, err = RestoreValue(dumpPayload(body, 13), keyspace.New(1, nil), nil)
	require.ErrorIs(t, err, ErrBadPayload)

	// A listpackex whose element count is not a multiple of 3 is corrupt.
	bad := []byte{0, 0, 0, 0, 2, 0, 0x81, 'f', 2, 0x81, 'v', 2, 0xFF}
	binary.LittleEndian.PutUint32(bad, uint32(len(bad)))
	body = append(binary.LittleEndian.AppendUint64([]byte{TypeHashListpackEx}, 0), byte(len(bad)))
	_, err = RestoreValue(dumpPayload(append(body, bad...), 12), keyspace.New(1, nil), nil)
	require.ErrorContains(t, err, "Hash listpack integrity check failed.")
}

func TestDumpFieldTTLRoundTrip(t *testing.T) {
	ks := fieldTTLKS()
	for _, k := range []string{"small", "big"} {
		want := ks.Peek(0, []byte(k)).(*keyspace.Hash)
		p, err := DumpValue(want, Options{})
		require.NoError(t, err)
		require.Equal(t, uint16(12), binary.LittleEndian.Uint16(p[len(p)-10:]))
		v, err := RestoreValue(p, keyspace.New(1, nil), nil)
		require.NoError(t, err)
		require.ElementsMatch(t, fieldTTLs(want), fieldTTLs(v.(*keyspace.Hash)), k)
		require.NotEqual(t, ValueDigest(want, false), ValueDigest(stripTTLs(want), false), "TTLs change the digest")
		require.Equal(t, ValueDigest(want, false), ValueDigest(v, false))
	}
}

// stripTTLs returns a copy of h without field TTLs.
func stripTTLs(h *keyspace.Hash) keyspace.Value {
	c := h.Clone().(*keyspace.Hash)
	var fields []string
	c.EachTTL(func(f string, _ []byte, exp int64) bool {
		if exp != 0 {
			fields = append(fields, f)
		}
		return true
	})
	for _, f := range fields {
		c.SetTTL([]byte(f), 0)
	}
	return c
}
