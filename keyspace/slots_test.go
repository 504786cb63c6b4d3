package keyspace

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSlotIndex(t *testing.T) {
	ks := New(2, nil)
	ks.Add(0, []byte("before"), NewString([]byte("v")))
	require.Zero(t, ks.CountKeysInSlot(KeySlot([]byte("before"))), "no index outside cluster mode")
	ks.EnableSlotIndex()
	require.Equal(t, 1, ks.CountKeysInSlot(KeySlot([]byte("before"))), "keys present are indexed")
	for _, k := range []string{"{t}a", "{t}b", "{t}c"} {
		ks.Add(0, []byte(k), NewString([]byte("v")))
	}
	ks.Add(1, []byte("{t}other-db"), NewString([]byte("v")))
	slot := KeySlot([]byte("t"))
	require.Equal(t, 3, ks.CountKeysInSlot(slot))
	require.Len(t, ks.KeysInSlot(slot, 2), 2)
	require.ElementsMatch(t, [][]byte{[]byte("{t}a"), []byte("{t}b"), []byte("{t}c")}, ks.KeysInSlot(slot, 10))
	require.True(t, ks.Delete(0, []byte("{t}b")))
	require.Equal(t, 2, ks.CountKeysInSlot(slot))
	require.True(t, ks.SwapDB(0, 1))
	require.Equal(t, 1, ks.CountKeysInSlot(slot), "db 1's key is now in db 0")
	ks.FlushDB(0)
	require.Zero(t, ks.CountKeysInSlot(slot))
	ks.Add(0, []byte("{t}x"), NewString([]byte("v")))
	require.Equal(t, 1, ks.CountKeysInSlot(slot))
	require.Zero(t, ks.CountKeysInSlot(-1))
	require.Zero(t, ks.CountKeysInSlot(NumSlots))
}
