package host

// The module side of the RDB hooks: rdb.ModuleLoader, rdb.ModuleSaver and
// rdb.ModuleAuxSaver over the data types modules created, so SAVE,
// BGSAVE, DEBUG RELOAD, the start-up load and SHUTDOWN SAVE carry module
// values (RDB_TYPE_MODULE_2) and module aux data (RDB_OPCODE_MODULE_AUX)
// in Redis's format. Everything here runs under the server lock.

/*
#include "ctx.h"
#include "api_type.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"

	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/keyspace/rdb"
	"github.com/modhost/modhost/server"
)

// Load-failure texts (Redis's rdb.c).
const (
	msgModNotLoadable = "The RDB file contains module data for the module type '%s', that the responsible module is not able to load. Check for modules log above for additional clues."
	msgModNoEOF       = "The RDB file contains module data for the module '%s' that is not terminated by the proper module value EOF marker"
	msgAuxNoSupport   = "The RDB file contains module AUX data, but the module '%s' doesn't seem to support it."
	msgAuxNotLoadable = "The RDB file contains module AUX data for the module type '%s', that the responsible module is not able to load. Check for modules log above for additional clues."
	msgAuxNoEOF       = "The RDB file contains module AUX data for the module '%s' that is not terminated by the proper module value EOF marker"
)

// errModuleSave fails a save whose rdb_save or aux_save marked its io.
var errModuleSave = errors.New("module data type failed to save its value")

// rdbBridge implements the rdb module hooks for one module system.
type rdbBridge struct{ s *System }

// TypeID returns the 64-bit id written before a module value.
func (b rdbBridge) TypeID(v *keyspace.ModuleValue) (uint64, bool) {
	t, ok := v.Type.(*moduleType)
	if !ok {
		return 0, false
	}
	return t.id, true
}

// Save runs the type's rdb_save for v and writes the fields it saved.
func (b rdbBridge) Save(v *keyspace.ModuleValue, w *rdb.Writer) error {
	t, ok := v.Type.(*moduleType)
	if !ok {
		return rdb.ErrModuleValue
	}
	io := newIO(t, C.MH_IO_SAVE, w.Key, w.DB)
	defer freeIO(io)
	C.mh_type_call_save(t.c, io, v.Ptr)
	if io.error != 0 {
		return errModuleSave
	}
	w.WriteRaw(ioOutput(io))
	return nil
}

// SaveAux returns the MODULE_AUX entries of every type whose
// aux_save_triggers include when. An aux_save2 callback that saves
// nothing leaves no entry, as in Redis.
func (b rdbBridge) SaveAux(when int) ([]byte, error) {
	var out []byte
	for _, t := range liveTypes() {
		m := &t.c.m
		if (m.aux_save == nil && m.aux_save2 == nil) || int(m.aux_save_triggers)&when == 0 {
			continue
		}
		io := newIO(t, C.MH_IO_SAVE, nil, -1)
		C.mh_type_call_aux_save(t.c, io, C.int(when))
		failed, body := io.error != 0, ioOutput(io)
		freeIO(io)
		if failed {
			return nil, errModuleSave
		}
		if len(body) == 0 && m.aux_save2 != nil {
			continue
		}
		var hdr rdbBuf
		hw := rdb.NewWriter(&hdr, false)
		_ = hw.WriteByte(rdb.OpModuleAux)
		hw.WriteLen(t.id)
		hw.WriteLen(rdb.ModuleOpUint)
		hw.WriteLen(uint64(when))
		hw.WriteRaw(body)
		hw.ModuleEOF()
		if err := hw.Flush(); err != nil {
			return nil, err
		}
		out = append(out, hdr.b...)
	}
	return out, nil
}

// rdbBuf collects a Writer's bytes.
type rdbBuf struct{ b []byte }

func (r *rdbBuf) Write(p []byte) (int, error) { r.b = append(r.b, p...); return len(p), nil }

// Load reads one module value (when == -1) or one aux entry through the
// type registered for typeID, then the EOF marker.
func (b rdbBridge) Load(typeID uint64, when int, r *rdb.Reader) (keyspace.Value, error) {
	t := typeByID(typeID)
	if t == nil {
		return nil, rdb.ErrNoModuleType
	}
	encver := C.int(typeID & 1023)
	if when >= 0 {
		return nil, b.loadAux(t, encver, when, r)
	}
	io := newLoadIO(t, r, r.Key, r.DB)
	ptr := C.mh_type_call_load(t.c, io, encver)
	freeIO(io)
	mv := t.newValue(ptr)
	eof, err := r.ReadLen()
	if err != nil {
		freeNow(mv)
		return nil, rdb.ErrShortRead
	}
	if eof != rdb.ModuleOpEOF {
		freeNow(mv)
		return nil, &rdb.CorruptError{Offset: r.Offset(), Msg: fmt.Sprintf(msgModNoEOF, t.mod.Name)}
	}
	if ptr == nil {
		b.logValueRefused(t, r)
		return nil, &rdb.CorruptError{Offset: r.Offset(), Msg: fmt.Sprintf(msgModNotLoadable, t.mod.Name)}
	}
	return mv, nil
}

// logValueRefused names the module, type and key whose rdb_load returned
// NULL: a warning when loading a file (the load then stops), a verbose line
// under RESTORE (the client gets "Bad data format"), as Redis logs
// rdbReportError in a restore context.
func (b rdbBridge) logValueRefused(t *moduleType, r *rdb.Reader) {
	msg := fmt.Sprintf("Module '%s' could not load a value of type '%s' for key '%s' (its rdb_load returned NULL)", t.mod.Name, t.name, r.Key)
	if r.Restoring {
		b.s.srv.Log.Verbosef("%s", msg)
		return
	}
	b.s.srv.Log.Warningf("%s", msg)
}

func (b rdbBridge) loadAux(t *moduleType, encver C.int, when int, r *rdb.Reader) error {
	if t.c.m.aux_load == nil {
		return &rdb.FatalError{Msg: fmt.Sprintf(msgAuxNoSupport, t.name)}
	}
	io := newLoadIO(t, r, nil, -1)
	rc := C.mh_type_call_aux_load(t.c, io, encver, C.int(when))
	failed := io.error != 0
	freeIO(io)
	log := b.s.srv.Log
	if rc != C.REDISMODULE_OK || failed {
		log.Warningf(msgAuxNotLoadable, t.name)
		return rdb.ErrShortRead
	}
	if eof, err := r.ReadLen(); err != nil || eof != rdb.ModuleOpEOF {
		log.Warningf(msgAuxNoEOF, t.name)
		return rdb.ErrShortRead
	}
	return nil
}

// AttachRDB installs the module hooks into the server's RDB persistence.
// Call it once persistence is enabled (module types created later need
// nothing more: the hooks look types up when they run).
func (s *System) AttachRDB(p *server.RDB) {
	if p == nil {
		return
	}
	br := rdbBridge{s}
	p.ModuleLoader = br
	p.ModuleSaver = br
}

// installTypeHooks wires what module data types need into the server the
// first time a type is created: the persistence hooks (when persistence is
// already enabled) and the DEBUG MODHOST-EMITAOF subcommand.
func (s *System) installTypeHooks() {
	if p, ok := s.srv.Persist.(*server.RDB); ok && p.ModuleSaver == nil {
		s.AttachRDB(p)
	}
	if s.typeHooksDone {
		return
	}
	s.typeHooksDone = true
	s.srv.RegisterDebug("modhost-emitaof", func(c *server.Client, a [][]byte) {
		if len(a) != 3 {
			c.Error("ERR wrong number of arguments for 'modhost-emitaof'")
			return
		}
		mv, ok := s.srv.Keys.Peek(c.DB, a[2]).(*keyspace.ModuleValue)
		if !ok {
			c.Error("ERR no module value at this key")
			return
		}
		out, err := s.RewriteModuleValue(c.DB, a[2], mv)
		if err != nil {
			c.Error("ERR " + err.Error())
			return
		}
		c.W.Bulk(out)
	})
}

// RewriteModuleValue runs the type's aof_rewrite callback for the value of
// key and returns the commands it emitted (RESP multibulk, back to back),
// which is what a BGREWRITEAOF writes for the key. An error means the
// callback failed (EmitAOF with an unknown command or format) or the type
// has no aof_rewrite.
func (s *System) RewriteModuleValue(db int, key []byte, mv *keyspace.ModuleValue) ([]byte, error) {
	t, ok := mv.Type.(*moduleType)
	if !ok {
		return nil, errors.New("not a module data type value")
	}
	if t.c.m.aof_rewrite == nil {
		return nil, fmt.Errorf("module type '%s' has no aof_rewrite callback", t.name)
	}
	io := newIO(t, C.MH_IO_AOF, key, db)
	defer freeIO(io)
	C.mh_type_call_rewrite(t.c, io, io.key, mv.Ptr)
	if io.error != 0 {
		return nil, fmt.Errorf("module type '%s' failed to rewrite %s", t.name, strings.TrimSpace(string(key)))
	}
	return ioOutput(io), nil
}
