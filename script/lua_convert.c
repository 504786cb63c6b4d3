/* Conversions: a RESP reply into Lua values (redis.call's result), and a
 * Lua value into the tagged reply stream that reply.go decodes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_internal.h"
#include "_cgo_export.h"

/* ---- RESP reply -> Lua value ------------------------------------------- */

static const char *resp_line(const char *p, const char *end, const char **eol) {
	const char *q = p;
	while (q + 1 < end && !(q[0] == '\r' && q[1] == '\n')) q++;
	*eol = q;
	return q + 2 <= end ? q + 2 : end;
}

/* mhl_push_resp pushes the value of the RESP reply at *pp and advances it. */
void mhl_push_resp(lua_State *L, const char **pp, const char *end) {
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
		mhl_push_error_table(L, p - 1, (size_t)(eol - p + 1));
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
				mhl_push_resp(L, pp, end);
				mhl_push_resp(L, pp, end);
				lua_settable(L, -3);
			} else if (type == '~') {
				mhl_push_resp(L, pp, end);
				lua_pushboolean(L, 1);
				lua_settable(L, -3);
			} else {
				mhl_push_resp(L, pp, end);
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
			mhl_push_resp(L, pp, end);
			lua_pop(L, 1);
		}
		mhl_push_resp(L, pp, end);
		return;
	default:
		lua_pushnil(L);
	}
	*pp = next;
}

/* ---- Lua value -> tagged reply (decoded by reply.go) --------------------- */

void mhl_put_value(lua_State *L, mh_lua *e, mh_buf *out);

/* put_error writes the error of the err table on top (consumed). */
static void put_error_field(lua_State *L, mh_buf *out) {
	lua_getfield(L, -1, "err");
	size_t n;
	const char *s = lua_tolstring(L, -1, &n);
	mhl_put_str(out, 'E', s, n);
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
		mhl_put_str(out, 'O', s, n);
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	if (table_field(L, "double") == LUA_TNUMBER) {
		double d = lua_tonumber(L, -1);
		mhl_put_tag(out, 'D');
		mh_buf_put(out, &d, sizeof d);
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	if (table_field(L, "big_number") == LUA_TSTRING) {
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		mhl_put_str(out, 'G', s, n);
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
			mhl_put_str(out, 'V', f, fn);
			mhl_put_i64(out, (int64_t)sn);
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
		mhl_put_tag(out, (char)kind);
		size_t mark = out->len;
		mhl_put_i64(out, 0);
		int64_t count = 0;
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (kind == 'M') {
				lua_pushvalue(L, -2);
				mhl_put_value(L, e, out); /* key */
				mhl_put_value(L, e, out); /* value */
			} else {
				lua_pop(L, 1);
				lua_pushvalue(L, -1);
				mhl_put_value(L, e, out);
			}
			count++;
		}
		memcpy(out->p + mark, &count, sizeof count);
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	mhl_put_tag(out, 'A');
	size_t mark = out->len;
	mhl_put_i64(out, 0);
	int64_t count = 0;
	for (int j = 1;; j++) {
		lua_rawgeti(L, -1, j);
		if (lua_isnil(L, -1)) {
			lua_pop(L, 1);
			break;
		}
		mhl_put_value(L, e, out);
		count++;
	}
	memcpy(out->p + mark, &count, sizeof count);
}

/* mhl_put_value writes the value on top of the stack and pops it. */
void mhl_put_value(lua_State *L, mh_lua *e, mh_buf *out) {
	if (!lua_checkstack(L, 4)) {
		static const char msg[] = "ERR reached lua stack limit";
		mhl_put_str(out, 'E', msg, sizeof msg - 1);
		lua_pop(L, 1);
		return;
	}
	switch (lua_type(L, -1)) {
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		mhl_put_str(out, 'B', s, n);
		break;
	}
	case LUA_TBOOLEAN:
		if (e->resp == 2) {
			if (lua_toboolean(L, -1)) {
				mhl_put_tag(out, 'I');
				mhl_put_i64(out, 1);
			} else {
				mhl_put_tag(out, 'N');
			}
		} else {
			mhl_put_tag(out, lua_toboolean(L, -1) ? 'T' : 'F');
		}
		break;
	case LUA_TNUMBER:
		mhl_put_tag(out, 'I');
		mhl_put_i64(out, (int64_t)(long long)lua_tonumber(L, -1));
		break;
	case LUA_TTABLE:
		put_table(L, e, out);
		break;
	default:
		mhl_put_tag(out, 'N');
	}
	lua_pop(L, 1);
}
