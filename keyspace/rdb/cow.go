package rdb

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/modhost/modhost/keyspace"
)

// COW is a point-in-time image of a keyspace that is encoded while the
// server keeps serving clients, the way Redis's forked child sees the
// dataset as it was at fork time.
//
// BeginCOW runs under the server lock and costs one walk of the tables:
// it copies each key's name, value pointer and TTL (no value is copied)
// and marks every entry (keyspace.BeginSnapshot). Encode then runs in a
// goroutine without the server lock and writes the values it was given.
// A command that is about to change a marked value in place (or move it,
// or free a module value) first calls Preserve under the lock, which
// keeps a deep copy of the value, or a module value's rdb_save output,
// for the encoder. The encoder holds mu while it reads one value, so a
// writer either waits for that one value to be written or hands its copy
// over first: the file holds exactly the image of BeginCOW's moment, and
// is byte for byte what TakeSnapshot and Encode would have written then.
//
// Module values are serialised with the server lock held, as Redis runs
// rdb_save in a child that has the whole dataset to itself: the encoder
// takes the lock (Lock/Unlock) for a bounded batch of module values
// ahead of the one it reached, unless a writer already preserved them.
type COW struct {
	opt      Options
	head     []byte // module aux data before the databases, functions
	tail     []byte // module aux data after the databases
	image    *keyspace.Image
	lock     func()
	unlock   func()
	ks       *keyspace.Keyspace
	released bool

	mu   sync.Mutex // guards kept and err; held while a live value is read
	kept map[keyspace.Value]keptValue
	err  error
}

// keptValue is what Preserve kept of a value: a deep copy, or the module
// value's type byte and encoded payload.
type keptValue struct {
	v   keyspace.Value
	pre []byte
}

// Module value batches: the encoder serialises at most this many module
// values, and for at most this long, per hold of the server lock.
const (
	cowModuleBatch = 512
	cowModuleSlice = 2 * time.Millisecond
)

// BeginCOW starts a copy-on-write snapshot of ks. Call it under the server
// lock; lock and unlock take and release that lock (the encoder needs it
// for module values). The caller must call Release under the lock once
// Encode has returned or will not be called.
func BeginCOW(ks *keyspace.Keyspace, opt Options, lock, unlock func()) (*COW, error) {
	c := &COW{opt: opt, lock: lock, unlock: unlock, ks: ks, kept: map[keyspace.Value]keptValue{}}
	if aux, err := moduleAuxDB(opt, AuxBeforeRDB); err != nil {
		return nil, err
	} else if aux != nil {
		c.head = append(c.head, aux.Entries[0].Pre...)
	}
	if f := functionsDB(opt); f != nil {
		c.head = append(c.head, f.Entries[0].Pre...)
	}
	c.image = ks.BeginSnapshot(c)
	aux, err := moduleAuxDB(opt, AuxAfterRDB)
	if err != nil {
		c.Release()
		return nil, err
	}
	if aux != nil {
		c.tail = aux.Entries[0].Pre
	}
	return c, nil
}

// Preserve implements keyspace.SnapshotObserver: it keeps v as the
// snapshot saw it before v changes (a deep copy) or a module value is
// freed or moved (its rdb_save output, with the server lock held, as the
// caller holds it).
func (c *COW) Preserve(db int, key []byte, v keyspace.Value, kind keyspace.PreserveKind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.kept[v]; ok {
		return
	}
	if mv, ok := v.(*keyspace.ModuleValue); ok {
		pre, err := encodeModulePre(key, db, mv, c.opt)
		if err != nil {
			c.fail(err)
			return
		}
		c.kept[v] = keptValue{pre: pre}
		return
	}
	if kind != keyspace.PreserveWrite {
		return
	}
	cl, ok := v.(keyspace.Cloner)
	if !ok {
		c.fail(fmt.Errorf("value of kind %s cannot be cloned", v.Kind()))
		return
	}
	c.kept[v] = keptValue{v: cl.Clone()}
}

// fail records the first error (under mu).
func (c *COW) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// Release ends the snapshot: writes stop preserving values for it. Call it
// under the server lock; it may be called more than once.
func (c *COW) Release() {
	if c.released {
		return
	}
	c.released = true
	c.ks.EndSnapshot(c)
	c.mu.Lock()
	c.kept = nil
	c.mu.Unlock()
}

// SetKeyDone sets Options.KeyDone for Encode (rdb-key-save-delay): it is
// called after each key is written, without any lock held.
func (c *COW) SetKeyDone(fn func()) { c.opt.KeyDone = fn }

// imageDB is what Encode needs to know of one database before writing
// it: its key and TTL counts, and its module values in order.
type imageDB struct {
	keys, expires int
	modules       []moduleRef
}

// moduleRef is a module value of the image and its key.
type moduleRef struct {
	key string
	mv  *keyspace.ModuleValue
}

// scan counts db's keys and lists its module values (no lock needed).
func (c *COW) scan(db int) imageDB {
	var d imageDB
	c.image.Each(db, func(key string, v keyspace.Value, exp int64) bool {
		d.keys++
		if exp != 0 {
			d.expires++
		}
		if mv, ok := v.(*keyspace.ModuleValue); ok {
			d.modules = append(d.modules, moduleRef{key, mv})
		}
		return true
	})
	return d
}

// Keys returns the number of keys in the image.
func (c *COW) Keys() int {
	n := 0
	for db := 0; db < c.image.NumDBs(); db++ {
		n += c.scan(db).keys
	}
	return n
}

// Encode writes the whole RDB file of the image to out. Call it without
// the server lock, once.
func (c *COW) Encode(out io.Writer) error {
	w, ver := beginFile(out, c.opt)
	w.WriteRaw(c.head)
	for db := 0; db < c.image.NumDBs(); db++ {
		d := c.scan(db)
		if d.keys == 0 {
			continue
		}
		w.selectDB(db, d.keys, d.expires)
		var err error
		mi := 0
		c.image.Each(db, func(key string, v keyspace.Value, exp int64) bool {
			if v.Kind() == keyspace.KindModule {
				if err = c.moduleBatch(db, d.modules[mi:]); err != nil {
					return false
				}
				mi++
			}
			if err = c.writeEntry(w, db, key, v, exp, ver); err != nil {
				return false
			}
			if err = w.err; err != nil {
				return false
			}
			if c.opt.KeyDone != nil {
				c.opt.KeyDone()
			}
			return true
		})
		if err != nil {
			return err
		}
	}
	w.WriteRaw(c.tail)
	return endFile(w, out, c.opt)
}

// writeEntry writes one key of the image: the kept copy when a writer
// preserved the value, else the live value, read under mu. Output is only
// buffered while mu is held; the buffer goes to the file after.
func (c *COW) writeEntry(w *Writer, db int, key string, v keyspace.Value, exp int64, ver int) error {
	file := w.w
	w.w = nil
	c.mu.Lock()
	err := c.err
	if err == nil {
		k, ok := c.kept[v]
		switch {
		case ok && k.pre != nil:
			w.writeExpire(exp)
			_ = w.WriteByte(k.pre[0])
			w.WriteString(unsafeBytes(key))
			w.WriteRaw(k.pre[1:])
		case ok:
			err = w.writeEntry(unsafeBytes(key), k.v, exp, ver, &c.opt)
		default:
			err = w.writeEntry(unsafeBytes(key), v, exp, ver, &c.opt)
		}
	}
	c.mu.Unlock()
	w.w = file
	w.maybeFlush()
	return err
}

// moduleBatch serialises, under the server lock, the module values of
// mods (the next ones in the image) not yet kept, up to cowModuleBatch of
// them or cowModuleSlice; mods[0] is always done.
func (c *COW) moduleBatch(db int, mods []moduleRef) error {
	c.mu.Lock()
	_, done := c.kept[mods[0].mv]
	err := c.err
	c.mu.Unlock()
	if done || err != nil {
		return err
	}
	c.lock()
	defer c.unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	deadline := time.Now().Add(cowModuleSlice)
	for j := 0; j < len(mods) && j < cowModuleBatch; j++ {
		if _, ok := c.kept[mods[j].mv]; ok {
			continue
		}
		if j > 0 && time.Now().After(deadline) {
			break
		}
		pre, err := encodeModulePre(unsafeBytes(mods[j].key), db, mods[j].mv, c.opt)
		if err != nil {
			c.fail(err)
			return err
		}
		c.kept[mods[j].mv] = keptValue{pre: pre}
	}
	return nil
}
