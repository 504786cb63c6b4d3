package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/modhost/modhost/keyspace"
)

// ErrBadPayload is a DUMP payload whose footer (RDB version, CRC64) does
// not check out: RESTORE answers "DUMP payload version or checksum are
// wrong".
var ErrBadPayload = errors.New("DUMP payload version or checksum are wrong")

// DumpValue serialises v as Redis's DUMP does: the value's type byte and
// RDB encoding, then the RDB version (2 bytes, little endian) and a CRC64
// of everything before the checksum (8 bytes, little endian).
func DumpValue(v keyspace.Value, opt Options) ([]byte, error) {
	ver := opt.Version
	if ver == 0 {
		ver = Version
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, opt.Compress)
	// writeKeyValue puts the key between the type byte and the value; an
	// empty key is the single length byte 0, removed below.
	if err := w.writeKeyValue(nil, v, ver, &opt); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	enc := buf.Bytes()
	if len(enc) < 2 || enc[1] != 0 {
		return nil, errors.New("rdb: unexpected key encoding in DUMP")
	}
	out := make([]byte, 0, len(enc)-1+10)
	out = append(out, enc[0])
	out = append(out, enc[2:]...)
	out = binary.LittleEndian.AppendUint16(out, uint16(ver))
	crc := CRC64(0, out)
	return binary.LittleEndian.AppendUint64(out, crc), nil
}

// RestoreOptions tune RestorePayload.
type RestoreOptions struct {
	// Modules loads module values (nil refuses them).
	Modules ModuleLoader
	// Key and DB name the key being restored, for module rdb_load
	// callbacks (RedisModule_GetKeyNameFromIO / GetDbIdFromIO).
	Key []byte
	DB  int
	// SkipChecksum is Redis's skip_checksum_validation (DEBUG
	// SET-SKIP-CHECKSUM-VALIDATION 1): the CRC64 is not compared. It is the
	// only way a payload with a wrong CRC (zero included) is accepted.
	SkipChecksum bool
}

// RestoreValue decodes a DUMP payload made by Redis (RDB versions up to
// Version) or by DumpValue into a value built with ks's encoding limits.
// A footer that does not check out is ErrBadPayload; a body that does not
// decode (or leaves bytes over) is a *CorruptError, for "Bad data format".
func RestoreValue(payload []byte, ks *keyspace.Keyspace, modules ModuleLoader) (keyspace.Value, error) {
	return RestorePayload(payload, ks, RestoreOptions{Modules: modules, DB: -1})
}

// VerifyPayload is Redis's verifyDumpPayload: at least the 10 footer
// bytes, an RDB version this codec reads, and (unless skipChecksum) a
// CRC64 equal to the one computed over everything before it. Unlike an
// RDB file, a DUMP payload has no "checksum disabled" zero: Redis always
// writes the CRC into DUMP payloads, so a zero footer is refused.
func VerifyPayload(payload []byte, skipChecksum bool) (int, error) {
	if len(payload) < 10 {
		return 0, ErrBadPayload
	}
	ver := int(binary.LittleEndian.Uint16(payload[len(payload)-10:]))
	if ver > Version {
		return ver, ErrBadPayload
	}
	if skipChecksum {
		return ver, nil
	}
	crc := binary.LittleEndian.Uint64(payload[len(payload)-8:])
	if crc != CRC64(0, payload[:len(payload)-8]) {
		return ver, ErrBadPayload
	}
	return ver, nil
}

// RestorePayload is RestoreValue with options.
func RestorePayload(payload []byte, ks *keyspace.Keyspace, ro RestoreOptions) (keyspace.Value, error) {
	ver, err := VerifyPayload(payload, ro.SkipChecksum)
	if err != nil {
		return nil, err
	}
	body := payload[:len(payload)-10]
	if len(body) == 0 {
		return nil, &CorruptError{Msg: "empty DUMP payload"}
	}
	opt := LoadOptions{Modules: ro.Modules}
	l := &loader{r: NewReader(body, ver), ks: ks, opt: &opt, ver: ver}
	l.r.Key, l.r.DB, l.r.Restoring = ro.Key, ro.DB, true
	t, err := l.r.ReadByte()
	if err != nil {
		return nil, err
	}
	v, err := l.readObject(t)
	if err != nil {
		return nil, err
	}
	if l.r.p != len(body) {
		return nil, &CorruptError{Msg: "trailing bytes in DUMP payload"}
	}
	return v, nil
}
