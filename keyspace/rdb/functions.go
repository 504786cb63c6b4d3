package rdb

import (
	"encoding/binary"
	"errors"
)

// Function libraries in RDB files and FUNCTION DUMP payloads: each
// library is OpFunction2 followed by its code (shebang included) as an
// RDB string. The scripting engine owns the libraries; this package sees
// them only as code, through FunctionSaver and FunctionLoader, so
// keyspace does not import the engine.

// FunctionSaver gives the function libraries to save: their code, in the
// order to write them. TakeSnapshot and Save call it under the server
// lock, after the module aux data written before the databases (Redis's
// rdbSaveFunctions place).
type FunctionSaver interface {
	FunctionLibraries() [][]byte
}

// FunctionLoader creates the library of code met in an RDB file (Redis's
// rdbFunctionLoad without RDBFLAGS_ALLOW_DUP); it returns Redis's error
// text when the library cannot be created.
type FunctionLoader interface {
	LoadFunctionLibrary(code []byte) error
}

// functionsDB encodes the libraries as a snapshot element written
// verbatim (see moduleAuxDB), nil when there are none.
func functionsDB(opt Options) *DB {
	if opt.Functions == nil {
		return nil
	}
	codes := opt.Functions.FunctionLibraries()
	if len(codes) == 0 {
		return nil
	}
	w := newBufWriter(opt.Compress)
	writeFunctions(w, codes)
	return &DB{Index: -3, Entries: []Entry{{Pre: w.buf}}}
}

func writeFunctions(w *Writer, codes [][]byte) {
	for _, c := range codes {
		_ = w.WriteByte(OpFunction2)
		w.WriteString(c)
	}
}

// DumpFunctions is FUNCTION DUMP's payload: the libraries' entries, the
// RDB version ver (0: Version) in 2 bytes and the CRC64 of all that, little
// endian. compress is rdbcompression (codes over 20 bytes go LZF, as
// rdbSaveRawString writes them).
func DumpFunctions(codes [][]byte, ver int, compress bool) []byte {
	if ver == 0 {
		ver = Version
	}
	w := newBufWriter(compress)
	writeFunctions(w, codes)
	out := binary.LittleEndian.AppendUint16(w.buf, uint16(ver))
	return binary.LittleEndian.AppendUint64(out, CRC64(0, out))
}

// RestoreFunctions reads a FUNCTION DUMP payload (from modhost or Redis)
// into the libraries' code. Errors carry FUNCTION RESTORE's texts.
func RestoreFunctions(payload []byte, skipChecksum bool) ([][]byte, error) {
	ver, err := VerifyPayload(payload, skipChecksum)
	if err != nil {
		return nil, err
	}
	r := NewReader(payload[:len(payload)-10], ver)
	var codes [][]byte
	for r.Remaining() > 0 {
		t, err := r.ReadByte()
		if err != nil {
			return nil, errors.New("can not read data type")
		}
		switch t {
		case OpFunctionPre:
			return nil, errors.New("Pre-GA function format not supported")
		case OpFunction2:
		default:
			return nil, errors.New("given type is not a function")
		}
		code, err := r.ReadString()
		if err != nil {
			//lint:ignore ST1005 the text is redis-server's own message
			return nil, errors.New("Failed loading library payload")
		}
		codes = append(codes, append([]byte(nil), code...))
	}
	return codes, nil
}
