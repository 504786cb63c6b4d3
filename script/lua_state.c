/* The Lua state: creation with the sandbox and libraries, compiling
 * scripts, and running one with the count hook. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_internal.h"
#include <lua-bitop.h>
#include <lua-cjson.h>
#include "_cgo_export.h"

/* ---- state ------------------------------------------------------------- */

static void open_lib(lua_State *L, const char *name, lua_CFunction fn) {
	lua_pushcfunction(L, fn);
	lua_pushstring(L, name);
	lua_call(L, 1, 0);
}

mh_lua *mh_lua_new_versioned(uintptr_t handle, const char *version, int version_num, int functions) {
	lua_State *L = luaL_newstate();
	if (!L) return NULL;
	mh_lua *e = calloc(1, sizeof *e);
	e->L = L;
	e->handle = handle;
	e->resp = 2;
	e->functions = functions;
	lua_pushlightuserdata(L, e);
	lua_setfield(L, LUA_REGISTRYINDEX, REG_ENGINE);
	lua_newtable(L);
	lua_newtable(L);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_setfield(L, LUA_REGISTRYINDEX, REG_BACKING);

	open_lib(L, "", luaopen_base);
	open_lib(L, LUA_TABLIBNAME, luaopen_table);
	open_lib(L, LUA_STRLIBNAME, luaopen_string);
	open_lib(L, LUA_MATHLIBNAME, luaopen_math);
	open_lib(L, "bit", luaopen_bit);
	lua_pushcfunction(L, luaopen_cjson);
	lua_call(L, 0, 1);
	lua_setglobal(L, "cjson");
	open_lib(L, "struct", mhl_open_struct);
	open_lib(L, "cmsgpack", mhl_open_cmsgpack);
	mhl_open_redis(L, version, version_num);

	/* what Redis leaves out of the base library */
	static const char *removed[] = {"print", "loadfile", "dofile", "getfenv", "setfenv", "newproxy", "require", "module", NULL};
	for (const char **r = removed; *r; r++) {
		lua_pushnil(L);
		lua_setglobal(L, *r);
	}
	lua_getglobal(L, "math");
	lua_pushcfunction(L, mhl_sb_random);
	lua_setfield(L, -2, "random");
	lua_pushcfunction(L, mhl_sb_randomseed);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);
	lua_pushcfunction(L, mhl_sb_next);
	lua_pushvalue(L, -1);
	lua_setglobal(L, "next");
	lua_pushcclosure(L, mhl_sb_pairs, 1);
	lua_setglobal(L, "pairs");
	lua_pushcfunction(L, mhl_sb_rawget);
	lua_setglobal(L, "rawget");
	lua_pushcfunction(L, mhl_sb_rawset);
	lua_setglobal(L, "rawset");
	lua_pushcfunction(L, mhl_sb_setmetatable);
	lua_setglobal(L, "setmetatable");
	lua_pushcfunction(L, mhl_sb_pcall);
	lua_setglobal(L, "pcall");
	lua_pushcfunction(L, mhl_error_handler);
	lua_setfield(L, LUA_REGISTRYINDEX, "mh_errh");

	if (functions) mhl_open_library_api(L, version, version_num);

	/* protect the globals and every table reachable from them */
	lua_pushvalue(L, LUA_GLOBALSINDEX);
	mhl_protect_fields(L, 0);
	lua_pushvalue(L, -1);
	mhl_make_proxy(L, 1);
	/* the backing's _G names the proxy */
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, "_G");
	/* strings index the protected string table */
	lua_getfield(L, -2, "string");
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushvalue(L, -3);
		lua_setfield(L, -2, "__index");
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
	lua_replace(L, LUA_GLOBALSINDEX);
	lua_pop(L, 1);
	return e;
}

void mh_lua_close(mh_lua *e) {
	if (!e) return;
	lua_close(e->L);
	free(e);
}

int mh_lua_resp(mh_lua *e) { return e->resp; }

size_t mh_lua_memory(mh_lua *e) { return (size_t)lua_gc(e->L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(e->L, LUA_GCCOUNTB, 0); }

int mh_lua_compile(mh_lua *e, const char *name, const char *body, size_t len, const char *chunk, mh_buf *err) {
	lua_State *L = e->L;
	if (luaL_loadbuffer(L, body, len, chunk)) {
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		if (s) mh_buf_put(err, s, n);
		lua_pop(L, 1);
		return -1;
	}
	lua_setfield(L, LUA_REGISTRYINDEX, name);
	return 0;
}

/* count_hook lets Go serve other clients while a long script runs, and
 * stops the script when SCRIPT KILL asked for it. */
static void count_hook(lua_State *L, lua_Debug *ar) {
	(void)ar;
	mh_lua *e = mhl_engine_of(L);
	mh_buf msg = {0};
	if (mhs_hook(e->handle, &msg)) {
		lua_sethook(L, count_hook, LUA_MASKLINE, 0); /* fire again on the next line too */
		mhl_push_error_table(L, msg.p, msg.len);
		mh_buf_free(&msg);
		lua_error(L);
	}
	mh_buf_free(&msg);
}

static void push_array(lua_State *L, int n, const char **v, const size_t *lens) {
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushlstring(L, v[i], lens[i]);
		lua_rawseti(L, -2, i + 1);
	}
}

/* set_global sets a global in the backing table of the protected globals. */
static void set_global(lua_State *L, const char *name) {
	lua_pushvalue(L, LUA_GLOBALSINDEX);
	if (mhl_backing_of(L, -1)) {
		lua_pushvalue(L, -3);
		lua_setfield(L, -2, name);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

void mh_lua_run(mh_lua *e, const char *name, int ref, const char *label, int nkeys, const char **keys, const size_t *klens,
		int nargs, const char **args, const size_t *alens, int globals, int hook, mh_buf *out) {
	lua_State *L = e->L;
	e->resp = 2;
	lua_getfield(L, LUA_REGISTRYINDEX, "mh_errh");
	int base = lua_gettop(L);
	if (name) {
		lua_getfield(L, LUA_REGISTRYINDEX, name);
	} else {
		lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	}
	if (!lua_isfunction(L, -1)) {
		lua_settop(L, base - 1);
		static const char msg[] = "NOSCRIPT No matching script. Please use EVAL.";
		mhl_put_str(out, 'E', msg, sizeof msg - 1);
		return;
	}
	if (hook) lua_sethook(L, count_hook, LUA_MASKCOUNT, 100000);
	push_array(L, nkeys, keys, klens);
	push_array(L, nargs, args, alens);
	int err;
	if (globals) {
		lua_pushvalue(L, -1);
		set_global(L, "ARGV");
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		set_global(L, "KEYS");
		lua_pop(L, 1);
		err = lua_pcall(L, 0, 1, base);
	} else {
		err = lua_pcall(L, 2, 1, base);
	}
	if (hook) lua_sethook(L, NULL, 0, 0);
	if (!err) {
		mhl_put_value(L, e, out);
	} else if (lua_type(L, -1) == LUA_TTABLE) {
		lua_getfield(L, -1, "err");
		lua_getfield(L, -2, "source");
		lua_getfield(L, -3, "line");
		const char *msg = lua_tostring(L, -3);
		if (!msg) msg = "";
		if (lua_isstring(L, -2) && lua_isnumber(L, -1)) {
			lua_pushfstring(L, "%s script: %s, on %s:%d.", msg, label, lua_tostring(L, -2), (int)lua_tonumber(L, -1));
		} else {
			lua_pushstring(L, msg);
		}
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		mhl_put_str(out, 'E', s, n);
		lua_pop(L, 5);
	} else {
		const char *msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
		const char *fn = label;
		lua_pushfstring(L, "ERR Error running script %s, %s", fn, msg);
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		mhl_put_str(out, 'E', s, n > 120 + strlen(fn) ? 120 + strlen(fn) : n);
		lua_pop(L, 2);
	}
	lua_settop(L, base - 1);
}
