package rdb

import (
	"testing"

	"github.com/modhost/modhost/keyspace"
)

// FuzzRestore feeds RESTORE payloads to RestoreValue: it must never panic,
// and a payload it accepts must dump again to a payload it accepts. Seeds
// are the DUMP payloads of every key of the Redis 7.0 fixture file.
func FuzzRestore(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x03abc\x0b\x00"))
	if b, err := readFixture("redis70_all.rdb"); err == nil {
		ks := keyspace.New(16, nil)
		if _, err := Load(b, ks, LoadOptions{}); err == nil {
			for db := 0; db < 16; db++ {
				ks.Keys(db, []byte("*"), func(key string) bool {
					if p, err := DumpValue(ks.Peek(db, []byte(key)), Options{Version: Version, Compress: true}); err == nil {
						f.Add(p)
					}
					return true
				})
			}
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		v, err := RestoreValue(payload, keyspace.New(1, nil), nil)
		if err != nil {
			return
		}
		again, err := DumpValue(v, Options{Version: Version})
		if err != nil {
			t.Fatalf("restored value does not dump: %v", err)
		}
		if _, err := RestoreValue(again, keyspace.New(1, nil), nil); err != nil {
			t.Fatalf("re-dumped payload refused: %v", err)
		}
	})
}
