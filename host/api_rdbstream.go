package host

// "RDB load/save API" (Redis 7.2): a module saves the whole dataset to an
// RDB file, or replaces the dataset with one, through an RdbStream naming
// the file. The format is the server's (keyspace/rdb, with the module
// types' rdb_save/rdb_load through the server's persistence hooks). This
// file exports to C, so its preamble only declares.

/*
#include <stdlib.h>
#include <errno.h>
#include "ctx.h"
void mh_key_invalidate(void);

struct RedisModuleRdbStream {
    char *filename;
};
*/
import "C"

import (
	"errors"
	"os"
	"syscall"
	"time"
	"unsafe"

	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/keyspace/rdb"
)

// apiRdbStreamCreateFromFile implements
// RedisModule_RdbStreamCreateFromFile: a stream naming filename (copied)
// for RdbLoad and RdbSave. The caller frees it with RdbStreamFree.
func apiRdbStreamCreateFromFile(filename *C.char) *C.RedisModuleRdbStream {
	s := (*C.RedisModuleRdbStream)(C.calloc(1, C.sizeof_struct_RedisModuleRdbStream))
	if filename != nil {
		s.filename = C.CString(C.GoString(filename))
	} else {
		s.filename = C.CString("")
	}
	return s
}

// apiRdbStreamFree implements RedisModule_RdbStreamFree: releases a
// stream from RdbStreamCreateFromFile (NULL is ignored).
func apiRdbStreamFree(stream *C.RedisModuleRdbStream) {
	if stream == nil {
		return
	}
	C.free(unsafe.Pointer(stream.filename))
	C.free(unsafe.Pointer(stream))
}

// apiRdbLoad implements RedisModule_RdbLoad: empties every database and
// loads the stream's file. flags must be 0. REDISMODULE_ERR with errno
// EINVAL (NULL stream or flags), ENOENT (no such file) or EIO (unreadable
// or corrupt file: the dataset is then whatever was loaded, as in Redis),
// ENOTSUP on a replica. As in Redis 7.2, replicas are dropped (they resync
// in full), the AOF is turned off around the load and a BGSAVE in flight is
// killed (Server.ModuleRdbLoadLocked).
// While the file loads, other clients are served as in Redis: commands
// without the loading flag get -LOADING, INFO shows loading:1, and the
// Loading and LoadingProgress events fire (server/loading.go).
func apiRdbLoad(ctx *C.RedisModuleCtx, stream *C.RedisModuleRdbStream, flags C.int, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	srv := serverFor(ctx)
	if stream == nil || flags != 0 || srv == nil {
		*mh_errno = C.EINVAL
		return rc
	}
	path := C.GoString(stream.filename)
	var errno C.int
	onReplica, _ := srv.ModuleRdbLoadLocked(func() error {
		errno = loadRdbStream(srv, path)
		return nil
	})
	if onReplica {
		*mh_errno = C.ENOTSUP
		return rc
	}
	if errno != 0 {
		*mh_errno = errno
		return rc
	}
	C.mh_key_invalidate()
	*mh_errno = 0 // Redis clears errno on success
	return C.REDISMODULE_OK
}

// loadRdbStream empties every database and loads path, returning 0 or the
// errno RM_RdbLoad reports (ENOENT, EIO).
func loadRdbStream(srv Server, path string) C.int {
	srv.Keyspace().FlushAll()
	C.mh_key_invalidate()
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return C.ENOENT
		}
		return C.EIO
	}
	opt := rdb.LoadOptions{
		VerifyChecksum: srv.Config().Bool("rdbchecksum"),
		NowMs:          time.Now().UnixMilli(),
		Notice:         func(m string) { srv.Logger().Noticef("%s", m) },
		Warning:        func(m string) { srv.Logger().Warningf("%s", m) },
	}
	_, opt.Modules = srv.RDBCodecs() // nil without persistence: module values cannot load
	// Other clients are served while it loads: -LOADING, or the reply of
	// a command allowed while loading (INFO, PING ...).
	opt.KeyDone = srv.StartLoadingLocked(int64(len(data)))
	_, err = rdb.Load(data, srv.Keyspace(), opt)
	srv.StopLoadingLocked(err)
	if err != nil {
		srv.Logger().Warningf("RdbLoad of %s failed: %v", path, err)
		return C.EIO
	}
	return 0
}

// apiRdbSave implements RedisModule_RdbSave: writes the whole dataset
// to the stream's file (replacing it; written directly, as Redis's
// rdbSaveToFile). flags must be 0. REDISMODULE_ERR with errno EINVAL
// (NULL stream or flags), or the system's errno of the failed write.
func apiRdbSave(ctx *C.RedisModuleCtx, stream *C.RedisModuleRdbStream, flags C.int, mh_errno *C.int) (rc C.int) {
	rc = C.REDISMODULE_ERR
	srv := serverFor(ctx)
	if stream == nil || flags != 0 || srv == nil {
		*mh_errno = C.EINVAL
		return rc
	}
	path := C.GoString(stream.filename)
	cfg := srv.Config()
	opt := rdb.Options{
		Version:  int(cfg.Int("rdb-version")),
		Compress: cfg.Bool("rdbcompression"),
		Checksum: cfg.Bool("rdbchecksum"),
		RedisVer: config.RedisVersion,
		ListFill: int(cfg.Int("list-max-listpack-size")),
	}
	opt.Modules, _ = srv.RDBCodecs() // nil without persistence: module values cannot save
	if err := saveFile(srv, path, opt); err != nil {
		srv.Logger().Warningf("RdbSave to %s failed: %v", path, err)
		*mh_errno = C.EIO
		var en syscall.Errno
		if errors.As(err, &en) {
			*mh_errno = C.int(en)
		}
		return rc
	}
	*mh_errno = 0 // Redis clears errno on success
	return C.REDISMODULE_OK
}

// saveFile encodes the live keyspace into path and fsyncs it.
func saveFile(srv Server, path string, opt rdb.Options) error {
	snap, err := rdb.TakeSnapshot(srv.Keyspace(), false, opt)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = rdb.Encode(f, snap, opt)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
