package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

// buildZiplist encodes string elements as a ziplist (small strings only).
func buildZiplist(elems ...string) []byte {
	b := make([]byte, 10)
	prev := 0
	for _, e := range elems {
		start := len(b)
		b = append(b, byte(prev), byte(len(e)))
		b = append(b, e...)
		prev = len(b) - start
	}
	b = append(b, 0xFF)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint16(b[8:], uint16(len(elems)))
	return b
}

// rawFile builds an RDB file of version ver holding one key of type t
// whose value bytes are body (checksum 0).
func rawFile(ver int, t byte, key string, body func(w *Writer)) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf, false)
	w.WriteRaw([]byte("REDIS000" + string(rune('0'+ver%10))))
	if ver >= 10 {
		buf.Reset()
		w = NewWriter(&buf, false)
		w.WriteRaw([]byte("REDIS00" + string(rune('0'+ver/10)) + string(rune('0'+ver%10))))
	}
	_ = w.WriteByte(t)
	w.WriteString([]byte(key))
	body(w)
	_ = w.WriteByte(OpEOF)
	w.WriteUint64LE(0)
	_ = w.Flush()
	return buf.Bytes()
}

func TestLoadOldEncodings(t *testing.T) {
	zipmap := []byte{2, 1, 'f', 1, 0, 'v', 2, 'g', 'h', 2, 1, 'x', 'y', 0}
	zipmap = append(zipmap, 0xFF)
	cases := []struct {
		name string
		ver  int
		t    byte
		body func(w *Writer)
		enc  string
		dump string
	}{
		{"list ziplist", 6, TypeListZiplist, func(w *Writer) { w.WriteString(buildZiplist("a", "b")) }, "listpack", "[a b]"},
		{"quicklist v1", 8, TypeListQuicklist, func(w *Writer) {
			w.WriteLen(2)
			w.WriteString(buildZiplist("a"))
			w.WriteString(buildZiplist("b", "c"))
		}, "listpack", "[a b c]"},
		{"linked list", 1, TypeList, func(w *Writer) { w.WriteLen(2); w.WriteString([]byte("x")); w.WriteString([]byte("12")) }, "listpack", "[x 12]"},
		{"hash zipmap", 2, TypeHashZipmap, func(w *Writer) { w.WriteString(zipmap) }, "listpack", "map[f:v gh:xy]"},
		{"hash ziplist", 6, TypeHashZiplist, func(w *Writer) { w.WriteString(buildZiplist("f", "v")) }, "listpack", "map[f:v]"},
		{"zset ziplist", 6, TypeZSetZiplist, func(w *Writer) { w.WriteString(buildZiplist("m", "2.5")) }, "listpack", "map[m:2.5]"},
		{"zset text doubles", 1, TypeZSet, func(w *Writer) {
			w.WriteLen(2)
			w.WriteString([]byte("a"))
			w.WriteRaw([]byte{3, '1', '.', '5'})
			w.WriteString([]byte("b"))
			w.WriteRaw([]byte{254})
		}, "listpack", "map[a:1.5 b:+Inf]"},
		{"set intset", 2, TypeSetIntset, func(w *Writer) { w.WriteString(buildIntset([]int64{-5, 7})) }, "intset", "[-5 7]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks := keyspace.New(1, nil)
			_, err := Load(rawFile(tc.ver, tc.t, "k", tc.body), ks, LoadOptions{VerifyChecksum: true})
			require.NoError(t, err)
			v := ks.Peek(0, []byte("k"))
			require.NotNil(t, v)
			require.Equal(t, tc.enc, v.Encoding())
			require.Equal(t, tc.dump, dumpValue(v))
		})
	}
}

func dumpValue(v keyspace.Value) string {
	switch v := v.(type) {
	case *keyspace.List:
		var out []string
		v.Each(false, func(_ int, b []byte) bool { out = append(out, string(b)); return true })
		return sprint(out)
	case *keyspace.Hash:
		m := map[string]string{}
		v.Each(func(f string, b []byte) bool { m[f] = string(b); return true })
		return sprint(m)
	case *keyspace.ZSet:
		m := map[string]float64{}
		v.Each(func(f string, s float64) bool { m[f] = s; return true })
		return sprint(m)
	case *keyspace.Set:
		var out []string
		v.Each(func(m string) bool { out = append(out, m); return true })
		return sprint(out)
	}
	return ""
}

func TestLoadErrors(t *testing.T) {
	good := encodeKS(t, func() *keyspace.Keyspace {
		ks := keyspace.New(16, nil)
		ks.Add(0, []byte("k"), keyspace.NewString([]byte("value")))
		return ks
	}(), Options{Checksum: true})
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-12] ^= 0x01 // inside the value
	cases := []struct {
		name string
		data []byte
		msg  string
	}{
		{"signature", []byte("RADIS0011"), "Wrong signature trying to load DB from file"},
		{"version", []byte("REDIS0013"), "Can't handle RDB format version 13"},
		{"truncated", good[:len(good)-9], ErrShortRead.Error()},
		{"checksum", flipped, "RDB CRC error"},
		{"huge length", rawFile(11, TypeList, "k", func(w *Writer) { w.WriteLen(1 << 40) }), ErrShortRead.Error()},
		{"huge string", rawFile(11, TypeString, "k", func(w *Writer) { w.WriteLen(1 << 60) }), ErrShortRead.Error()},
		{"lzf bomb", rawFile(11, TypeString, "k", func(w *Writer) {
			_ = w.WriteByte(0xC3)
			w.WriteLen(2)
			w.WriteLen(1 << 40)
			w.WriteRaw([]byte{0, 'a'})
		}), "Invalid LZF compressed string"},
		{"unknown type", rawFile(11, 30, "k", func(w *Writer) {}), "Unknown RDB encoding type 30"},
		{"module", rawFile(11, TypeModule2, "k", func(w *Writer) {
			id, _ := ModuleTypeID("mytype-AA", 3)
			w.WriteLen(id)
		}), "The RDB file contains module data I can't load: no matching module type 'mytype-AA'"},
		{"bad listpack", rawFile(11, TypeHashListpack, "k", func(w *Writer) { w.WriteString([]byte{9, 0, 0, 0, 1, 0, 0x81, 'x', 0xFF}) }), "Hash listpack integrity check failed."},
		{"dup set", rawFile(11, TypeSet, "k", func(w *Writer) {
			w.WriteLen(2)
			w.WriteString([]byte("a"))
			w.WriteString([]byte("a"))
		}), "Duplicate set members detected"},
		{"too many dbs", append([]byte("REDIS0011"), OpSelectDB, 20), "FATAL: Data file was created with a Redis server configured to handle more than 16 databases. Exiting\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.data, keyspace.New(16, nil), LoadOptions{VerifyChecksum: true})
			require.Error(t, err)
			if tc.msg == ErrShortRead.Error() {
				var se *ShortReadError
				require.ErrorAs(t, err, &se)
				require.ErrorIs(t, err, ErrShortRead)
				require.Greater(t, se.Need, se.Left, "wanted more than was left")
				require.Equal(t, len(tc.data)-se.Offset, se.Left)
				require.Contains(t, se.Where, ".go:")
				return
			}
			require.Equal(t, tc.msg, err.Error())
		})
	}
}

func TestEmptyKeySkipped(t *testing.T) {
	var notices []string
	data := rawFile(11, TypeSet, "k", func(w *Writer) { w.WriteLen(0) })
	ks := keyspace.New(1, nil)
	st, err := Load(data, ks, LoadOptions{Notice: func(m string) { notices = append(notices, m) }})
	require.NoError(t, err)
	require.Equal(t, int64(1), st.Skipped)
	require.Contains(t, notices, "rdbLoadObject skipping empty key: k")
}

type fakeModules struct{ loaded []uint64 }

func (f *fakeModules) Load(id uint64, when int, r *Reader) (keyspace.Value, error) {
	if ModuleTypeName(id) != "fake-type" {
		return nil, ErrNoModuleType
	}
	n, err := r.ModuleUnsigned()
	if err != nil {
		return nil, err
	}
	f.loaded = append(f.loaded, n)
	return &keyspace.ModuleValue{Type: "fake"}, r.ModuleEOF()
}

func (f *fakeModules) TypeID(v *keyspace.ModuleValue) (uint64, bool) {
	return ModuleTypeID("fake-type", 1)
}

func (f *fakeModules) Save(v *keyspace.ModuleValue, w *Writer) error {
	w.ModuleUnsigned(42)
	return nil
}

func TestModuleValues(t *testing.T) {
	id, ok := ModuleTypeID("fake-type", 1)
	require.True(t, ok)
	require.Equal(t, "fake-type", ModuleTypeName(id))
	require.Equal(t, uint64(1), id&1023)
	ks := keyspace.New(1, nil)
	ks.Add(0, []byte("m"), &keyspace.ModuleValue{Type: "fake"})
	mods := &fakeModules{}
	snap, err := TakeSnapshot(ks, true, Options{Modules: mods})
	require.NoError(t, err)
	require.NotNil(t, snap[0].Entries[0].Pre)
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, snap, Options{Modules: mods, Checksum: true}))
	ks2 := keyspace.New(1, nil)
	_, err = Load(buf.Bytes(), ks2, LoadOptions{Modules: mods, VerifyChecksum: true})
	require.NoError(t, err)
	require.Equal(t, []uint64{42}, mods.loaded)
	require.Equal(t, keyspace.KindModule, ks2.Peek(0, []byte("m")).Kind())
	_, err = TakeSnapshot(ks, true, Options{})
	require.True(t, errors.Is(err, ErrModuleValue))
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte("REDIS0011\xff"))
	if b, err := readFixture("redis70_all.rdb"); err == nil {
		f.Add(b)
		f.Add(b[:len(b)/2])
		for _, off := range []int{20, 100, 1000, 5000} {
			if off < len(b) {
				c := append([]byte(nil), b...)
				c[off] ^= 0x40
				f.Add(c)
			}
		}
	}
	f.Add(rawFile(11, TypeList, "k", func(w *Writer) { w.WriteLen(1 << 40) }))
	f.Add(rawFile(11, TypeStreamListpacks3, "k", func(w *Writer) { w.WriteLen(1); w.WriteString(make([]byte, 16)); w.WriteLen(1 << 30) }))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Load(data, keyspace.New(16, nil), LoadOptions{VerifyChecksum: false})
	})
}
