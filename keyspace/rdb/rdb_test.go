package rdb

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/rdb/" + name)
	require.NoError(t, err)
	return b
}

func loadBytes(t *testing.T, b []byte) (*keyspace.Keyspace, LoadStats) {
	t.Helper()
	ks := keyspace.New(16, nil)
	st, err := Load(b, ks, LoadOptions{VerifyChecksum: true})
	require.NoError(t, err)
	return ks, st
}

func encodeKS(t *testing.T, ks *keyspace.Keyspace, opt Options) []byte {
	t.Helper()
	snap, err := TakeSnapshot(ks, true, opt)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, snap, opt))
	return buf.Bytes()
}

func TestCRC64(t *testing.T) {
	// Redis's crc64 test vector.
	require.Equal(t, uint64(0xe9c6d914c4b8d9ca), CRC64(0, []byte("123456789")))
	require.Equal(t, CRC64(0, []byte("123456789")), CRC64(CRC64(0, []byte("1234")), []byte("56789")))
}

func TestLZFRoundTrip(t *testing.T) {
	cases := [][]byte{
		bytes.Repeat([]byte("abc"), 100),
		bytes.Repeat([]byte{0}, 5000),
		[]byte(strings.Repeat("hello world, ", 30) + "tail"),
	}
	for _, in := range cases {
		c := lzfCompress(in, len(in)-4)
		require.NotNil(t, c)
		out, err := lzfDecompress(c, len(in))
		require.NoError(t, err)
		require.Equal(t, in, out)
	}
	// Incompressible input does not fit.
	require.Nil(t, lzfCompress([]byte("abcdefghijklmnopqrstuvwxyz"), 22))
	_, err := lzfDecompress([]byte{0xE0, 0x05}, 10)
	require.Error(t, err)
}

func TestLoadRedis70Fixture(t *testing.T) {
	want := strings.TrimSpace(string(fixture(t, "redis70_all.digest")))
	for _, name := range []string{"redis70_all.rdb", "redis70_nocompress.rdb"} {
		ks, st := loadBytes(t, fixture(t, name))
		require.Equal(t, 10, st.Version, name)
		require.Equal(t, "7.0.15", st.RedisVer)
		require.Equal(t, want, DatasetDigest(ks).String(), name)
		v := ks.Peek(0, []byte("s:bin"))
		require.Equal(t, "bin\x00\x01\xff", string(v.(*keyspace.String).Bytes()))
		exp, ok := ks.GetExpire(3, []byte("db3:h"))
		require.True(t, ok)
		require.Equal(t, int64(4102444800000), exp)
		st0 := ks.Peek(0, []byte("st")).(*keyspace.Stream)
		require.Equal(t, 250, st0.Len())
		require.Equal(t, keyspace.StreamID{Ms: 1000, Seq: 7}, st0.MaxDeletedID())
		g1 := st0.Group([]byte("g1"))
		require.NotNil(t, g1)
		require.Equal(t, keyspace.StreamID{Ms: 1000, Seq: 5}, g1.LastID)
		require.Equal(t, "hashtable", ks.Peek(0, []byte("h:longval")).Encoding())
	}
}

func TestRoundTripEveryEncoding(t *testing.T) {
	ks, _ := loadBytes(t, fixture(t, "redis70_all.rdb"))
	set := ks.NewSet([]byte("x"))
	set.Add([]byte("x"))
	set.Add([]byte("y"))
	ks.Add(0, []byte("set:lp"), set)
	want := DatasetDigest(ks)
	encodings := map[string]string{}
	ks.Keys(0, []byte("*"), func(k string) bool {
		encodings[k] = ks.Peek(0, []byte(k)).Encoding()
		return true
	})
	require.Equal(t, "listpack", encodings["set:lp"])
	require.Equal(t, "intset", encodings["set:int"])
	require.Equal(t, "skiplist", encodings["z:big"])
	for _, opt := range []Options{
		{Compress: true, Checksum: true},
		{Compress: false, Checksum: false},
		{Version: 10, Compress: true, Checksum: true},
	} {
		b := encodeKS(t, ks, opt)
		ks2, st := loadBytes(t, b)
		ver := max(opt.Version, Version)
		if opt.Version != 0 {
			ver = opt.Version
		}
		require.Equal(t, ver, st.Version)
		require.Equal(t, want, DatasetDigest(ks2))
		ks2.Keys(0, []byte("*"), func(k string) bool {
			require.Equal(t, encodings[k], ks2.Peek(0, []byte(k)).Encoding(), k)
			return true
		})
	}
}

func TestExpiredKeysDroppedOnLoad(t *testing.T) {
	ks := keyspace.New(16, nil)
	ks.Add(0, []byte("old"), keyspace.NewString([]byte("v")))
	ks.SetExpire(0, []byte("old"), 5000)
	ks.Add(0, []byte("new"), keyspace.NewString([]byte("v")))
	snap, err := TakeSnapshot(ks, false, Options{})
	require.NoError(t, err)
	// The expired key is not live, so a snapshot taken now skips it; put it
	// back by hand to check the loader.
	snap[0].Entries = append(snap[0].Entries, Entry{Key: "old", Value: keyspace.NewString([]byte("v")), ExpireAt: 5000})
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, snap, Options{Checksum: true}))
	ks2 := keyspace.New(16, nil)
	st, err := Load(buf.Bytes(), ks2, LoadOptions{NowMs: 10000, VerifyChecksum: true})
	require.NoError(t, err)
	require.Equal(t, int64(1), st.Loaded)
	require.Equal(t, int64(1), st.Expired)
}
