/* The sandbox: error tables and the message handler, protected (read-only)
 * tables emulated with proxies on stock Lua 5.1, and Redis's math.random. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_internal.h"
#include "_cgo_export.h"

/* ---- errors ----------------------------------------------------------- */

/* mhl_push_where pushes "chunk:line: " of the innermost Lua function running,
 * skipping the C functions (metamethods) above it. */
void mhl_push_where(lua_State *L) {
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

/* mhl_push_error_table pushes {err="CODE msg"} from a text in Redis's two
 * forms: "-CODE msg" keeps its code, anything else gets "ERR". */
void mhl_push_error_table(lua_State *L, const char *s, size_t n) {
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

/* mhl_error_handler is the message handler of every script call: a non
 * table error becomes {err="ERR <text>"}, and the table gets the source
 * and line of the function that raised it (its Lua caller when that was a
 * C function such as error). */
int mhl_error_handler(lua_State *L) {
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

int mhl_backing_of(lua_State *L, int idx) {
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

int mhl_readonly_newindex(lua_State *L) {
	mhl_push_where(L);
	lua_pushliteral(L, MSG_READONLY);
	lua_concat(L, 2);
	return lua_error(L);
}

int mhl_globals_index(lua_State *L) {
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	if (!lua_isnil(L, -1)) return 1;
	if (!lua_isstring(L, 2)) return luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
	mhl_push_where(L);
	lua_pushfstring(L, "Script attempted to access nonexistent global variable '%s'", lua_tostring(L, 2));
	lua_concat(L, 2);
	return lua_error(L);
}

/* mhl_make_proxy replaces the table on top of the stack with its proxy. */
void mhl_make_proxy(lua_State *L, int globals) {
	int backing = lua_gettop(L);
	lua_newtable(L); /* proxy */
	lua_newtable(L); /* metatable */
	lua_pushvalue(L, backing);
	if (globals) lua_pushcclosure(L, mhl_globals_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, mhl_readonly_newindex);
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

/* mhl_protect_fields turns every table field of the table on top (a backing
 * table) into its proxy, recursively, skipping self references. */
void mhl_protect_fields(lua_State *L, int depth) {
	int t = lua_gettop(L);
	if (depth > 8) return;
	lua_newtable(L); /* keys to replace */
	int keys = lua_gettop(L), n = 0;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		if (lua_type(L, -1) == LUA_TTABLE && !lua_rawequal(L, -1, t)) {
			if (mhl_backing_of(L, -1)) {
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
		mhl_protect_fields(L, depth + 1);
		mhl_make_proxy(L, 0);
		lua_rawset(L, t);
	}
	lua_pop(L, 1);
}

int mhl_sb_next(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	if (mhl_backing_of(L, 1)) lua_replace(L, 1);
	return lua_next(L, 1) ? 2 : (lua_pushnil(L), 1);
}

int mhl_sb_pairs(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

int mhl_sb_rawget(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	lua_settop(L, 2);
	if (mhl_backing_of(L, 1)) lua_replace(L, 1);
	lua_rawget(L, 1);
	return 1;
}

int mhl_sb_rawset(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	luaL_checkany(L, 3);
	if (mhl_backing_of(L, 1)) {
		lua_pushliteral(L, MSG_READONLY);
		return lua_error(L);
	}
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 1;
}

int mhl_sb_setmetatable(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	if (mhl_backing_of(L, 1)) {
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

int mhl_sb_random(lua_State *L) {
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

int mhl_sb_randomseed(lua_State *L) {
	rand48_seed(luaL_checkint(L, 1));
	return 0;
}
