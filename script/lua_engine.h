/* The C half of the scripting engine: a sandboxed Lua 5.1 state with the
 * redis library, and the conversions between Lua values and replies.
 * The lua_*.c files implement it (lua_internal.h lists who does what);
 * engine.go and function*.go drive it. */
#ifndef MH_LUA_ENGINE_H
#define MH_LUA_ENGINE_H

#include <stddef.h>
#include <stdint.h>

/* mh_buf is a growable byte buffer owned by C (malloc). */
typedef struct {
	char *p;
	size_t len, cap;
} mh_buf;

void mh_buf_put(mh_buf *b, const void *p, size_t n);
void mh_buf_free(mh_buf *b);

typedef struct mh_lua mh_lua;

/* Result kinds of mhs_call (Go): the reply's RESP bytes, or a script error
 * text (Redis's "-CODE msg" or bare "msg" form). */
enum { MH_CALL_REPLY = 0, MH_CALL_ERROR = 1 };

/* mh_lua_new_versioned makes a sandboxed state whose redis library
 * reports version; handle is passed back to Go in every mhs_* call. With
 * functions, the state also has the library-load API (FUNCTION LOAD). */
mh_lua *mh_lua_new_versioned(uintptr_t handle, const char *version, int version_num, int functions);
void mh_lua_close(mh_lua *e);

/* mh_lua_compile loads body as the function stored under name; on a
 * compile error it returns -1 with Lua's message in err. */
int mh_lua_compile(mh_lua *e, const char *name, const char *body, size_t len, const char *chunk, mh_buf *err);

/* mh_lua_run calls the function stored under name (or, with name NULL,
 * under the registry reference ref); label names it in error messages. With globals set,
 * KEYS and ARGV become globals (EVAL); otherwise they are passed as the
 * function's two arguments (FCALL). The reply goes to out in the tagged
 * form reply.go decodes. With hook, a count hook calls mhs_hook. */
void mh_lua_run(mh_lua *e, const char *name, int ref, const char *label, int nkeys, const char **keys, const size_t *klens,
		int nargs, const char **args, const size_t *alens, int globals, int hook, mh_buf *out);

/* mh_lua_load_library runs a library's code (the body after its shebang
 * line) with the load-time globals, so that its redis.register_function
 * calls reach Go (mhs_register_function); timeout_ms > 0 bounds the run.
 * On failure it returns -1 with Redis's error text in err. */
int mh_lua_load_library(mh_lua *e, const char *code, size_t len, int64_t timeout_ms, mh_buf *err);

/* mh_lua_unref drops a registered function (luaL_unref). */
void mh_lua_unref(mh_lua *e, int ref);

/* mh_lua_resp is the protocol redis.setresp chose for the current run. */
int mh_lua_resp(mh_lua *e);

/* mh_lua_memory is the memory the state uses, in bytes. */
size_t mh_lua_memory(mh_lua *e);

#endif
