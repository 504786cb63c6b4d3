package rdb

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

// emptyStreamFile is an RDB 11 file with an empty stream "k" whose groups
// section is written by groups.
func emptyStreamFile(groups func(w *Writer)) []byte {
	return rawFile(11, TypeStreamListpacks3, "k", func(w *Writer) {
		w.WriteLen(0) // listpacks
		for range 8 {
			w.WriteLen(0) // length, last id, first id, max deleted id, entries added
		}
		groups(w)
	})
}

// writeGroupHeader writes a group's name, last ID 0-0 and entries read 0.
func writeGroupHeader(w *Writer, name string) {
	w.WriteString([]byte(name))
	w.WriteLen(0)
	w.WriteLen(0)
	w.WriteLen(0)
}

// writeNACK writes a group PEL entry for ms-0.
func writeNACK(w *Writer, ms uint64) {
	w.WriteRaw(streamIDKey(keyspace.StreamID{Ms: ms}))
	w.WriteUint64LE(1000)
	w.WriteLen(1)
}

// writeConsumer writes a consumer owning the IDs ms-0.
func writeConsumer(w *Writer, name string, ms ...uint64) {
	w.WriteString([]byte(name))
	w.WriteUint64LE(5)
	w.WriteUint64LE(6)
	w.WriteLen(uint64(len(ms)))
	for _, m := range ms {
		w.WriteRaw(streamIDKey(keyspace.StreamID{Ms: m}))
	}
}

func TestLoadStreamGroupErrors(t *testing.T) {
	cases := []struct {
		name   string
		groups func(w *Writer)
		msg    string
	}{
		{"duplicate group", func(w *Writer) {
			w.WriteLen(2)
			writeGroupHeader(w, "g")
			w.WriteLen(0)
			w.WriteLen(0)
			writeGroupHeader(w, "g")
		}, "Duplicated consumer group name g"},
		{"duplicate PEL entry", func(w *Writer) {
			w.WriteLen(1)
			writeGroupHeader(w, "g")
			w.WriteLen(2)
			writeNACK(w, 1)
			writeNACK(w, 1)
		}, "Duplicated global PEL entry loading stream consumer group"},
		{"consumer entry not in group PEL", func(w *Writer) {
			w.WriteLen(1)
			writeGroupHeader(w, "g")
			w.WriteLen(0)
			w.WriteLen(1)
			writeConsumer(w, "c", 1)
		}, "Consumer entry not found in group global PEL"},
		{"duplicate consumer", func(w *Writer) {
			w.WriteLen(1)
			writeGroupHeader(w, "g")
			w.WriteLen(0)
			w.WriteLen(2)
			writeConsumer(w, "c")
			writeConsumer(w, "c")
		}, "Duplicate stream consumer detected."},
		{"PEL entry without consumer", func(w *Writer) {
			w.WriteLen(1)
			writeGroupHeader(w, "g")
			w.WriteLen(2)
			writeNACK(w, 1)
			writeNACK(w, 2)
			w.WriteLen(1)
			writeConsumer(w, "c", 1)
		}, "Stream CG PEL entry without consumer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(emptyStreamFile(tc.groups), keyspace.New(16, nil), LoadOptions{})
			require.Error(t, err)
			require.Equal(t, tc.msg, err.Error())
		})
	}
}

func TestLoadStreamGroupShared(t *testing.T) {
	data := emptyStreamFile(func(w *Writer) {
		w.WriteLen(1)
		writeGroupHeader(w, "g")
		w.WriteLen(2)
		writeNACK(w, 1)
		writeNACK(w, 2)
		w.WriteLen(2)
		writeConsumer(w, "b", 2)
		writeConsumer(w, "a", 1)
	})
	ks := keyspace.New(16, nil)
	_, err := Load(data, ks, LoadOptions{})
	require.NoError(t, err)
	g := ks.Peek(0, []byte("k")).(*keyspace.Stream).Group([]byte("g"))
	require.NotNil(t, g)
	cons := g.Consumers()
	require.Len(t, cons, 2)
	require.Equal(t, "a", cons[0].Name)
	require.Equal(t, int64(5), cons[0].SeenTime)
	require.Equal(t, int64(6), cons[0].ActiveTime)
	n, ok := g.PEL.Get(keyspace.StreamID{Ms: 2})
	require.True(t, ok)
	require.Same(t, g.Consumer([]byte("b")), n.Consumer)
	cn, _ := n.Consumer.PEL.Get(keyspace.StreamID{Ms: 2})
	require.Same(t, n, cn, "group and consumer PEL share the NACK")
	require.Equal(t, int64(1000), n.DeliveryTime)
}
