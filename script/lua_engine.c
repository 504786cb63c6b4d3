/* Sandboxed Lua 5.1 for EVAL and FCALL: state set-up, protected globals,
 * the redis library and the conversions between Lua values and replies.
 * Everything that touches the server is a call into Go (the mhs_*
 * exports of export.go); errors raised here never cross a Go frame. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <lua-bitop.h>
#include <lua-cjson.h>

#include "lua_engine.h"
#include "_cgo_export.h"

struct mh_lua {
	lua_State *L;
	uintptr_t handle;
	int resp; /* redis.setresp of the running script */
};

#define REG_ENGINE "mh_engine"
#define REG_BACKING "mh_backing"
#define MSG_READONLY "Attempt to modify a readonly table"

/* ---- buffers ---------------------------------------------------------- */

void mh_buf_put(mh_buf *b, const void *p, size_t n) {
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + n) cap *= 2;
		b->p = realloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void mh_buf_free(mh_buf *b) {
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static void put_tag(mh_buf *b, char tag) { mh_buf_put(b, &tag, 1); }
static void put_i64(mh_buf *b, int64_t v) { mh_buf_put(b, &v, sizeof v); }
static void put_str(mh_buf *b, char tag, const char *s, size_t n) {
	put_tag(b, tag);
	put_i64(b, (int64_t)n);
	mh_buf_put(b, s, n);
}

static mh_lua *engine_of(lua_State *L) {
	lua_getfield(L, LUA_REGISTRYINDEX, REG_ENGINE);
	mh_lua *e = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return e;
}

/* ---- errors ----------------------------------------------------------- */

/* push_where pushes "chunk:line: " of the innermost Lua function running,
 * skipping the C functions (metamethods) above it. */
static void push_where(lua_State *L) {
	lua_Debug ar;
	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline > 0) {
			lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
			return;
		}
	}
	lua_pushliteral(L, "");
}

/* push_error_table pushes {err="CODE msg"} from a text in Redis's two
 * forms: "-CODE msg" keeps its code, anything else gets "ERR". */
static void push_error_table(lua_State *L, const char *s, size_t n) {
	const char *code = "ERR";
	size_t code_len = 3;
	if (n > 0 && s[0] == '-') {
		const char *sp = memchr(s, ' ', n);
		if (sp) {
			code = s + 1;
			code_len = (size_t)(sp - s - 1);
			n -= (size_t)(sp + 1 - s);
			s = sp + 1;
		} else {
			s++;
			n--;
		}
	}
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
	lua_newtable(L);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	luaL_addlstring(&b, code, code_len);
	luaL_addchar(&b, ' ');
	luaL_addlstring(&b, s, n);
	luaL_pushresult(&b);
	lua_setfield(L, -2, "err");
}

/* error_handler is the message handler of every script call: a non
 * table error becomes {err="ERR <text>"}, and the table gets the source
 * and line of the function that raised it (its Lua caller when that was a
 * C function such as error). */
static int error_handler(lua_State *L) {
	lua_settop(L, 1);
	if (lua_type(L, 1) != LUA_TTABLE) {
		lua_newtable(L);
		switch (lua_type(L, 1)) {
		case LUA_TSTRING:
		case LUA_TNUMBER:
			lua_pushfstring(L, "ERR %s", lua_tostring(L, 1));
			break;
		case LUA_TNIL:
			lua_pushliteral(L, "ERR nil");
			break;
		case LUA_TBOOLEAN:
			lua_pushstring(L, lua_toboolean(L, 1) ? "ERR true" : "ERR false");
			break;
		default:
			lua_pushfstring(L, "ERR %s: %p", luaL_typename(L, 1), lua_topointer(L, 1));
		}
		lua_setfield(L, -2, "err");
		lua_replace(L, 1);
	}
	lua_Debug ar;
	int found = lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar);
	if (found && strcmp(ar.what, "C") == 0) found = lua_getstack(L, 2, &ar) && lua_getinfo(L, "Sl", &ar);
	if (found) {
		lua_pushstring(L, ar.source);
		lua_setfield(L, 1, "source");
		lua_pushinteger(L, ar.currentline);
		lua_setfield(L, 1, "line");
	}
	return 1;
}

/* ---- protected tables -------------------------------------------------- */

/* Stock Lua 5.1 has no read-only tables, so a protected table is an empty
 * proxy whose metatable reads through to the real (backing) table and
 * refuses every write. next/pairs/rawget see through proxies; rawset and
 * setmetatable refuse them. */

static int backing_of(lua_State *L, int idx) {
	if (lua_type(L, idx) != LUA_TTABLE) return 0;
	lua_getfield(L, LUA_REGISTRYINDEX, REG_BACKING);
	lua_pushvalue(L, idx > 0 || idx <= LUA_REGISTRYINDEX ? idx : idx - 1);
	lua_rawget(L, -2);
	lua_remove(L, -2);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	return 1; /* the backing table is on the stack */
}

static int readonly_newindex(lua_State *L) {
	push_where(L);
	lua_pushliteral(L, MSG_READONLY);
	lua_concat(L, 2);
	return lua_error(L);
}

static int globals_index(lua_State *L) {
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	if (!lua_isnil(L, -1)) return 1;
	if (!lua_isstring(L, 2)) return luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
	push_where(L);
	lua_pushfstring(L, "Script attempted to access nonexistent global variable '%s'", lua_tostring(L, 2));
	lua_concat(L, 2);
	return lua_error(L);
}

/* make_proxy replaces the table on top of the stack with its proxy. */
static void make_proxy(lua_State *L, int globals) {
	int backing = lua_gettop(L);
	lua_newtable(L); /* proxy */
	lua_newtable(L); /* metatable */
	lua_pushvalue(L, backing);
	if (globals) lua_pushcclosure(L, globals_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, readonly_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_getfield(L, LUA_REGISTRYINDEX, REG_BACKING);
	lua_pushvalue(L, -2);
	lua_pushvalue(L, backing);
	lua_rawset(L, -3);
	lua_pop(L, 1);
	lua_replace(L, backing);
}

/* protect_fields turns every table field of the table on top (a backing
 * table) into its proxy, recursively, skipping self references. */
static void protect_fields(lua_State *L, int depth) {
	int t = lua_gettop(L);
	if (depth > 8) return;
	lua_newtable(L); /* keys to replace */
	int keys = lua_gettop(L), n = 0;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		if (lua_type(L, -1) == LUA_TTABLE && !lua_rawequal(L, -1, t)) {
			if (backing_of(L, -1)) {
				lua_pop(L, 1); /* already a proxy */
			} else {
				lua_pushvalue(L, -2);
				lua_rawseti(L, keys, ++n);
			}
		}
		lua_pop(L, 1);
	}
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, keys, i);
		lua_pushvalue(L, -1);
		lua_rawget(L, t);
		protect_fields(L, depth + 1);
		make_proxy(L, 0);
		lua_rawset(L, t);
	}
	lua_pop(L, 1);
}

static int sb_next(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	if (backing_of(L, 1)) lua_replace(L, 1);
	return lua_next(L, 1) ? 2 : (lua_pushnil(L), 1);
}

static int sb_pairs(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static int sb_rawget(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	lua_settop(L, 2);
	if (backing_of(L, 1)) lua_replace(L, 1);
	lua_rawget(L, 1);
	return 1;
}

static int sb_rawset(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	luaL_checkany(L, 3);
	if (backing_of(L, 1)) {
		lua_pushliteral(L, MSG_READONLY);
		return lua_error(L);
	}
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 1;
}

static int sb_setmetatable(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	if (backing_of(L, 1)) {
		lua_pushliteral(L, MSG_READONLY);
		return lua_error(L);
	}
	int t = lua_type(L, 2);
	luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
	if (luaL_getmetafield(L, 1, "__metatable")) return luaL_error(L, "cannot change a protected metatable");
	lua_settop(L, 2);
	lua_setmetatable(L, 1);
	return 1;
}

/* ---- math.random: the POSIX 48-bit generator, as Redis's own ----------- */

static uint64_t rand48_state = 0x1234ABCD330EULL; /* the generator's state before any seed */

static void rand48_seed(int32_t seed) { rand48_state = ((uint64_t)(uint32_t)seed << 16) | 0x330E; }

static int32_t rand48_next(void) {
	rand48_state = (rand48_state * 0x5DEECE66DULL + 0xB) & ((1ULL << 48) - 1);
	return (int32_t)(rand48_state >> 17);
}

static int sb_random(lua_State *L) {
	lua_Number r = (lua_Number)(rand48_next() % 2147483647) / (lua_Number)2147483647;
	switch (lua_gettop(L)) {
	case 0:
		lua_pushnumber(L, r);
		break;
	case 1: {
		int u = luaL_checkint(L, 1);
		luaL_argcheck(L, 1 <= u, 1, "interval is empty");
		lua_pushnumber(L, floor(r * u) + 1);
		break;
	}
	case 2: {
		int l = luaL_checkint(L, 1), u = luaL_checkint(L, 2);
		luaL_argcheck(L, l <= u, 2, "interval is empty");
		lua_pushnumber(L, floor(r * (u - l + 1)) + l);
		break;
	}
	default:
		return luaL_error(L, "wrong number of arguments");
	}
	return 1;
}

static int sb_randomseed(lua_State *L) {
	rand48_seed(luaL_checkint(L, 1));
	return 0;
}

/* ---- RESP reply -> Lua value ------------------------------------------- */

static const char *resp_line(const char *p, const char *end, const char **eol) {
	const char *q = p;
	while (q + 1 < end && !(q[0] == '\r' && q[1] == '\n')) q++;
	*eol = q;
	return q + 2 <= end ? q + 2 : end;
}

/* push_resp pushes the value of the RESP reply at *pp and advances it. */
static void push_resp(lua_State *L, const char **pp, const char *end) {
	const char *p = *pp, *eol;
	if (p >= end) {
		lua_pushnil(L);
		return;
	}
	luaL_checkstack(L, 5, "reached lua stack limit");
	char type = *p++;
	const char *next = resp_line(p, end, &eol);
	long long n = strtoll(p, NULL, 10);
	switch (type) {
	case '+':
		lua_newtable(L);
		lua_pushlstring(L, p, (size_t)(eol - p));
		lua_setfield(L, -2, "ok");
		break;
	case '-':
		push_error_table(L, p - 1, (size_t)(eol - p + 1));
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "ignore_error_stats_update");
		break;
	case ':':
		lua_pushnumber(L, (lua_Number)n);
		break;
	case '$':
	case '=':
		if (n < 0) {
			lua_pushboolean(L, 0);
			break;
		}
		if (type == '$') {
			lua_pushlstring(L, next, (size_t)n);
		} else {
			lua_newtable(L);
			lua_newtable(L);
			lua_pushlstring(L, next, n >= 3 ? 3 : (size_t)n);
			lua_setfield(L, -2, "format");
			lua_pushlstring(L, n >= 4 ? next + 4 : next, n >= 4 ? (size_t)n - 4 : 0);
			lua_setfield(L, -2, "string");
			lua_setfield(L, -2, "verbatim_string");
		}
		next += n + 2;
		break;
	case '*':
	case '~':
	case '%':
	case '>':
		if (n < 0) {
			lua_pushboolean(L, 0);
			break;
		}
		*pp = next;
		lua_newtable(L);
		if (type == '~' || type == '%') {
			lua_newtable(L);
		}
		for (long long i = 0; i < n; i++) {
			if (type == '%') {
				push_resp(L, pp, end);
				push_resp(L, pp, end);
				lua_settable(L, -3);
			} else if (type == '~') {
				push_resp(L, pp, end);
				lua_pushboolean(L, 1);
				lua_settable(L, -3);
			} else {
				push_resp(L, pp, end);
				lua_rawseti(L, -2, (int)i + 1);
			}
		}
		if (type == '~' || type == '%') lua_setfield(L, -2, type == '~' ? "set" : "map");
		return;
	case '_':
		lua_pushnil(L);
		break;
	case '#':
		lua_pushboolean(L, *p == 't');
		break;
	case ',': {
		char tmp[64];
		size_t len = (size_t)(eol - p) < sizeof tmp - 1 ? (size_t)(eol - p) : sizeof tmp - 1;
		memcpy(tmp, p, len);
		tmp[len] = 0;
		lua_newtable(L);
		lua_pushnumber(L, strtod(tmp, NULL));
		lua_setfield(L, -2, "double");
		break;
	}
	case '(':
		lua_newtable(L);
		lua_pushlstring(L, p, (size_t)(eol - p));
		lua_setfield(L, -2, "big_number");
		break;
	case '|':
		/* attributes are dropped: skip the map, then read the value */
		*pp = next;
		for (long long i = 0; i < 2 * n; i++) {
			push_resp(L, pp, end);
			lua_pop(L, 1);
		}
		push_resp(L, pp, end);
		return;
	default:
		lua_pushnil(L);
	}
	*pp = next;
}

/* ---- Lua value -> tagged reply (decoded by reply.go) --------------------- */

static void put_value(lua_State *L, mh_lua *e, mh_buf *out);

/* put_error writes the error of the err table on top (consumed). */
static void put_error_field(lua_State *L, mh_buf *out) {
	lua_getfield(L, -1, "err");
	size_t n;
	const char *s = lua_tolstring(L, -1, &n);
	put_str(out, 'E', s, n);
	lua_pop(L, 1);
}

/* table_field pushes t[name] (raw) and returns its type. */
static int table_field(lua_State *L, const char *name) {
	lua_pushstring(L, name);
	lua_rawget(L, -2);
	return lua_type(L, -1);
}

static void put_table(lua_State *L, mh_lua *e, mh_buf *out) {
	if (table_field(L, "err") == LUA_TSTRING) {
		lua_pop(L, 1);
		put_error_field(L, out);
		return;
	}
	lua_pop(L, 1);
	if (table_field(L, "ok") == LUA_TSTRING) {
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		put_str(out, 'O', s, n);
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	if (table_field(L, "double") == LUA_TNUMBER) {
		double d = lua_tonumber(L, -1);
		put_tag(out, 'D');
		mh_buf_put(out, &d, sizeof d);
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	if (table_field(L, "big_number") == LUA_TSTRING) {
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		put_str(out, 'G', s, n);
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	if (table_field(L, "verbatim_string") == LUA_TTABLE) {
		lua_pushliteral(L, "format");
		lua_rawget(L, -2);
		lua_pushliteral(L, "string");
		lua_rawget(L, -3);
		if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
			size_t fn, sn;
			const char *f = lua_tolstring(L, -2, &fn);
			const char *s = lua_tolstring(L, -1, &sn);
			put_str(out, 'V', f, fn);
			put_i64(out, (int64_t)sn);
			mh_buf_put(out, s, sn);
			lua_pop(L, 3);
			return;
		}
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
	int kind = table_field(L, "map") == LUA_TTABLE ? 'M' : 0;
	if (!kind) {
		lua_pop(L, 1);
		kind = table_field(L, "set") == LUA_TTABLE ? 'S' : 0;
	}
	if (kind) {
		put_tag(out, (char)kind);
		size_t mark = out->len;
		put_i64(out, 0);
		int64_t count = 0;
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (kind == 'M') {
				lua_pushvalue(L, -2);
				put_value(L, e, out); /* key */
				put_value(L, e, out); /* value */
			} else {
				lua_pop(L, 1);
				lua_pushvalue(L, -1);
				put_value(L, e, out);
			}
			count++;
		}
		memcpy(out->p + mark, &count, sizeof count);
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	put_tag(out, 'A');
	size_t mark = out->len;
	put_i64(out, 0);
	int64_t count = 0;
	for (int j = 1;; j++) {
		lua_rawgeti(L, -1, j);
		if (lua_isnil(L, -1)) {
			lua_pop(L, 1);
			break;
		}
		put_value(L, e, out);
		count++;
	}
	memcpy(out->p + mark, &count, sizeof count);
}

/* put_value writes the value on top of the stack and pops it. */
static void put_value(lua_State *L, mh_lua *e, mh_buf *out) {
	if (!lua_checkstack(L, 4)) {
		static const char msg[] = "ERR reached lua stack limit";
		put_str(out, 'E', msg, sizeof msg - 1);
		lua_pop(L, 1);
		return;
	}
	switch (lua_type(L, -1)) {
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		put_str(out, 'B', s, n);
		break;
	}
	case LUA_TBOOLEAN:
		if (e->resp == 2) {
			if (lua_toboolean(L, -1)) {
				put_tag(out, 'I');
				put_i64(out, 1);
			} else {
				put_tag(out, 'N');
			}
		} else {
			put_tag(out, lua_toboolean(L, -1) ? 'T' : 'F');
		}
		break;
	case LUA_TNUMBER:
		put_tag(out, 'I');
		put_i64(out, (int64_t)(long long)lua_tonumber(L, -1));
		break;
	case LUA_TTABLE:
		put_table(L, e, out);
		break;
	default:
		put_tag(out, 'N');
	}
	lua_pop(L, 1);
}

/* ---- the redis library ------------------------------------------------- */

/* format_number writes a Lua number argument as Redis does: integral
 * values below 1e17 in full, others in the shortest %g form that reads
 * back as the same double. */
static size_t format_number(char *buf, size_t cap, double d) {
	if (d == floor(d) && fabs(d) < 1e17) return (size_t)snprintf(buf, cap, "%.0f", d);
	int n = 0;
	for (int prec = 1; prec <= 17; prec++) {
		n = snprintf(buf, cap, "%.*g", prec, d);
		if (strtod(buf, NULL) == d) break;
	}
	return (size_t)n;
}

/* raise_error raises {err="ERR msg"}, as the redis library does for bad
 * arguments (no position prefix, unlike luaL_error). */
static int raise_error(lua_State *L, const char *msg) {
	push_error_table(L, msg, strlen(msg));
	return lua_error(L);
}

/* sb_pcall is the sandbox's pcall: an error table caught with a string
 * err field is returned as that string, as Redis 7 does. */
static int sb_pcall(lua_State *L) {
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
	mh_lua *e = engine_of(L);
	int argc = lua_gettop(L);
	if (argc == 0) {
		static const char msg[] = "Please specify at least one argument for this redis lib call";
		push_error_table(L, msg, sizeof msg - 1);
		return raise ? lua_error(L) : 1;
	}
	const char **argv = malloc(sizeof(char *) * (size_t)argc);
	size_t *lens = malloc(sizeof(size_t) * (size_t)argc);
	char *nums = malloc(64 * (size_t)argc);
	for (int j = 0; j < argc; j++) {
		int t = lua_type(L, j + 1);
		if (t == LUA_TNUMBER) {
			argv[j] = nums + 64 * j;
			lens[j] = format_number(nums + 64 * j, 64, lua_tonumber(L, j + 1));
		} else if (t == LUA_TSTRING) {
			argv[j] = lua_tolstring(L, j + 1, &lens[j]);
		} else {
			free(argv);
			free(lens);
			free(nums);
			static const char msg[] = "Lua redis lib command arguments must be strings or integers";
			push_error_table(L, msg, sizeof msg - 1);
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
		push_error_table(L, s, n);
		return raise ? lua_error(L) : 1;
	}
	const char *p = reply.p ? reply.p : "";
	int is_error = reply.len > 0 && p[0] == '-';
	push_resp(L, &p, p + reply.len);
	mh_buf_free(&reply);
	if (is_error && raise) return lua_error(L);
	return 1;
}

static int redis_call(lua_State *L) { return redis_command(L, 1); }
static int redis_pcall(lua_State *L) { return redis_command(L, 0); }

static int redis_sha1hex(lua_State *L) {
	if (lua_gettop(L) != 1) return raise_error(L, "wrong number of arguments");
	size_t n;
	const char *s = lua_tolstring(L, 1, &n);
	char hex[41];
	mhs_sha1hex((char *)(s ? s : ""), s ? n : 0, hex);
	lua_pushlstring(L, hex, 40);
	return 1;
}

static int reply_table(lua_State *L, const char *field) {
	if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
		return raise_error(L, "wrong number or type of arguments");
	}
	if (field[0] == 'e') {
		size_t n;
		const char *s = lua_tolstring(L, 1, &n);
		if (n > 0 && s[0] == '-') {
			push_error_table(L, s, n);
		} else {
			lua_pushliteral(L, "-");
			lua_pushvalue(L, 1);
			lua_concat(L, 2);
			s = lua_tolstring(L, -1, &n);
			push_error_table(L, s, n);
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

static int redis_log(lua_State *L) {
	int argc = lua_gettop(L);
	if (argc < 2) return raise_error(L, "redis.log() requires two arguments or more.");
	if (!lua_isnumber(L, 1)) return raise_error(L, "First argument must be a number (log level).");
	int level = (int)lua_tonumber(L, 1);
	if (level < 0 || level > 3) return raise_error(L, "Invalid debug level.");
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (int j = 2; j <= argc; j++) {
		if (j > 2) luaL_addchar(&b, ' ');
		size_t n;
		const char *s = lua_tolstring(L, j, &n);
		if (s) luaL_addlstring(&b, s, n);
	}
	luaL_pushresult(&b);
	size_t n;
	const char *msg = lua_tolstring(L, -1, &n);
	mhs_log(engine_of(L)->handle, level, (char *)msg, n);
	return 0;
}

static int redis_setresp(lua_State *L) {
	if (lua_gettop(L) != 1) return raise_error(L, "redis.setresp() requires one argument.");
	int v = (int)lua_tonumber(L, 1);
	if (v != 2 && v != 3) return raise_error(L, "RESP version must be 2 or 3.");
	engine_of(L)->resp = v;
	return 0;
}

static int redis_set_repl(lua_State *L) {
	if (lua_gettop(L) != 1) return raise_error(L, "redis.set_repl() requires one argument.");
	int flags = (int)lua_tonumber(L, 1);
	if (flags & ~3) return raise_error(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
	mhs_set_repl(engine_of(L)->handle, flags);
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
	if (argc == 0) return raise_error(L, "Please specify at least one argument for this redis lib call");
	const char **argv = malloc(sizeof(char *) * (size_t)argc);
	size_t *lens = malloc(sizeof(size_t) * (size_t)argc);
	for (int j = 0; j < argc; j++) {
		if (!lua_isstring(L, j + 1)) {
			free(argv);
			free(lens);
			return raise_error(L, "Lua redis lib command arguments must be strings or integers");
		}
		argv[j] = lua_tolstring(L, j + 1, &lens[j]);
	}
	int rc = mhs_acl_check(engine_of(L)->handle, argc, (char **)argv, lens);
	free(argv);
	free(lens);
	if (rc < 0) return raise_error(L, "Invalid command passed to redis.acl_check_cmd()");
	lua_pushboolean(L, rc);
	return 1;
}

static void set_int(lua_State *L, const char *name, int v) {
	lua_pushinteger(L, v);
	lua_setfield(L, -2, name);
}

static void open_redis(lua_State *L, const char *version, int version_num) {
	static const luaL_Reg fns[] = {
		{"call", redis_call},
		{"pcall", redis_pcall},
		{"sha1hex", redis_sha1hex},
		{"error_reply", redis_error_reply},
		{"status_reply", redis_status_reply},
		{"log", redis_log},
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
	set_int(L, "LOG_DEBUG", 0);
	set_int(L, "LOG_VERBOSE", 1);
	set_int(L, "LOG_NOTICE", 2);
	set_int(L, "LOG_WARNING", 3);
	set_int(L, "REPL_NONE", 0);
	set_int(L, "REPL_AOF", 1);
	set_int(L, "REPL_SLAVE", 2);
	set_int(L, "REPL_REPLICA", 2);
	set_int(L, "REPL_ALL", 3);
	lua_pushstring(L, version);
	lua_setfield(L, -2, "REDIS_VERSION");
	set_int(L, "REDIS_VERSION_NUM", version_num);
	lua_setglobal(L, "redis");
}

/* ---- state ------------------------------------------------------------- */

static void open_lib(lua_State *L, const char *name, lua_CFunction fn) {
	lua_pushcfunction(L, fn);
	lua_pushstring(L, name);
	lua_call(L, 1, 0);
}

mh_lua *mh_lua_new_versioned(uintptr_t handle, const char *version, int version_num) {
	lua_State *L = luaL_newstate();
	if (!L) return NULL;
	mh_lua *e = calloc(1, sizeof *e);
	e->L = L;
	e->handle = handle;
	e->resp = 2;
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
	open_redis(L, version, version_num);

	/* what Redis leaves out of the base library */
	static const char *removed[] = {"print", "loadfile", "dofile", "getfenv", "setfenv", "newproxy", "require", "module", NULL};
	for (const char **r = removed; *r; r++) {
		lua_pushnil(L);
		lua_setglobal(L, *r);
	}
	lua_getglobal(L, "math");
	lua_pushcfunction(L, sb_random);
	lua_setfield(L, -2, "random");
	lua_pushcfunction(L, sb_randomseed);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);
	lua_pushcfunction(L, sb_next);
	lua_pushvalue(L, -1);
	lua_setglobal(L, "next");
	lua_pushcclosure(L, sb_pairs, 1);
	lua_setglobal(L, "pairs");
	lua_pushcfunction(L, sb_rawget);
	lua_setglobal(L, "rawget");
	lua_pushcfunction(L, sb_rawset);
	lua_setglobal(L, "rawset");
	lua_pushcfunction(L, sb_setmetatable);
	lua_setglobal(L, "setmetatable");
	lua_pushcfunction(L, sb_pcall);
	lua_setglobal(L, "pcall");
	lua_pushcfunction(L, error_handler);
	lua_setfield(L, LUA_REGISTRYINDEX, "mh_errh");

	/* protect the globals and every table reachable from them */
	lua_pushvalue(L, LUA_GLOBALSINDEX);
	protect_fields(L, 0);
	lua_pushvalue(L, -1);
	make_proxy(L, 1);
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
	mh_lua *e = engine_of(L);
	mh_buf msg = {0};
	if (mhs_hook(e->handle, &msg)) {
		lua_sethook(L, count_hook, LUA_MASKLINE, 0); /* fire again on the next line too */
		push_error_table(L, msg.p, msg.len);
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
	if (backing_of(L, -1)) {
		lua_pushvalue(L, -3);
		lua_setfield(L, -2, name);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

void mh_lua_run(mh_lua *e, const char *name, int nkeys, const char **keys, const size_t *klens,
		int nargs, const char **args, const size_t *alens, int globals, int hook, mh_buf *out) {
	lua_State *L = e->L;
	e->resp = 2;
	lua_getfield(L, LUA_REGISTRYINDEX, "mh_errh");
	int base = lua_gettop(L);
	lua_getfield(L, LUA_REGISTRYINDEX, name);
	if (!lua_isfunction(L, -1)) {
		lua_settop(L, base - 1);
		static const char msg[] = "NOSCRIPT No matching script. Please use EVAL.";
		put_str(out, 'E', msg, sizeof msg - 1);
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
		put_value(L, e, out);
	} else if (lua_type(L, -1) == LUA_TTABLE) {
		lua_getfield(L, -1, "err");
		lua_getfield(L, -2, "source");
		lua_getfield(L, -3, "line");
		const char *msg = lua_tostring(L, -3);
		if (!msg) msg = "";
		if (lua_isstring(L, -2) && lua_isnumber(L, -1)) {
			const char *fn = strncmp(name, "f_", 2) == 0 ? name + 2 : name;
			lua_pushfstring(L, "%s script: %s, on %s:%d.", msg, fn, lua_tostring(L, -2), (int)lua_tonumber(L, -1));
		} else {
			lua_pushstring(L, msg);
		}
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		put_str(out, 'E', s, n);
		lua_pop(L, 5);
	} else {
		const char *msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
		const char *fn = strncmp(name, "f_", 2) == 0 ? name + 2 : name;
		lua_pushfstring(L, "ERR Error running script %s, %s", fn, msg);
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		put_str(out, 'E', s, n > 120 + strlen(fn) ? 120 + strlen(fn) : n);
		lua_pop(L, 2);
	}
	lua_settop(L, base - 1);
}
