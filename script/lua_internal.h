/* Declarations shared by the C files of the scripting engine (not by Go:
 * Go sees lua_engine.h). Every cross-file symbol is prefixed mhl_, since
 * the C of all cgo packages links into one binary. */
#ifndef MH_LUA_INTERNAL_H
#define MH_LUA_INTERNAL_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "lua_engine.h"

struct mh_lua {
	lua_State *L;
	uintptr_t handle;
	int resp;       /* redis.setresp of the running script */
	int functions;  /* the state of FUNCTION libraries (else EVAL's) */
};

#define REG_ENGINE "mh_engine"
#define REG_BACKING "mh_backing"
#define REG_LIBRARY_API "mh_library_api"
#define REG_LOADING "mh_loading"
#define MSG_READONLY "Attempt to modify a readonly table"

/* lua_buf.c */
void mhl_put_tag(mh_buf *b, char tag);
void mhl_put_i64(mh_buf *b, int64_t v);
void mhl_put_str(mh_buf *b, char tag, const char *s, size_t n);
mh_lua *mhl_engine_of(lua_State *L);

/* lua_sandbox.c */
void mhl_push_where(lua_State *L);
void mhl_push_error_table(lua_State *L, const char *s, size_t n);
int mhl_error_handler(lua_State *L);
int mhl_backing_of(lua_State *L, int idx);
int mhl_readonly_newindex(lua_State *L);
int mhl_globals_index(lua_State *L);
void mhl_make_proxy(lua_State *L, int globals);
void mhl_protect_fields(lua_State *L, int depth);
int mhl_sb_next(lua_State *L);
int mhl_sb_pairs(lua_State *L);
int mhl_sb_rawget(lua_State *L);
int mhl_sb_rawset(lua_State *L);
int mhl_sb_setmetatable(lua_State *L);
int mhl_sb_random(lua_State *L);
int mhl_sb_randomseed(lua_State *L);

/* lua_cmsgpack.c, lua_struct.c: Redis's cmsgpack and struct libraries */
int mhl_open_cmsgpack(lua_State *L);
int mhl_open_struct(lua_State *L);

/* lua_convert.c */
void mhl_push_resp(lua_State *L, const char **pp, const char *end);
void mhl_put_value(lua_State *L, mh_lua *e, mh_buf *out);

/* lua_redislib.c */
size_t mhl_format_number(char *buf, size_t cap, double d);
int mhl_raise_error(lua_State *L, const char *msg);
int mhl_sb_pcall(lua_State *L);
void mhl_set_int(lua_State *L, const char *name, int v);
int mhl_redis_log(lua_State *L);
void mhl_open_redis(lua_State *L, const char *version, int version_num);

/* lua_function.c */
void mhl_open_library_api(lua_State *L, const char *version, int version_num);

#endif
