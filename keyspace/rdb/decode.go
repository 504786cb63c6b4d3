package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/modhost/modhost/keyspace"
)

// LoadOptions control Load.
type LoadOptions struct {
	// Modules loads module values; nil makes them an error.
	Modules ModuleLoader
	// Functions creates the function libraries of the file; nil skips
	// them with a warning.
	Functions FunctionLoader
	// VerifyChecksum checks the trailing CRC64 (rdbchecksum).
	VerifyChecksum bool
	// NowMs drops keys whose expiry is before it (a master's load); 0
	// keeps every key.
	NowMs int64
	// Notice and Warning receive Redis's log lines (nil: discarded).
	Notice, Warning func(msg string)
	// Progress is called every ProgressEvery keys with the count so far.
	Progress      func(keys int64)
	ProgressEvery int64
	// KeyDone, when set, is called after each key is read (loaded or
	// skipped as expired) with the byte offset reached in the file: the
	// server's key-load-delay and event processing while loading hang
	// off it, as Redis's hang off rdbLoadProgressCallback.
	KeyDone func(offset int)
}

// LoadStats describes a completed load.
type LoadStats struct {
	Version  int
	Loaded   int64 // keys added
	Expired  int64 // keys skipped because already expired
	Skipped  int64 // empty keys skipped
	RedisVer string
	// Repl is the replication state of the repl-* aux fields: set when
	// the file has repl-id, repl-offset and a repl-stream-db other than
	// -1, as Redis requires before restoring them.
	Repl *ReplInfo
	// Consumed is the length of the RDB image, checksum included: an AOF
	// with an RDB preamble goes on with commands from there.
	Consumed int
}

// errEmptyKey marks an empty collection, which Redis skips with a notice.
var errEmptyKey = errors.New("empty key")

// FatalError is a load failure that Redis reports with its own lines and
// no "Internal error" prefix (bad signature, version, db count, unknown
// module data).
type FatalError struct{ Msg string }

// Error returns the message.
func (e *FatalError) Error() string { return e.Msg }

// withOffset gives a bare ErrShortRead (from a module's reads) the
// reader's position, so every short read says where it happened.
func withOffset(err error, r *Reader) error {
	var se *ShortReadError
	if r == nil || !errors.Is(err, ErrShortRead) || errors.As(err, &se) {
		return err
	}
	return &ShortReadError{Offset: r.p, Left: r.Remaining(), Where: "module value"}
}

type loader struct {
	r   *Reader
	ks  *keyspace.Keyspace
	opt *LoadOptions
	ver int
	// repl collects the repl-* aux fields; replSeen has a bit for each
	// one read (stream db 1, id 2, offset 4).
	repl     ReplInfo
	replSeen int
}

func (l *loader) notice(format string, args ...any) {
	if l.opt.Notice != nil {
		l.opt.Notice(fmt.Sprintf(format, args...))
	}
}

func (l *loader) warning(format string, args ...any) {
	if l.opt.Warning != nil {
		l.opt.Warning(fmt.Sprintf(format, args...))
	}
}

// Load decodes a whole RDB file into ks (which should be empty). On error
// ks may hold the keys loaded so far. Errors are *CorruptError (Redis's
// corruption reasons), ErrShortRead, or *FatalError.
func Load(data []byte, ks *keyspace.Keyspace, opt LoadOptions) (st LoadStats, err error) {
	var rd *Reader
	defer func() { err = withOffset(err, rd) }()
	if len(data) < 9 || string(data[:5]) != "REDIS" {
		return st, &FatalError{"Wrong signature trying to load DB from file"}
	}
	ver, perr := strconv.Atoi(string(data[5:9]))
	if perr != nil || ver < 1 || ver > Version {
		if perr != nil {
			ver = 0
		}
		return st, &FatalError{fmt.Sprintf("Can't handle RDB format version %d", ver)}
	}
	st.Version = ver
	l := &loader{r: NewReader(data, ver), ks: ks, opt: &opt, ver: ver}
	l.r.p = 9
	rd = l.r
	db := 0
	expireAt := int64(-1)
	for {
		t, err := l.r.ReadByte()
		if err != nil {
			return st, err
		}
		switch t {
		case OpExpire:
			b, err := l.r.ReadBytes(4)
			if err != nil {
				return st, err
			}
			expireAt = int64(int32(binary.LittleEndian.Uint32(b))) * 1000
			continue
		case OpExpireMs:
			v, err := l.r.ReadUint64LE()
			if err != nil {
				return st, err
			}
			expireAt = int64(v)
			continue
		case OpFreq:
			if _, err := l.r.ReadByte(); err != nil {
				return st, err
			}
			continue
		case OpIdle:
			if _, err := l.r.ReadLen(); err != nil {
				return st, err
			}
			continue
		case OpEOF:
			err := l.checksum()
			st.Consumed = l.r.p
			if l.replSeen == 7 && l.repl.StreamDB != -1 && l.repl.Offset != -1 {
				ri := l.repl
				st.Repl = &ri
			}
			return st, err
		case OpSelectDB:
			n, err := l.r.ReadLen()
			if err != nil {
				return st, err
			}
			if n >= uint64(ks.NumDBs()) {
				return st, &FatalError{fmt.Sprintf("FATAL: Data file was created with a Redis server configured to handle more than %d databases. Exiting\n", ks.NumDBs())}
			}
			db = int(n)
			continue
		case OpResizeDB:
			if _, err := l.r.ReadLen(); err != nil {
				return st, err
			}
			if _, err := l.r.ReadLen(); err != nil {
				return st, err
			}
			continue
		case OpSlotInfo:
			for i := 0; i < 3; i++ {
				if _, err := l.r.ReadLen(); err != nil {
					return st, err
				}
			}
			continue
		case OpAux:
			if err := l.aux(&st); err != nil {
				return st, err
			}
			continue
		case OpModuleAux:
			if err := l.moduleAux(); err != nil {
				return st, err
			}
			continue
		case OpFunctionPre:
			return st, l.r.corrupt("Pre-release function format not supported.")
		case OpFunction2:
			code, err := l.r.ReadString()
			if err != nil {
				return st, err
			}
			if opt.Functions == nil {
				l.warning("The RDB file contains a function library and nothing here loads functions, skipped")
				continue
			}
			if err := opt.Functions.LoadFunctionLibrary(code); err != nil {
				return st, &FatalError{"Failed loading library, " + err.Error()}
			}
			continue
		}
		key, err := l.r.ReadString()
		if err != nil {
			return st, err
		}
		l.r.Key, l.r.DB = key, db
		v, err := l.readObject(t)
		if errors.Is(err, errEmptyKey) {
			if st.Skipped < 10 {
				l.notice("rdbLoadObject skipping empty key: %s", key)
			}
			st.Skipped++
			expireAt = -1
			continue
		}
		if err != nil {
			return st, err
		}
		if expireAt != -1 && opt.NowMs != 0 && expireAt < opt.NowMs {
			st.Expired++
			if d, ok := v.(keyspace.Dropper); ok { // a module value: free it
				d.Drop(db, key, keyspace.DropFlushed)
			}
		} else {
			if !ks.Add(db, key, v) {
				return st, &FatalError{fmt.Sprintf("RDB has duplicated key '%s' in DB %d", key, db)}
			}
			if expireAt != -1 {
				ks.SetExpire(db, key, expireAt)
			}
			ks.Notify(keyspace.NotifyLoaded, "loaded", key, db) // modules only
			st.Loaded++
			if opt.Progress != nil && opt.ProgressEvery > 0 && st.Loaded%opt.ProgressEvery == 0 {
				opt.Progress(st.Loaded)
			}
		}
		expireAt = -1
		if opt.KeyDone != nil {
			opt.KeyDone(l.r.Offset())
		}
	}
}

// checksum verifies the trailing CRC64 (versions 5 and later).
func (l *loader) checksum() error {
	if l.ver < 5 {
		return nil
	}
	expected := CRC64(0, l.r.b[:l.r.p])
	got, err := l.r.ReadUint64LE()
	if err != nil {
		return err
	}
	if !l.opt.VerifyChecksum {
		return nil
	}
	if got == 0 {
		l.notice("RDB file was saved with checksum disabled: no check performed.")
		return nil
	}
	if got != expected {
		l.warning("Wrong RDB checksum expected: (%x) but got (%x). Aborting now.", expected, got)
		return l.r.corrupt("RDB CRC error")
	}
	return nil
}

func (l *loader) aux(st *LoadStats) error {
	k, err := l.r.ReadString()
	if err != nil {
		return err
	}
	v, err := l.r.ReadString()
	if err != nil {
		return err
	}
	switch key := string(k); {
	case len(key) > 0 && key[0] == '%':
		l.notice("RDB '%s': %s", k, v)
	case key == "redis-ver":
		st.RedisVer = string(v)
		l.notice("Loading RDB produced by version %s", v)
	case key == "ctime":
		n, _ := strconv.ParseInt(string(v), 10, 64)
		age := max(time.Now().Unix()-n, 0)
		l.notice("RDB age %d seconds", age)
	case key == "used-mem":
		n, _ := strconv.ParseInt(string(v), 10, 64)
		l.notice("RDB memory usage when created %.2f Mb", float64(n)/(1024*1024))
	case key == "aof-preamble":
		if n, _ := strconv.ParseInt(string(v), 10, 64); n != 0 {
			l.notice("RDB has an AOF tail")
		}
	case key == "repl-stream-db":
		n, _ := strconv.ParseInt(string(v), 10, 64)
		l.repl.StreamDB = int(n)
		l.replSeen |= 1
	case key == "repl-id":
		if len(v) == 40 {
			l.repl.ID = string(v)
			l.replSeen |= 2
		}
	case key == "repl-offset":
		n, _ := strconv.ParseInt(string(v), 10, 64)
		l.repl.Offset = n
		l.replSeen |= 4
	case key == "aof-base":
		if n, _ := strconv.ParseInt(string(v), 10, 64); n != 0 {
			l.notice("RDB is base AOF")
		}
	}
	return nil
}

func (l *loader) moduleAux() error {
	id, err := l.r.ReadLen()
	if err != nil {
		return err
	}
	op, err := l.r.ReadLen()
	if err != nil {
		return err
	}
	when, err := l.r.ReadLen()
	if err != nil {
		return err
	}
	if op != ModuleOpUint {
		return ErrShortRead // Redis: rdbReportReadError("bad when_opcode")
	}
	name := ModuleTypeName(id)
	l.r.Key, l.r.DB = nil, -1
	if l.opt.Modules == nil {
		return &FatalError{fmt.Sprintf("The RDB file contains AUX module data I can't load: no matching module '%s'", name)}
	}
	_, err = l.opt.Modules.Load(id, int(when), l.r)
	if err == ErrNoModuleType {
		return &FatalError{fmt.Sprintf("The RDB file contains AUX module data I can't load: no matching module '%s'", name)}
	}
	return err
}

// strCopy reads a string and returns a copy it may keep.
func (l *loader) strCopy() ([]byte, error) {
	s, err := l.r.ReadString()
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), s...), nil
}

// readObject decodes one value of RDB type t.
func (l *loader) readObject(t byte) (keyspace.Value, error) {
	switch t {
	case TypeString:
		s, err := l.r.ReadString()
		if err != nil {
			return nil, err
		}
		return keyspace.NewString(s), nil
	case TypeList, TypeListZiplist, TypeListQuicklist, TypeListQuicklist2:
		return l.readList(t)
	case TypeSet, TypeSetIntset, TypeSetListpack:
		return l.readSet(t)
	case TypeZSet, TypeZSet2, TypeZSetZiplist, TypeZSetListpack:
		return l.readZSet(t)
	case TypeHash, TypeHashZipmap, TypeHashZiplist, TypeHashListpack:
		return l.readHash(t)
	case TypeHashMetadataPreGA, TypeHashListpackExPreGA, TypeHashMetadata, TypeHashListpackEx:
		return l.readHashWithTTLs(t)
	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
		return l.readStream(t)
	case TypeModulePreGA:
		return nil, l.r.corrupt("Pre-release module format not supported")
	case TypeModule2:
		id, err := l.r.ReadLen()
		if err != nil {
			return nil, err
		}
		name := ModuleTypeName(id)
		noType := l.r.corrupt("The RDB file contains module data I can't load: no matching module type '%s'", name)
		if l.opt.Modules == nil {
			return nil, noType
		}
		v, err := l.opt.Modules.Load(id, -1, l.r)
		if err == ErrNoModuleType {
			return nil, noType
		}
		return v, err
	}
	return nil, l.r.corrupt("Unknown RDB encoding type %d", t)
}

func (l *loader) readList(t byte) (keyspace.Value, error) {
	list := l.ks.NewList()
	push := func(e []byte) error { list.PushBack(e); return nil }
	switch t {
	case TypeList:
		n, err := l.r.readCount(1)
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			s, err := l.r.ReadString()
			if err != nil {
				return nil, err
			}
			list.PushBack(s)
		}
	case TypeListZiplist:
		s, err := l.r.ReadString()
		if err != nil {
			return nil, err
		}
		if zlEach(s, push) != nil {
			return nil, l.r.corrupt("List ziplist integrity check failed.")
		}
	default:
		n, err := l.r.readCount(1)
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			container := uint64(2)
			if t == TypeListQuicklist2 {
				if container, err = l.r.ReadLen(); err != nil {
					return nil, err
				}
				if container != 1 && container != 2 {
					return nil, l.r.corrupt("Quicklist integrity check failed.")
				}
			}
			s, err := l.r.ReadString()
			if err != nil {
				return nil, err
			}
			switch {
			case container == 1:
				list.PushBack(s)
			case t == TypeListQuicklist:
				if zlEach(s, push) != nil {
					return nil, l.r.corrupt("Ziplist integrity check failed.")
				}
			default:
				if lpEach(s, push) != nil {
					return nil, l.r.corrupt("Listpack integrity check failed.")
				}
			}
		}
	}
	if list.Len() == 0 {
		return nil, errEmptyKey
	}
	return list, nil
}

func (l *loader) readSet(t byte) (keyspace.Value, error) {
	var set *keyspace.Set
	dup := false
	add := func(m []byte) error {
		if set == nil {
			set = l.ks.NewSet(m)
		}
		if !set.Add(m) {
			dup = true
		}
		return nil
	}
	switch t {
	case TypeSet:
		n, err := l.r.readCount(1)
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			s, err := l.r.ReadString()
			if err != nil {
				return nil, err
			}
			_ = add(s)
		}
	case TypeSetIntset:
		s, err := l.r.ReadString()
		if err != nil {
			return nil, err
		}
		var num []byte
		if intsetEach(s, func(v int64) error {
			num = strconv.AppendInt(num[:0], v, 10)
			return add(num)
		}) != nil {
			return nil, l.r.corrupt("Intset integrity check failed.")
		}
	default:
		s, err := l.r.ReadString()
		if err != nil {
			return nil, err
		}
		if lpEach(s, add) != nil {
			return nil, l.r.corrupt("Set listpack integrity check failed.")
		}
	}
	if dup {
		return nil, l.r.corrupt("Duplicate set members detected")
	}
	if set == nil || set.Len() == 0 {
		return nil, errEmptyKey
	}
	return set, nil
}

func (l *loader) readZSet(t byte) (keyspace.Value, error) {
	z := l.ks.NewZSet()
	var bad error
	add := func(m []byte, score float64) {
		if math.IsNaN(score) {
			bad = l.r.corrupt("Zset with NAN score detected")
		} else if !z.Add(m, score) && bad == nil {
			bad = l.r.corrupt("Duplicate zset fields detected")
		}
	}
	switch t {
	case TypeZSet, TypeZSet2:
		n, err := l.r.readCount(2)
		if err != nil {
			return nil, err
		}
		for i := 0; i < n && bad == nil; i++ {
			m, err := l.r.ReadString()
			if err != nil {
				return nil, err
			}
			var f float64
			if t == TypeZSet {
				f, err = l.r.ReadOldDouble()
			} else {
				f, err = l.r.ReadBinaryDouble()
			}
			if err != nil {
				return nil, err
			}
			add(m, f)
		}
	default:
		err := l.readPairs(t == TypeZSetZiplist, "Zset", func(member, score []byte) error {
			f, err := strconv.ParseFloat(string(score), 64)
			if err != nil {
				return errEncoding
			}
			add(member, f)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if bad != nil {
		return nil, bad
	}
	if z.Len() == 0 {
		return nil, errEmptyKey
	}
	return z, nil
}

// readPairs reads a listpack string (a ziplist when ziplist is set) of
// alternating first/second elements, as small hashes and sorted sets are
// stored, and calls fn with each pair. A bad encoding, an odd element
// count or an error from fn is Redis's "<kind> <format> integrity check
// failed." corruption error.
func (l *loader) readPairs(ziplist bool, kind string, fn func(first, second []byte) error) error {
	s, err := l.r.ReadString()
	if err != nil {
		return err
	}
	each, format := lpEach, "listpack"
	if ziplist {
		each, format = zlEach, "ziplist"
	}
	var first []byte
	odd := false
	if each(s, func(e []byte) error {
		if !odd {
			first, odd = append(first[:0], e...), true
			return nil
		}
		odd = false
		return fn(first, e)
	}) != nil || odd {
		return l.r.corrupt("%s %s integrity check failed.", kind, format)
	}
	return nil
}

func (l *loader) readHash(t byte) (keyspace.Value, error) {
	h := l.ks.NewHash()
	dup := false
	set := func(f, v []byte) {
		if !h.Set(f, v) {
			dup = true
		}
	}
	switch t {
	case TypeHash:
		n, err := l.r.readCount(2)
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			f, err := l.r.ReadString()
			if err != nil {
				return nil, err
			}
			v, err := l.r.ReadString()
			if err != nil {
				return nil, err
			}
			set(f, v)
		}
	case TypeHashZipmap:
		s, err := l.r.ReadString()
		if err != nil {
			return nil, err
		}
		if zipmapEach(s, func(f, v []byte) error { set(f, v); return nil }) != nil {
			return nil, l.r.corrupt("Zipmap integrity check failed.")
		}
	default:
		err := l.readPairs(t == TypeHashZiplist, "Hash", func(field, value []byte) error {
			set(field, value)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if dup {
		return nil, l.r.corrupt("Duplicate hash fields detected")
	}
	if h.Len() == 0 {
		return nil, errEmptyKey
	}
	return h, nil
}
