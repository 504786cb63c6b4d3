package server

// The AOF base written as commands (aof-use-rdb-preamble no), Redis's
// rewriteAppendOnlyFileRio: per database a SELECT, then per key the
// commands that rebuild it (SET; RPUSH, SADD, ZADD, HMSET in chunks of
// 64 items; XADD, XSETID, XGROUP and XCLAIM for streams; what a module
// type's aof_rewrite emits), then PEXPIREAT for a key with a TTL.

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/modhost/modhost/keyspace"
)

// aofItemsPerCmd is AOF_REWRITE_ITEMS_PER_CMD.
const aofItemsPerCmd = 64

// aofEntry is one key of a commands snapshot: a clone of its value, or
// the commands a module type emitted for it (taken under the lock).
type aofEntry struct {
	key    string
	value  keyspace.Value
	module []byte
	exp    int64
}

// aofDB is one non-empty database of a commands snapshot.
type aofDB struct {
	index   int
	entries []aofEntry
}

// moduleRewriter is what the module system offers for module values.
type moduleRewriter interface {
	RewriteModuleValue(db int, key []byte, mv *keyspace.ModuleValue) ([]byte, error)
}

// commandsSnapshot clones the keyspace for a commands base. Module
// values are rewritten at once through their type's aof_rewrite, under
// the lock as module code requires. Call it under the server lock.
func (a *AOF) commandsSnapshot() ([]aofDB, error) {
	ks := a.s.Keys
	var out []aofDB
	var firstErr error
	rw, _ := a.s.Modules.(moduleRewriter)
	for db := 0; db < ks.NumDBs(); db++ {
		if ks.Size(db) == 0 {
			continue
		}
		d := aofDB{index: db, entries: make([]aofEntry, 0, ks.Size(db))}
		ks.Each(db, func(key string, v keyspace.Value, exp int64) bool {
			e := aofEntry{key: key, exp: exp}
			switch mv := v.(type) {
			case *keyspace.ModuleValue:
				if rw == nil {
					firstErr = fmt.Errorf("module value at key '%s' and no module system", key)
					return false
				}
				b, err := rw.RewriteModuleValue(db, []byte(key), mv)
				if err != nil {
					firstErr = err
					return false
				}
				e.module = b
			case keyspace.Cloner:
				e.value = mv.Clone()
			default:
				firstErr = fmt.Errorf("value of kind %s cannot be cloned", v.Kind())
				return false
			}
			d.entries = append(d.entries, e)
			return true
		})
		if firstErr != nil {
			return nil, firstErr
		}
		out = append(out, d)
	}
	return out, nil
}

// aofWriter appends RESP commands to a buffer it flushes to w.
type aofWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func (w *aofWriter) header(n int) { w.buf = fmt.Appendf(w.buf, "*%d\r\n", n) }

func (w *aofWriter) bulk(b []byte) {
	w.buf = fmt.Appendf(w.buf, "$%d\r\n", len(b))
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *aofWriter) str(s string) { w.bulk([]byte(s)) }

func (w *aofWriter) int(n int64) { w.bulk(strconv.AppendInt(nil, n, 10)) }

// maybeFlush writes the buffer once it is large.
func (w *aofWriter) maybeFlush() {
	if len(w.buf) >= 64<<10 && w.err == nil {
		_, w.err = w.w.Write(w.buf)
		w.buf = w.buf[:0]
	}
}

func (w *aofWriter) flush() error {
	if w.err == nil && len(w.buf) > 0 {
		_, w.err = w.w.Write(w.buf)
		w.buf = w.buf[:0]
	}
	return w.err
}

// writeCommandsBase writes snap as commands to out.
func writeCommandsBase(out io.Writer, snap []aofDB, timestamp bool) error {
	w := &aofWriter{w: out}
	if timestamp {
		w.buf = fmt.Appendf(w.buf, "#TS:%d\r\n", time.Now().Unix())
	}
	for _, d := range snap {
		w.header(2)
		w.str("SELECT")
		w.int(int64(d.index))
		for i := range d.entries {
			e := &d.entries[i]
			if e.module != nil {
				w.buf = append(w.buf, e.module...)
			} else {
				writeValueCommands(w, e.key, e.value)
			}
			if e.exp != 0 {
				w.header(3)
				w.str("PEXPIREAT")
				w.str(e.key)
				w.int(e.exp)
			}
			w.maybeFlush()
			if w.err != nil {
				return w.err
			}
		}
	}
	return w.flush()
}

// chunked writes items in commands of at most aofItemsPerCmd items:
// name key item... ; each item is per values.
func chunked(w *aofWriter, name, key string, items, per int, each func(emit func(vals ...[]byte))) {
	count := 0
	left := items
	each(func(vals ...[]byte) {
		if count == 0 {
			n := left
			if n > aofItemsPerCmd {
				n = aofItemsPerCmd
			}
			w.header(2 + n*per)
			w.str(name)
			w.str(key)
		}
		for _, v := range vals {
			w.bulk(v)
		}
		count++
		left--
		if count == aofItemsPerCmd {
			count = 0
		}
		w.maybeFlush()
	})
}

// writeValueCommands writes the commands that rebuild one value.
func writeValueCommands(w *aofWriter, key string, v keyspace.Value) {
	switch x := v.(type) {
	case *keyspace.String:
		w.header(3)
		w.str("SET")
		w.str(key)
		w.bulk(x.Bytes())
	case *keyspace.List:
		chunked(w, "RPUSH", key, x.Len(), 1, func(emit func(...[]byte)) {
			x.Each(false, func(_ int, b []byte) bool { emit(b); return true })
		})
	case *keyspace.Set:
		chunked(w, "SADD", key, x.Len(), 1, func(emit func(...[]byte)) {
			x.Each(func(m string) bool { emit([]byte(m)); return true })
		})
	case *keyspace.ZSet:
		chunked(w, "ZADD", key, x.Len(), 2, func(emit func(...[]byte)) {
			x.Each(func(m string, score float64) bool {
				emit(strconv.AppendFloat(nil, score, 'g', 17, 64), []byte(m))
				return true
			})
		})
	case *keyspace.Hash:
		chunked(w, "HMSET", key, x.Len(), 2, func(emit func(...[]byte)) {
			x.Each(func(f string, val []byte) bool { emit([]byte(f), val); return true })
		})
		if x.HasFieldTTLs() {
			x.EachTTL(func(f string, _ []byte, exp int64) bool {
				if exp > 0 {
					w.header(6)
					w.str("HPEXPIREAT")
					w.str(key)
					w.int(exp)
					w.str("FIELDS")
					w.str("1")
					w.str(f)
				}
				return true
			})
		}
	case *keyspace.Stream:
		writeStreamCommands(w, key, x)
	}
}

// writeStreamCommands is rewriteStreamObject.
func writeStreamCommands(w *aofWriter, key string, s *keyspace.Stream) {
	if s.Len() > 0 {
		s.Range(keyspace.MinStreamID, keyspace.MaxStreamID, false, -1, func(e keyspace.StreamEntry) bool {
			w.header(3 + len(e.Fields))
			w.str("XADD")
			w.str(key)
			w.str(e.ID.String())
			for _, f := range e.Fields {
				w.bulk(f)
			}
			w.maybeFlush()
			return true
		})
	} else {
		w.header(7)
		for _, a := range []string{"XADD", key, "MAXLEN", "0", "0-1", "x", "y"} {
			w.str(a)
		}
	}
	w.header(7)
	w.str("XSETID")
	w.str(key)
	w.str(s.LastID().String())
	w.str("ENTRIESADDED")
	w.int(int64(s.EntriesAdded()))
	w.str("MAXDELETEDID")
	w.str(s.MaxDeletedID().String())
	for _, g := range s.Groups() {
		w.header(7)
		w.str("XGROUP")
		w.str("CREATE")
		w.str(key)
		w.str(g.Name)
		w.str(g.LastID.String())
		w.str("ENTRIESREAD")
		w.int(g.EntriesRead)
		for _, c := range g.Consumers() {
			if c.PEL.Len() == 0 {
				w.header(5)
				w.str("XGROUP")
				w.str("CREATECONSUMER")
				w.str(key)
				w.str(g.Name)
				w.str(c.Name)
				continue
			}
			c.PEL.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, n *keyspace.StreamNACK) bool {
				w.header(12)
				w.str("XCLAIM")
				w.str(key)
				w.str(g.Name)
				w.str(c.Name)
				w.str("0")
				w.str(id.String())
				w.str("TIME")
				w.int(n.DeliveryTime)
				w.str("RETRYCOUNT")
				w.int(int64(n.DeliveryCount))
				w.str("JUSTID")
				w.str("FORCE")
				return true
			})
		}
	}
}
