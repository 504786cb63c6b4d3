/* The FUNCTION side of the engine: the library-load API (a globals table
 * holding only redis.register_function, redis.log and the version
 * constants, as Redis 7 gives FUNCTION LOAD), loading a library's code
 * with the load timeout, and redis.register_function. Registered
 * functions live in the registry (luaL_ref); Go keeps the refs. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lua_internal.h"
#include "_cgo_export.h"

/* Script flags in the order of Redis's scripts_flags_def; the bit values
 * are script.scriptFlags' (eval.go). */
static const char *flag_names[] = {"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys", NULL};

/* read_flags reads the flags table on top of the stack into *flags. */
static int read_flags(lua_State *L, int *flags) {
	int f = 0;
	for (int j = 1;; j++) {
		lua_pushnumber(L, j);
		lua_gettable(L, -2);
		if (lua_isnil(L, -1)) {
			lua_pop(L, 1);
			break;
		}
		if (!lua_isstring(L, -1)) {
			lua_pop(L, 1);
			return -1;
		}
		const char *s = lua_tostring(L, -1);
		int found = 0;
		for (int i = 0; flag_names[i]; i++) {
			if (strcasecmp(s, flag_names[i]) == 0) {
				f |= 1 << i;
				found = 1;
				break;
			}
		}
		lua_pop(L, 1);
		if (!found) return -1;
	}
	*flags = f;
	return 0;
}

/* named_args reads the table form {function_name=, callback=,
 * description=, flags=}. It returns NULL or the error text. */
static const char *named_args(lua_State *L, const char **name, size_t *nlen, const char **desc, size_t *dlen,
		int *ref, int *flags) {
	if (!lua_istable(L, 1)) {
		return "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).";
	}
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		if (!lua_isstring(L, -2)) return "named argument key given to redis.register_function is not a string";
		const char *key = lua_tostring(L, -2);
		if (strcasecmp(key, "function_name") == 0) {
			if (!lua_isstring(L, -1)) return "function_name argument given to redis.register_function must be a string";
			*name = lua_tolstring(L, -1, nlen);
		} else if (strcasecmp(key, "description") == 0) {
			if (!lua_isstring(L, -1)) return "description argument given to redis.register_function must be a string";
			*desc = lua_tolstring(L, -1, dlen);
		} else if (strcasecmp(key, "callback") == 0) {
			if (!lua_isfunction(L, -1)) return "callback argument given to redis.register_function must be a function";
			if (*ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, *ref);
			*ref = luaL_ref(L, LUA_REGISTRYINDEX);
			continue; /* luaL_ref popped the value */
		} else if (strcasecmp(key, "flags") == 0) {
			if (!lua_istable(L, -1)) return "flags argument to redis.register_function must be a table representing function flags";
			if (read_flags(L, flags) != 0) return "unknown flag given";
		} else {
			return "unknown argument given to redis.register_function";
		}
		lua_pop(L, 1);
	}
	if (!*name) return "redis.register_function must get a function name argument";
	if (*ref == LUA_NOREF) return "redis.register_function must get a callback argument";
	return NULL;
}

/* register_function is redis.register_function (load time only). */
static int register_function(lua_State *L) {
	lua_getfield(L, LUA_REGISTRYINDEX, REG_LOADING);
	int loading = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (!loading) return mhl_raise_error(L, "redis.register_function can only be called on FUNCTION LOAD command");
	int argc = lua_gettop(L);
	if (argc < 1 || argc > 2) return mhl_raise_error(L, "wrong number of arguments to redis.register_function");
	const char *name = NULL, *desc = NULL, *msg = NULL;
	size_t nlen = 0, dlen = 0;
	int ref = LUA_NOREF, flags = 0;
	if (argc == 1) {
		msg = named_args(L, &name, &nlen, &desc, &dlen, &ref, &flags);
	} else if (!lua_isstring(L, 1)) {
		msg = "first argument to redis.register_function must be a string";
	} else if (!lua_isfunction(L, 2)) {
		msg = "second argument to redis.register_function must be a function";
	} else {
		name = lua_tolstring(L, 1, &nlen);
		lua_pushvalue(L, 2);
		ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	if (msg) {
		if (ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, ref);
		return mhl_raise_error(L, msg);
	}
	mh_buf err = {0};
	if (mhs_register_function(mhl_engine_of(L)->handle, (char *)name, nlen, (char *)desc, dlen, desc != NULL, flags, ref, &err)) {
		luaL_unref(L, LUA_REGISTRYINDEX, ref);
		lua_pushlstring(L, err.p ? err.p : "", err.len);
		mh_buf_free(&err);
		return mhl_raise_error(L, lua_tostring(L, -1));
	}
	return 0;
}

void mhl_open_library_api(lua_State *L, const char *version, int version_num) {
	lua_newtable(L); /* the load-time globals */
	lua_newtable(L); /* their redis table */
	lua_pushcfunction(L, register_function);
	lua_setfield(L, -2, "register_function");
	lua_pushcfunction(L, mhl_redis_log);
	lua_setfield(L, -2, "log");
	mhl_set_int(L, "LOG_DEBUG", 0);
	mhl_set_int(L, "LOG_VERBOSE", 1);
	mhl_set_int(L, "LOG_NOTICE", 2);
	mhl_set_int(L, "LOG_WARNING", 3);
	lua_pushstring(L, version);
	lua_setfield(L, -2, "REDIS_VERSION");
	mhl_set_int(L, "REDIS_VERSION_NUM", version_num);
	/* read-only, and a missing field is an error (luaSetErrorMetatable) */
	mhl_make_proxy(L, 1);
	lua_setfield(L, -2, "redis");
	lua_setfield(L, LUA_REGISTRYINDEX, REG_LIBRARY_API);
}

static int64_t now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t load_deadline; /* monotonic ms; 0 for none (one load at a time: the server lock) */

static void load_hook(lua_State *L, lua_Debug *ar) {
	(void)ar;
	if (load_deadline && now_ms() > load_deadline) {
		lua_sethook(L, load_hook, LUA_MASKLINE, 0);
		mhl_raise_error(L, "FUNCTION LOAD timeout");
	}
}

/* set_index sets the __index of the globals proxy to the value on top
 * (popped) and leaves the previous one on the stack. */
static void swap_globals_index(lua_State *L) {
	lua_getmetatable(L, LUA_GLOBALSINDEX);
	lua_getfield(L, -1, "__index");
	lua_insert(L, -3);         /* old, value, mt */
	lua_insert(L, -2);         /* old, mt, value */
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
}

int mh_lua_load_library(mh_lua *e, const char *code, size_t len, int64_t timeout_ms, mh_buf *err) {
	lua_State *L = e->L;
	int top = lua_gettop(L);
	lua_getfield(L, LUA_REGISTRYINDEX, REG_LIBRARY_API);
	lua_pushcclosure(L, mhl_globals_index, 1);
	swap_globals_index(L); /* the run-time __index is now on the stack */
	lua_pushboolean(L, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, REG_LOADING);
	int rc = 0;
	if (luaL_loadbuffer(L, code, len, "@user_function")) {
		static const char prefix[] = "Error compiling function: ";
		mh_buf_put(err, prefix, sizeof prefix - 1);
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		if (s) mh_buf_put(err, s, n);
		rc = -1;
	} else {
		load_deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
		lua_sethook(L, load_hook, LUA_MASKCOUNT, 100000);
		if (lua_pcall(L, 0, 0, 0)) {
			static const char prefix[] = "Error registering functions: ";
			mh_buf_put(err, prefix, sizeof prefix - 1);
			size_t n = 0;
			const char *s = NULL;
			if (lua_isstring(L, -1)) {
				mh_buf_put(err, "ERR ", 4);
				s = lua_tolstring(L, -1, &n);
			} else if (lua_istable(L, -1)) {
				lua_getfield(L, -1, "err");
				s = lua_tolstring(L, -1, &n);
			}
			if (s) mh_buf_put(err, s, n);
			rc = -1;
		}
		lua_sethook(L, NULL, 0, 0);
		load_deadline = 0;
	}
	lua_settop(L, top + 1);
	swap_globals_index(L);
	lua_settop(L, top);
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, REG_LOADING);
	return rc;
}

void mh_lua_unref(mh_lua *e, int ref) { luaL_unref(e->L, LUA_REGISTRYINDEX, ref); }
