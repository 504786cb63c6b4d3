/* The redis library of scripts: call/pcall, the reply helpers, log,
 * setresp, set_repl, acl_check_cmd and the constants. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_internal.h"
#include "_cgo_export.h"

/* ---- the redis library ------------------------------------------------- */

/* mhl_format_number writes a Lua number argument as Redis does: integral
 * values below 1e17 in full, others in the shortest %g form that reads
 * back as the same double. */
size_t mhl_format_number(char *buf, size_t cap, double d) {
	if (d == floor(d) && fabs(d) < 1e17) return (size_t)snprintf(buf, cap, "%.0f", d);
	int n = 0;
	for (int prec = 1; prec <= 17; prec++) {
		n = snprintf(buf, cap, "%.*g", prec, d);
		if (strtod(buf, NULL) == d) break;
	}
	return (size_t)n;
}

/* mhl_raise_error raises {err="ERR msg"}, as the redis library does for bad
 * arguments (no position prefix, unlike luaL_error). */
int mhl_raise_error(lua_State *L, const char *msg) {
	mhl_push_error_table(L, msg, strlen(msg));
	return lua_error(L);
}

/* mhl_sb_pcall is the sandbox's pcall: an error table caught with a string
 * err field is returned as that string, as Redis 7 does. */
int mhl_sb_pcall(lua_State *L) {
	int argc = lua_gettop(L);
	luaL_checkany(L, 1);
	lua_pushboolean(L, 1);
	lua_insert(L, 1);
	if (lua_pcall(L, argc - 1, LUA_MULTRET, 0)) {
		lua_remove(L, 1);
		if (lua_istable(L, -1)) {
			lua_getfield(L, -1, "err");
			if (lua_isstring(L, -1)) {
				lua_replace(L, -2);
			} else {
				lua_pop(L, 1);
			}
		}
		lua_pushboolean(L, 0);
		lua_insert(L, 1);
	}
	return lua_gettop(L);
}

static int redis_command(lua_State *L, int raise) {
	mh_lua *e = mhl_engine_of(L);
	int argc = lua_gettop(L);
	if (argc == 0) {
		static const char msg[] = "Please specify at least one argument for this redis lib call";
		mhl_push_error_table(L, msg, sizeof msg - 1);
		return raise ? lua_error(L) : 1;
	}
	const char **argv = malloc(sizeof(char *) * (size_t)argc);
	size_t *lens = malloc(sizeof(size_t) * (size_t)argc);
	char *nums = malloc(64 * (size_t)argc);
	for (int j = 0; j < argc; j++) {
		int t = lua_type(L, j + 1);
		if (t == LUA_TNUMBER) {
			argv[j] = nums + 64 * j;
			lens[j] = mhl_format_number(nums + 64 * j, 64, lua_tonumber(L, j + 1));
		} else if (t == LUA_TSTRING) {
			argv[j] = lua_tolstring(L, j + 1, &lens[j]);
		} else {
			free(argv);
			free(lens);
			free(nums);
			static const char msg[] = "Lua redis lib command arguments must be strings or integers";
			mhl_push_error_table(L, msg, sizeof msg - 1);
			return raise ? lua_error(L) : 1;
		}
	}
	mh_buf reply = {0};
	int kind = mhs_call(e->handle, argc, (char **)argv, lens, &reply);
	free(argv);
	free(lens);
	free(nums);
	if (kind == MH_CALL_ERROR) {
		lua_pushlstring(L, reply.p ? reply.p : "", reply.len);
		mh_buf_free(&reply);
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		mhl_push_error_table(L, s, n);
		return raise ? lua_error(L) : 1;
	}
	const char *p = reply.p ? reply.p : "";
	int is_error = reply.len > 0 && p[0] == '-';
	mhl_push_resp(L, &p, p + reply.len);
	mh_buf_free(&reply);
	if (is_error && raise) return lua_error(L);
	return 1;
}

static int redis_call(lua_State *L) { return redis_command(L, 1); }
static int redis_pcall(lua_State *L) { return redis_command(L, 0); }

static int redis_sha1hex(lua_State *L) {
	if (lua_gettop(L) != 1) return mhl_raise_error(L, "wrong number of arguments");
	size_t n;
	const char *s = lua_tolstring(L, 1, &n);
	char hex[41];
	mhs_sha1hex((char *)(s ? s : ""), s ? n : 0, hex);
	lua_pushlstring(L, hex, 40);
	return 1;
}

static int reply_table(lua_State *L, const char *field) {
	if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
		return mhl_raise_error(L, "wrong number or type of arguments");
	}
	if (field[0] == 'e') {
		size_t n;
		const char *s = lua_tolstring(L, 1, &n);
		if (n > 0 && s[0] == '-') {
			mhl_push_error_table(L, s, n);
		} else {
			lua_pushliteral(L, "-");
			lua_pushvalue(L, 1);
			lua_concat(L, 2);
			s = lua_tolstring(L, -1, &n);
			mhl_push_error_table(L, s, n);
		}
		return 1;
	}
	lua_newtable(L);
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, field);
	return 1;
}

static int redis_error_reply(lua_State *L) { return reply_table(L, "err"); }
static int redis_status_reply(lua_State *L) { return reply_table(L, "ok"); }

int mhl_redis_log(lua_State *L) {
	int argc = lua_gettop(L);
	if (argc < 2) return mhl_raise_error(L, "redis.log() requires two arguments or more.");
	if (!lua_isnumber(L, 1)) return mhl_raise_error(L, "First argument must be a number (log level).");
	int level = (int)lua_tonumber(L, 1);
	if (level < 0 || level > 3) return mhl_raise_error(L, "Invalid debug level.");
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (int j = 2; j <= argc; j++) {
		size_t n;
		const char *s = lua_tolstring(L, j, &n);
		if (!s) continue; /* not a string or number: skipped, with its blank */
		if (j > 2) luaL_addchar(&b, ' ');
		luaL_addlstring(&b, s, n);
	}
	luaL_pushresult(&b);
	size_t n;
	const char *msg = lua_tolstring(L, -1, &n);
	mhs_log(mhl_engine_of(L)->handle, level, (char *)msg, n);
	return 0;
}

static int redis_setresp(lua_State *L) {
	if (lua_gettop(L) != 1) return mhl_raise_error(L, "redis.setresp() requires one argument.");
	int v = (int)lua_tonumber(L, 1);
	if (v != 2 && v != 3) return mhl_raise_error(L, "RESP version must be 2 or 3.");
	mhl_engine_of(L)->resp = v;
	return 0;
}

static int redis_set_repl(lua_State *L) {
	if (lua_gettop(L) != 1) return mhl_raise_error(L, "redis.set_repl() requires one argument.");
	int flags = (int)lua_tonumber(L, 1);
	if (flags & ~3) return mhl_raise_error(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
	mhs_set_repl(mhl_engine_of(L)->handle, flags);
	return 0;
}

static int redis_true(lua_State *L) {
	lua_pushboolean(L, 1);
	return 1;
}

static int redis_false(lua_State *L) {
	lua_pushboolean(L, 0);
	return 1;
}

static int redis_nothing(lua_State *L) {
	(void)L;
	return 0;
}

static int redis_acl_check_cmd(lua_State *L) {
	int argc = lua_gettop(L);
	if (argc == 0) return mhl_raise_error(L, "Please specify at least one argument for this redis lib call");
	const char **argv = malloc(sizeof(char *) * (size_t)argc);
	size_t *lens = malloc(sizeof(size_t) * (size_t)argc);
	for (int j = 0; j < argc; j++) {
		if (!lua_isstring(L, j + 1)) {
			free(argv);
			free(lens);
			return mhl_raise_error(L, "Lua redis lib command arguments must be strings or integers");
		}
		argv[j] = lua_tolstring(L, j + 1, &lens[j]);
	}
	int rc = mhs_acl_check(mhl_engine_of(L)->handle, argc, (char **)argv, lens);
	free(argv);
	free(lens);
	if (rc < 0) return mhl_raise_error(L, "Invalid command passed to redis.acl_check_cmd()");
	lua_pushboolean(L, rc);
	return 1;
}

void mhl_set_int(lua_State *L, const char *name, int v) {
	lua_pushinteger(L, v);
	lua_setfield(L, -2, name);
}

void mhl_open_redis(lua_State *L, const char *version, int version_num) {
	static const luaL_Reg fns[] = {
		{"call", redis_call},
		{"pcall", redis_pcall},
		{"sha1hex", redis_sha1hex},
		{"error_reply", redis_error_reply},
		{"status_reply", redis_status_reply},
		{"log", mhl_redis_log},
		{"setresp", redis_setresp},
		{"set_repl", redis_set_repl},
		{"replicate_commands", redis_true},
		{"breakpoint", redis_false},
		{"debug", redis_nothing},
		{"acl_check_cmd", redis_acl_check_cmd},
		{NULL, NULL},
	};
	lua_newtable(L);
	luaL_register(L, NULL, fns);
	mhl_set_int(L, "LOG_DEBUG", 0);
	mhl_set_int(L, "LOG_VERBOSE", 1);
	mhl_set_int(L, "LOG_NOTICE", 2);
	mhl_set_int(L, "LOG_WARNING", 3);
	mhl_set_int(L, "REPL_NONE", 0);
	mhl_set_int(L, "REPL_AOF", 1);
	mhl_set_int(L, "REPL_SLAVE", 2);
	mhl_set_int(L, "REPL_REPLICA", 2);
	mhl_set_int(L, "REPL_ALL", 3);
	lua_pushstring(L, version);
	lua_setfield(L, -2, "REDIS_VERSION");
	mhl_set_int(L, "REDIS_VERSION_NUM", version_num);
	lua_setglobal(L, "redis");
}
