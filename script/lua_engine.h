/* The C half of the scripting engine: a sandboxed Lua 5.1 state with the
 * redis library, and the conversions between Lua values and replies.
 * lua_engine.c implements it; engine.go drives it. */
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
 * reports version; handle is passed back to Go in every mhs_* call. */
mh_lua *mh_lua_new_versioned(uintptr_t handle, const char *version, int version_num);
void mh_lua_close(mh_lua *e);

/* mh_lua_compile loads body as the function stored under name; on a
 * compile error it returns -1 with Lua's message in err. */
int mh_lua_compile(mh_lua *e, const char *name, const char *body, size_t len, const char *chunk, mh_buf *err);

/* mh_lua_run calls the function stored under name. With globals set,
 * KEYS and ARGV become globals (EVAL); otherwise they are passed as the
 * function's two arguments (FCALL). The reply goes to out in the tagged
 * form reply.go decodes. With hook, a count hook calls mhs_hook. */
void mh_lua_run(mh_lua *e, const char *name, int nkeys, const char **keys, const size_t *klens,
		int nargs, const char **args, const size_t *alens, int globals, int hook, mh_buf *out);

/* mh_lua_resp is the protocol redis.setresp chose for the current run. */
int mh_lua_resp(mh_lua *e);

/* mh_lua_memory is the memory the state uses, in bytes. */
size_t mh_lua_memory(mh_lua *e);

#endif
