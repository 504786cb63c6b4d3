package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/modhost/modhost/keyspace"
)

// RDB type and opcode bytes (rdb.h).
const (
	TypeString           = 0
	TypeList             = 1
	TypeSet              = 2
	TypeZSet             = 3
	TypeHash             = 4
	TypeZSet2            = 5
	TypeModulePreGA      = 6
	TypeModule2          = 7
	TypeHashZipmap       = 9
	TypeListZiplist      = 10
	TypeSetIntset        = 11
	TypeZSetZiplist      = 12
	TypeHashZiplist      = 13
	TypeListQuicklist    = 14
	TypeStreamListpacks  = 15
	TypeHashListpack     = 16
	TypeZSetListpack     = 17
	TypeListQuicklist2   = 18
	TypeStreamListpacks2 = 19
	TypeSetListpack      = 20
	TypeStreamListpacks3 = 21
	// Redis 7.4 (RDB 12): hashes with field expiries. The PRE_GA forms
	// come from 7.4 release candidates and are only read.
	TypeHashMetadataPreGA   = 22
	TypeHashListpackExPreGA = 23
	TypeHashMetadata        = 24
	TypeHashListpackEx      = 25

	OpSlotInfo    = 244
	OpFunction2   = 245
	OpFunctionPre = 246
	OpModuleAux   = 247
	OpIdle        = 248
	OpFreq        = 249
	OpAux         = 250
	OpResizeDB    = 251
	OpExpireMs    = 252
	OpExpire      = 253
	OpSelectDB    = 254
	OpEOF         = 255
)

// Version is the RDB format version modhost writes by default (Redis 7.4).
// Versions 10 (Redis 7.0) and 11 (Redis 7.2) can be asked for; a hash with
// field expiries cannot be written in them (ErrFieldTTLVersion).
const Version = 12

// ErrFieldTTLVersion is returned when a hash with field expiries is to be
// written in an RDB version before 12, which has no way to carry them:
// saving fails rather than silently dropping the expiries.
var ErrFieldTTLVersion = errors.New("hash field expiration needs RDB version 12 (Redis 7.4); the rdb-version in use cannot represent it")

// Stream node limits (stream-node-max-bytes / -entries defaults).
const (
	streamNodeMaxBytes   = 4096
	streamNodeMaxEntries = 100
)

// Options control how a snapshot is written.
type Options struct {
	Version  int    // 10, 11 or 12; 0 means Version. 10 avoids 7.2-only encodings, <12 refuses field TTLs.
	Compress bool   // rdbcompression
	Checksum bool   // rdbchecksum (false writes a zero checksum)
	RedisVer string // the redis-ver aux field
	UsedMem  int64  // the used-mem aux field
	AOFBase  bool   // the aof-base aux field
	// Repl, when set, writes the repl-stream-db, repl-id and repl-offset
	// aux fields (Redis's rdbSaveInfo): a restarted server continues its
	// replication history from them.
	Repl *ReplInfo
	// ListFill is list-max-listpack-size (how quicklist nodes are cut);
	// 0 means -2.
	ListFill int
	Modules  ModuleSaver // nil: module values are an error
	// Functions gives the function libraries to save (nil: none).
	Functions FunctionSaver
	Now       time.Time // ctime; zero means time.Now()
	// KeyDone, when set, is called after each key is written (Redis's
	// rdb-key-save-delay pause; see server/persist_delay.go).
	KeyDone func()
}

// ReplInfo is the replication state an RDB carries in its aux fields:
// the database the replication stream has selected, the replication id
// and the offset the dataset corresponds to.
type ReplInfo struct {
	StreamDB int
	ID       string
	Offset   int64
}

// Entry is one key of a snapshot. Pre, when set, holds the key's type byte
// and value already encoded (module values serialised under the lock).
type Entry struct {
	Key      string
	Value    keyspace.Value
	ExpireAt int64 // Unix ms, 0 for none
	Pre      []byte
}

// DB is one non-empty database of a snapshot.
type DB struct {
	Index   int
	Entries []Entry
	Expires int
}

// Snapshot is the keyspace content to write.
type Snapshot []DB

// ErrModuleValue is returned when a module value has no saver.
var ErrModuleValue = errors.New("module value without a module saver")

// TakeSnapshot collects every live key of ks. With clone, values are deep
// copies (Cloner) so the snapshot may be encoded while ks keeps changing;
// module values (which cannot be cloned) are then encoded at once through
// opt.Modules. Call it under the server lock.
func TakeSnapshot(ks *keyspace.Keyspace, clone bool, opt Options) (Snapshot, error) {
	var snap Snapshot
	var firstErr error
	if aux, err := moduleAuxDB(opt, AuxBeforeRDB); err != nil {
		return nil, err
	} else if aux != nil {
		snap = append(snap, *aux)
	}
	if f := functionsDB(opt); f != nil {
		snap = append(snap, *f)
	}
	for db := 0; db < ks.NumDBs(); db++ {
		if ks.Size(db) == 0 {
			continue
		}
		d := DB{Index: db, Entries: make([]Entry, 0, ks.Size(db))}
		ks.Each(db, func(key string, v keyspace.Value, exp int64) bool {
			kb := unsafeBytes(key)
			e := Entry{Key: key, ExpireAt: exp}
			switch {
			case !clone:
				e.Value = v
			case v.Kind() == keyspace.KindModule:
				pre, err := encodeModulePre(kb, db, v.(*keyspace.ModuleValue), opt)
				if err != nil {
					firstErr = err
					return false
				}
				e.Pre = pre
			default:
				c, ok := v.(keyspace.Cloner)
				if !ok {
					firstErr = fmt.Errorf("value of kind %s cannot be cloned", v.Kind())
					return false
				}
				e.Value = c.Clone()
			}
			if exp != 0 {
				d.Expires++
			}
			d.Entries = append(d.Entries, e)
			return true
		})
		if firstErr != nil {
			return nil, firstErr
		}
		snap = append(snap, d)
	}
	if aux, err := moduleAuxDB(opt, AuxAfterRDB); err != nil {
		return nil, err
	} else if aux != nil {
		snap = append(snap, *aux)
	}
	return snap, nil
}

func encodeModulePre(key []byte, db int, mv *keyspace.ModuleValue, opt Options) ([]byte, error) {
	w := newBufWriter(opt.Compress)
	w.Key, w.DB = key, db
	if err := w.writeModule(mv, opt.Modules); err != nil {
		return nil, err
	}
	return w.buf, nil
}

// Encode writes a whole RDB file for snap to out.
func Encode(out io.Writer, snap Snapshot, opt Options) error {
	w, ver := beginFile(out, opt)
	for _, d := range snap {
		if d.Index < 0 { // module aux data (see moduleAuxDB), functions
			w.WriteRaw(d.Entries[0].Pre)
			continue
		}
		w.selectDB(d.Index, len(d.Entries), d.Expires)
		for i := range d.Entries {
			e := &d.Entries[i]
			var err error
			if e.Pre != nil {
				w.writeExpire(e.ExpireAt)
				_ = w.WriteByte(e.Pre[0])
				w.WriteString(unsafeBytes(e.Key))
				w.WriteRaw(e.Pre[1:])
			} else {
				err = w.writeEntry(unsafeBytes(e.Key), e.Value, e.ExpireAt, ver, &opt)
			}
			if err != nil {
				return err
			}
			if w.err != nil {
				return w.err
			}
			if opt.KeyDone != nil {
				opt.KeyDone()
			}
		}
	}
	return endFile(w, out, opt)
}

// Save writes a whole RDB file of the live keyspace ks to out, walking it
// once with no snapshot (SAVE). Call it under the server lock: module
// values and aux data are encoded as they are met.
func Save(out io.Writer, ks *keyspace.Keyspace, opt Options) error {
	w, ver := beginFile(out, opt)
	if err := w.writeAux(opt, AuxBeforeRDB); err != nil {
		return err
	}
	if opt.Functions != nil {
		writeFunctions(w, opt.Functions.FunctionLibraries())
	}
	for db := 0; db < ks.NumDBs(); db++ {
		if ks.Size(db) == 0 {
			continue
		}
		w.selectDB(db, ks.Size(db), ks.Expires(db))
		var err error
		ks.Each(db, func(key string, v keyspace.Value, exp int64) bool {
			err = w.writeEntry(unsafeBytes(key), v, exp, ver, &opt)
			if err == nil {
				err = w.err
			}
			if err == nil && opt.KeyDone != nil {
				opt.KeyDone()
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	if err := w.writeAux(opt, AuxAfterRDB); err != nil {
		return err
	}
	return endFile(w, out, opt)
}

// writeAux writes the module aux entries of phase when.
func (w *Writer) writeAux(opt Options, when int) error {
	aux, err := moduleAuxDB(opt, when)
	if err == nil && aux != nil {
		w.WriteRaw(aux.Entries[0].Pre)
	}
	return err
}

// beginFile writes the magic, version and aux fields.
func beginFile(out io.Writer, opt Options) (*Writer, int) {
	ver := opt.Version
	if ver == 0 {
		ver = Version
	}
	w := NewWriter(out, opt.Compress)
	w.WriteRaw(fmt.Appendf(nil, "REDIS%04d", ver))
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	aux := func(k string, v []byte) {
		_ = w.WriteByte(OpAux)
		w.WriteString([]byte(k))
		w.WriteString(v)
	}
	auxInt := func(k string, v int64) {
		_ = w.WriteByte(OpAux)
		w.WriteString([]byte(k))
		w.WriteInt(v)
	}
	aux("redis-ver", []byte(opt.RedisVer))
	auxInt("redis-bits", 64)
	auxInt("ctime", now.Unix())
	auxInt("used-mem", opt.UsedMem)
	if r := opt.Repl; r != nil {
		auxInt("repl-stream-db", int64(r.StreamDB))
		aux("repl-id", []byte(r.ID))
		auxInt("repl-offset", r.Offset)
	}
	aof := int64(0)
	if opt.AOFBase {
		aof = 1
	}
	auxInt("aof-base", aof)
	return w, ver
}

// endFile writes EOF and the checksum.
func endFile(w *Writer, out io.Writer, opt Options) error {
	_ = w.WriteByte(OpEOF)
	sum := w.checksum()
	if !opt.Checksum {
		sum = 0
	}
	var tail [8]byte
	binary.LittleEndian.PutUint64(tail[:], sum)
	if w.err == nil {
		_, w.err = out.Write(tail[:])
	}
	return w.err
}

// selectDB writes SELECTDB and RESIZEDB for database db.
func (w *Writer) selectDB(db, size, expires int) {
	w.DB = db
	_ = w.WriteByte(OpSelectDB)
	w.WriteLen(uint64(db))
	_ = w.WriteByte(OpResizeDB)
	w.WriteLen(uint64(size))
	w.WriteLen(uint64(expires))
}

// writeExpire writes the EXPIRETIME_MS opcode for a key with a TTL.
func (w *Writer) writeExpire(at int64) {
	if at != 0 {
		_ = w.WriteByte(OpExpireMs)
		w.WriteUint64LE(uint64(at))
	}
}

// writeEntry writes one key: its expiry, type byte, key and value.
func (w *Writer) writeEntry(key []byte, v keyspace.Value, exp int64, ver int, opt *Options) error {
	w.writeExpire(exp)
	return w.writeKeyValue(key, v, ver, opt)
}

// writeKeyValue writes the type byte, the key and the value.
func (w *Writer) writeKeyValue(key []byte, v keyspace.Value, ver int, opt *Options) error {
	switch v := v.(type) {
	case *keyspace.String:
		_ = w.WriteByte(TypeString)
		w.WriteString(key)
		w.WriteString(v.Bytes())
	case *keyspace.List:
		_ = w.WriteByte(TypeListQuicklist2)
		w.WriteString(key)
		w.writeList(v, opt.ListFill)
	case *keyspace.Set:
		w.writeSet(key, v, ver)
	case *keyspace.ZSet:
		w.writeZSet(key, v)
	case *keyspace.Hash:
		return w.writeHash(key, v, ver)
	case *keyspace.Stream:
		t := byte(TypeStreamListpacks3)
		if ver < 11 {
			t = TypeStreamListpacks2
		}
		_ = w.WriteByte(t)
		w.WriteString(key)
		w.writeStream(v, t)
	case *keyspace.ModuleValue:
		return w.writeModuleKey(key, v, opt.Modules)
	default:
		return fmt.Errorf("cannot save a value of kind %s", v.Kind())
	}
	return nil
}

// writeModuleKey writes a module value's type byte, the key, then the id,
// fields and EOF straight into the output.
func (w *Writer) writeModuleKey(key []byte, v *keyspace.ModuleValue, s ModuleSaver) error {
	if s == nil {
		return ErrModuleValue
	}
	id, ok := s.TypeID(v)
	if !ok {
		return ErrModuleValue
	}
	_ = w.WriteByte(TypeModule2)
	w.WriteString(key)
	w.WriteLen(id)
	w.Key = key
	err := s.Save(v, w)
	w.Key = nil
	if err != nil {
		return err
	}
	w.ModuleEOF()
	return nil
}

// writeModule writes a module value's type byte, id, fields and EOF.
func (w *Writer) writeModule(v *keyspace.ModuleValue, s ModuleSaver) error {
	if s == nil {
		return ErrModuleValue
	}
	id, ok := s.TypeID(v)
	if !ok {
		return ErrModuleValue
	}
	_ = w.WriteByte(TypeModule2)
	w.WriteLen(id)
	if err := s.Save(v, w); err != nil {
		return err
	}
	w.ModuleEOF()
	return nil
}

// listNodeFull is quicklist's limit check for a node about to take one
// more element of n bytes.
func listNodeFull(fill, size, count int) bool {
	if fill >= 0 {
		return size > 8192 || count >= max(fill, 1)
	}
	return size > 4096<<(min(-fill, 5)-1)
}

func (w *Writer) writeList(l *keyspace.List, fill int) {
	if fill == 0 {
		fill = -2
	}
	lp := &w.lp
	lp.reset()
	ends := w.ends[:0]
	l.Each(false, func(_ int, b []byte) bool {
		if lp.n > 0 && listNodeFull(fill, lp.size()+len(b)+11, lp.n) {
			lp.finish()
			ends = append(ends, len(lp.b))
			lp.begin()
		}
		lp.appendBytes(b)
		return true
	})
	if lp.n > 0 {
		lp.finish()
		ends = append(ends, len(lp.b))
	}
	w.ends = ends
	w.WriteLen(uint64(len(ends)))
	start := 0
	for _, end := range ends {
		w.WriteLen(2) // QUICKLIST_NODE_CONTAINER_PACKED
		w.WriteString(lp.b[start:end])
		start = end
	}
}

func (w *Writer) writeSet(key []byte, s *keyspace.Set, ver int) {
	enc := s.Encoding()
	switch {
	case enc == "intset":
		vals := w.ints[:0]
		sorted := true
		s.Each(func(m string) bool {
			v, _ := parseCanonicalInt(unsafeBytes(m))
			if n := len(vals); n > 0 && vals[n-1] >= v {
				sorted = false
			}
			vals = append(vals, v)
			return true
		})
		if !sorted {
			slices.Sort(vals)
		}
		w.ints = vals
		_ = w.WriteByte(TypeSetIntset)
		w.WriteString(key)
		w.lp.b = appendIntset(w.lp.b[:0], vals)
		w.WriteString(w.lp.b)
	case enc == "listpack" && ver >= 11:
		lp := &w.lp
		lp.reset()
		s.Each(func(m string) bool { lp.appendBytes(unsafeBytes(m)); return true })
		_ = w.WriteByte(TypeSetListpack)
		w.WriteString(key)
		w.WriteString(lp.finish())
	default:
		_ = w.WriteByte(TypeSet)
		w.WriteString(key)
		w.WriteLen(uint64(s.Len()))
		s.Each(func(m string) bool { w.WriteString(unsafeBytes(m)); return true })
	}
}

// appendScore adds a zset score to a listpack as Redis's d2string text.
func appendScore(lp *lpBuilder, f float64, num *[24]byte) {
	switch {
	case math.IsInf(f, 1):
		lp.appendBytes([]byte("inf"))
	case math.IsInf(f, -1):
		lp.appendBytes([]byte("-inf"))
	case f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 && !(f == 0 && math.Signbit(f)):
		lp.appendInt(int64(f))
	default:
		lp.appendBytes(strconv.AppendFloat(num[:0], f, 'g', -1, 64))
	}
}

func (w *Writer) writeZSet(key []byte, z *keyspace.ZSet) {
	if z.Encoding() == "listpack" {
		lp := &w.lp
		lp.reset()
		z.Each(func(m string, s float64) bool {
			lp.appendBytes(unsafeBytes(m))
			appendScore(lp, s, &w.num)
			return true
		})
		_ = w.WriteByte(TypeZSetListpack)
		w.WriteString(key)
		w.WriteString(lp.finish())
		return
	}
	_ = w.WriteByte(TypeZSet2)
	w.WriteString(key)
	w.WriteLen(uint64(z.Len()))
	z.RangeByRank(0, -1, true, func(m string, s float64) bool {
		w.WriteString(unsafeBytes(m))
		w.WriteBinaryDouble(s)
		return true
	})
}

func (w *Writer) writeHash(key []byte, h *keyspace.Hash, ver int) error {
	if h.HasFieldTTLs() || h.Encoding() == "listpackex" && ver >= 12 {
		if ver < 12 {
			return fmt.Errorf("key '%s': %w", key, ErrFieldTTLVersion)
		}
		w.writeHashWithTTLs(key, h)
		return nil
	}
	if h.Encoding() != "hashtable" {
		lp := &w.lp
		lp.reset()
		h.Each(func(f string, v []byte) bool {
			lp.appendBytes(unsafeBytes(f))
			lp.appendBytes(v)
			return true
		})
		_ = w.WriteByte(TypeHashListpack)
		w.WriteString(key)
		w.WriteString(lp.finish())
		return nil
	}
	_ = w.WriteByte(TypeHash)
	w.WriteString(key)
	w.WriteLen(uint64(h.Len()))
	h.Each(func(f string, v []byte) bool {
		w.WriteString(unsafeBytes(f))
		w.WriteString(v)
		return true
	})
	return nil
}
