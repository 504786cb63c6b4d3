/* The cmsgpack library of Redis's scripting: MessagePack encoding of Lua
 * values (cmsgpack.pack) and decoding back (unpack, unpack_one,
 * unpack_limit), with the choices of the lua-cmsgpack 0.4.0 that Redis
 * bundles, so that packed bytes, decoded values and error texts are
 * Redis's:
 *
 *  - a number that is a 64-bit integer is packed in the shortest integer
 *    form; other numbers as float 32 when that is exact, else float 64;
 *  - strings use fixstr / str 8 / str 16 / str 32 (never bin);
 *  - a table whose keys are exactly 1..N is an array, any other a map
 *    (an empty table is an empty array); tables nested 16 deep are packed
 *    as nil, which keeps self-referencing tables finite;
 *  - functions and the other unpackable values are nil;
 *  - unpack reads the str, int, uint, float, nil, bool, array and map
 *    families; bin and ext are "Bad data format in input.". A uint 64
 *    above 2^63 comes back negative and an int 64 as a double, as there.
 *
 * Written for modhost from the format's specification and the library's
 * documented behaviour. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lua_internal.h"

#define MP_MAX_DEPTH 16

/* ---- output buffer ----------------------------------------------------
 * The bytes live in a userdata kept at a fixed stack slot, so a Lua error
 * in the middle of packing leaves nothing to free. */

typedef struct {
	lua_State *L;
	int slot; /* stack index of the storage userdata */
	unsigned char *p;
	size_t len, cap;
} mp_out;

static void out_init(lua_State *L, mp_out *o) {
	o->L = L;
	o->cap = 64;
	o->len = 0;
	o->p = lua_newuserdata(L, o->cap);
	o->slot = lua_gettop(L);
}

static void out_put(mp_out *o, const void *s, size_t n) {
	if (o->cap - o->len < n) {
		size_t cap = o->cap;
		while (cap - o->len < n) {
			if (cap > ((size_t)-1) / 4) luaL_error(o->L, "MessagePack output too large");
			cap *= 2;
		}
		unsigned char *np = lua_newuserdata(o->L, cap);
		memcpy(np, o->p, o->len);
		lua_replace(o->L, o->slot);
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* out_head writes the tag byte then the n low bytes of v, big-endian. */
static void out_head(mp_out *o, unsigned char tag, uint64_t v, int n) {
	unsigned char b[9];
	b[0] = tag;
	for (int i = 0; i < n; i++) b[1 + i] = (unsigned char)(v >> (8 * (n - 1 - i)));
	out_put(o, b, (size_t)n + 1);
}

/* ---- packing ------------------------------------------------------------ */

static void pack_int(mp_out *o, int64_t v) {
	if (v >= 0) {
		uint64_t u = (uint64_t)v;
		if (u < 0x80) {
			unsigned char b = (unsigned char)u;
			out_put(o, &b, 1);
		} else if (u <= 0xff) {
			out_head(o, 0xcc, u, 1);
		} else if (u <= 0xffff) {
			out_head(o, 0xcd, u, 2);
		} else if (u <= 0xffffffffULL) {
			out_head(o, 0xce, u, 4);
		} else {
			out_head(o, 0xcf, u, 8);
		}
		return;
	}
	if (v >= -32) {
		unsigned char b = (unsigned char)(v & 0xff);
		out_put(o, &b, 1);
	} else if (v >= INT8_MIN) {
		out_head(o, 0xd0, (uint64_t)v, 1);
	} else if (v >= INT16_MIN) {
		out_head(o, 0xd1, (uint64_t)v, 2);
	} else if (v >= INT32_MIN) {
		out_head(o, 0xd2, (uint64_t)v, 4);
	} else {
		out_head(o, 0xd3, (uint64_t)v, 8);
	}
}

/* is_int64 tells whether d is an integer a 64-bit integer holds. */
static int is_int64(double d) {
	return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(int64_t)d == d;
}

static void pack_number(mp_out *o, double d) {
	if (is_int64(d)) {
		pack_int(o, (int64_t)d);
		return;
	}
	float f = (float)d;
	if ((double)f == d) {
		uint32_t bits;
		memcpy(&bits, &f, 4);
		out_head(o, 0xca, bits, 4);
	} else {
		uint64_t bits;
		memcpy(&bits, &d, 8);
		out_head(o, 0xcb, bits, 8);
	}
}

static void pack_string(mp_out *o, const char *s, size_t n) {
	if (n < 32) {
		unsigned char b = (unsigned char)(0xa0 | n);
		out_put(o, &b, 1);
	} else if (n <= 0xff) {
		out_head(o, 0xd9, n, 1);
	} else if (n <= 0xffff) {
		out_head(o, 0xda, n, 2);
	} else {
		out_head(o, 0xdb, (uint32_t)n, 4);
	}
	out_put(o, s, n);
}

/* pack_count writes an array or map header: fix (base | n) up to 15
 * entries, else the 16-bit or 32-bit form. */
static void pack_count(mp_out *o, unsigned char fixbase, unsigned char tag16, uint64_t n) {
	if (n <= 15) {
		unsigned char b = (unsigned char)(fixbase | n);
		out_put(o, &b, 1);
	} else if (n <= 0xffff) {
		out_head(o, tag16, n, 2);
	} else {
		out_head(o, (unsigned char)(tag16 + 1), (uint32_t)n, 4);
	}
}

/* table_is_sequence: whether every key of the table on top is a positive
 * number that is an int and the largest equals the count (keys 1..N). */
static int table_is_sequence(lua_State *L) {
	int top = lua_gettop(L);
	int count = 0, max = 0;
	luaL_checkstack(L, 2, "in function table_is_sequence");
	lua_pushnil(L);
	while (lua_next(L, top)) {
		lua_pop(L, 1);
		double k;
		if (lua_type(L, -1) != LUA_TNUMBER || (k = lua_tonumber(L, -1)) <= 0 || !(k <= INT_MAX && (double)(int)k == k)) {
			lua_settop(L, top);
			return 0;
		}
		if ((int)k > max) max = (int)k;
		count++;
	}
	return max == count;
}

static void pack_value(lua_State *L, mp_out *o, int depth);

/* pack_table packs the table on top (left in place). A protected library
 * table packs what it holds, as pairs sees it. */
static void pack_table(lua_State *L, mp_out *o, int depth) {
	luaL_checkstack(L, 4, "in function pack_table");
	int proxied = mhl_backing_of(L, -1);
	int t = lua_gettop(L);
	if (table_is_sequence(L)) {
		size_t n = lua_objlen(L, t);
		pack_count(o, 0x90, 0xdc, n);
		for (size_t i = 1; i <= n; i++) {
			lua_pushnumber(L, (lua_Number)i);
			lua_gettable(L, t);
			pack_value(L, o, depth + 1);
		}
	} else {
		uint64_t n = 0;
		lua_pushnil(L);
		while (lua_next(L, t)) {
			lua_pop(L, 1);
			n++;
		}
		pack_count(o, 0x80, 0xde, n);
		lua_pushnil(L);
		while (lua_next(L, t)) {
			lua_pushvalue(L, -2);
			pack_value(L, o, depth + 1); /* the key */
			pack_value(L, o, depth + 1); /* the value */
		}
	}
	if (proxied) lua_pop(L, 1);
}

/* pack_value packs the value on top of the stack and pops it. */
static void pack_value(lua_State *L, mp_out *o, int depth) {
	switch (lua_type(L, -1)) {
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, -1, &n);
		pack_string(o, s, n);
		break;
	}
	case LUA_TBOOLEAN: {
		unsigned char b = lua_toboolean(L, -1) ? 0xc3 : 0xc2;
		out_put(o, &b, 1);
		break;
	}
	case LUA_TNUMBER:
		pack_number(o, lua_tonumber(L, -1));
		break;
	case LUA_TTABLE:
		if (depth < MP_MAX_DEPTH) {
			pack_table(L, o, depth);
			break;
		}
		/* too deep: nil */
		/* fall through */
	default: {
		unsigned char b = 0xc0;
		out_put(o, &b, 1);
		break;
	}
	}
	lua_pop(L, 1);
}

/* cmsgpack.pack(v1, ...) returns the concatenated encodings of its
 * arguments. */
static int mp_pack(lua_State *L) {
	int n = lua_gettop(L);
	if (n == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
	if (!lua_checkstack(L, 8)) return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
	mp_out o;
	out_init(L, &o);
	for (int i = 1; i <= n; i++) {
		lua_pushvalue(L, i);
		pack_value(L, &o, 0);
	}
	lua_pushlstring(L, (const char *)o.p, o.len);
	return 1;
}

/* ---- unpacking ---------------------------------------------------------- */

enum { MP_OK, MP_SHORT, MP_BADTAG };

typedef struct {
	const unsigned char *p;
	size_t left;
	int err;
} mp_in;

/* be reads n bytes at p as a big-endian unsigned number. */
static uint64_t be(const unsigned char *p, int n) {
	uint64_t v = 0;
	for (int i = 0; i < n; i++) v = (v << 8) | p[i];
	return v;
}

static int unpack_value(lua_State *L, mp_in *in);

static int unpack_array(lua_State *L, mp_in *in, size_t n) {
	lua_newtable(L);
	luaL_checkstack(L, 1, "in function unpack_array");
	for (size_t i = 1; i <= n; i++) {
		lua_pushnumber(L, (lua_Number)i);
		if (!unpack_value(L, in)) return 0;
		lua_settable(L, -3);
	}
	return 1;
}

static int unpack_map(lua_State *L, mp_in *in, size_t n) {
	lua_newtable(L);
	while (n--) {
		if (!unpack_value(L, in) || !unpack_value(L, in)) return 0;
		lua_settable(L, -3);
	}
	return 1;
}

/* take checks that n bytes are left: else it marks the input short. */
static int take(mp_in *in, size_t n) {
	if (in->left < n) {
		in->err = MP_SHORT;
		return 0;
	}
	return 1;
}

static void skip(mp_in *in, size_t n) {
	in->p += n;
	in->left -= n;
}

/* unpack_sized pushes a string, array or map whose length has lenbytes
 * bytes after the tag. */
static int unpack_sized(lua_State *L, mp_in *in, int lenbytes, char kind) {
	if (!take(in, 1 + (size_t)lenbytes)) return 0;
	size_t n = (size_t)be(in->p + 1, lenbytes);
	skip(in, 1 + (size_t)lenbytes);
	switch (kind) {
	case 's':
		if (!take(in, n)) return 0;
		lua_pushlstring(L, (const char *)in->p, n);
		skip(in, n);
		return 1;
	case 'a':
		return unpack_array(L, in, n);
	default:
		return unpack_map(L, in, n);
	}
}

/* unpack_fixed pushes an integer or float of n bytes after the tag. */
static int unpack_fixed(lua_State *L, mp_in *in, unsigned char tag, int n) {
	if (!take(in, 1 + (size_t)n)) return 0;
	uint64_t v = be(in->p + 1, n);
	skip(in, 1 + (size_t)n);
	switch (tag) {
	case 0xcc: case 0xcd: case 0xce:
		lua_pushinteger(L, (lua_Integer)v);
		break;
	case 0xcf: /* as a signed integer, as lua-cmsgpack does */
		lua_pushinteger(L, (lua_Integer)(int64_t)v);
		break;
	case 0xd0:
		lua_pushinteger(L, (int8_t)(uint8_t)v);
		break;
	case 0xd1:
		lua_pushinteger(L, (int16_t)(uint16_t)v);
		break;
	case 0xd2:
		lua_pushinteger(L, (int32_t)(uint32_t)v);
		break;
	case 0xd3:
		lua_pushnumber(L, (lua_Number)(int64_t)v);
		break;
	case 0xca: {
		uint32_t bits = (uint32_t)v;
		float f;
		memcpy(&f, &bits, 4);
		lua_pushnumber(L, f);
		break;
	}
	default: { /* 0xcb */
		double d;
		memcpy(&d, &v, 8);
		lua_pushnumber(L, d);
		break;
	}
	}
	return 1;
}

/* unpack_value pushes the next value; on a short or bad input it sets
 * in->err and returns 0. */
static int unpack_value(lua_State *L, mp_in *in) {
	if (!take(in, 1)) return 0;
	luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
	unsigned char tag = in->p[0];
	if (tag < 0x80 || tag >= 0xe0) { /* positive / negative fixint */
		lua_pushinteger(L, tag < 0x80 ? (lua_Integer)tag : (lua_Integer)(int8_t)tag);
		skip(in, 1);
		return 1;
	}
	if (tag <= 0x8f) { /* fixmap */
		skip(in, 1);
		return unpack_map(L, in, tag & 0x0f);
	}
	if (tag <= 0x9f) { /* fixarray */
		skip(in, 1);
		return unpack_array(L, in, tag & 0x0f);
	}
	if (tag <= 0xbf) { /* fixstr */
		size_t n = tag & 0x1f;
		if (!take(in, 1 + n)) return 0;
		lua_pushlstring(L, (const char *)in->p + 1, n);
		skip(in, 1 + n);
		return 1;
	}
	switch (tag) {
	case 0xc0:
		lua_pushnil(L);
		break;
	case 0xc2:
	case 0xc3:
		lua_pushboolean(L, tag == 0xc3);
		break;
	case 0xca: return unpack_fixed(L, in, tag, 4);
	case 0xcb: return unpack_fixed(L, in, tag, 8);
	case 0xcc: case 0xd0: return unpack_fixed(L, in, tag, 1);
	case 0xcd: case 0xd1: return unpack_fixed(L, in, tag, 2);
	case 0xce: case 0xd2: return unpack_fixed(L, in, tag, 4);
	case 0xcf: case 0xd3: return unpack_fixed(L, in, tag, 8);
	case 0xd9: return unpack_sized(L, in, 1, 's');
	case 0xda: return unpack_sized(L, in, 2, 's');
	case 0xdb: return unpack_sized(L, in, 4, 's');
	case 0xdc: return unpack_sized(L, in, 2, 'a');
	case 0xdd: return unpack_sized(L, in, 4, 'a');
	case 0xde: return unpack_sized(L, in, 2, 'm');
	case 0xdf: return unpack_sized(L, in, 4, 'm');
	default: /* never used, bin, ext */
		in->err = MP_BADTAG;
		return 0;
	}
	skip(in, 1);
	return 1;
}

/* unpack_from decodes the string argument 1: with limit and offset 0
 * every value it holds; else up to limit values from offset, returned
 * after the offset of what follows them (-1 at the end of the input). */
static int unpack_from(lua_State *L, lua_Integer limit, lua_Integer offset) {
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	int all = limit == 0 && offset == 0;
	if (offset < 0 || limit < 0) {
		/* lua-cmsgpack prints the input length where it says limit */
		return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", (int)offset, (int)len);
	}
	if ((size_t)offset > len) return luaL_error(L, "Start offset %d greater than input length %d.", (int)offset, (int)len);
	if (all) limit = INT_MAX;
	mp_in in = {(const unsigned char *)s + offset, len - (size_t)offset, MP_OK};
	int n = 0;
	while (in.left > 0 && n < limit) {
		if (!unpack_value(L, &in)) {
			if (in.err == MP_SHORT) return luaL_error(L, "Missing bytes in input.");
			return luaL_error(L, "Bad data format in input.");
		}
		n++;
	}
	if (all) return n;
	luaL_checkstack(L, 1, "in function unpack_from");
	lua_pushinteger(L, in.left == 0 ? -1 : (lua_Integer)(len - in.left));
	lua_insert(L, 2);
	return n + 1;
}

/* cmsgpack.unpack(s) returns every value packed in s. */
static int mp_unpack(lua_State *L) { return unpack_from(L, 0, 0); }

/* cmsgpack.unpack_one(s [, offset]) returns the next offset (-1 at the
 * end) and the value at offset. */
static int mp_unpack_one(lua_State *L) {
	lua_Integer offset = luaL_optinteger(L, 2, 0);
	if (lua_gettop(L) > 1) lua_settop(L, 1);
	return unpack_from(L, 1, offset);
}

/* cmsgpack.unpack_limit(s, limit [, offset]) returns the next offset and
 * up to limit values from offset. */
static int mp_unpack_limit(lua_State *L) {
	lua_Integer limit = luaL_checkinteger(L, 2);
	lua_Integer offset = luaL_optinteger(L, 3, 0);
	if (lua_gettop(L) > 1) lua_settop(L, 1);
	return unpack_from(L, limit, offset);
}

/* mhl_open_cmsgpack creates the global cmsgpack table. */
int mhl_open_cmsgpack(lua_State *L) {
	static const luaL_Reg fns[] = {
		{"pack", mp_pack},
		{"unpack", mp_unpack},
		{"unpack_one", mp_unpack_one},
		{"unpack_limit", mp_unpack_limit},
		{NULL, NULL},
	};
	lua_newtable(L);
	for (const luaL_Reg *f = fns; f->name; f++) {
		lua_pushcfunction(L, f->func);
		lua_setfield(L, -2, f->name);
	}
	static const char *meta[][2] = {
		{"_NAME", "cmsgpack"},
		{"_VERSION", "lua-cmsgpack 0.4.0"},
		{"_DESCRIPTION", "MessagePack C implementation for Lua"},
	};
	for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++) {
		lua_pushstring(L, meta[i][1]);
		lua_setfield(L, -2, meta[i][0]);
	}
	lua_pushvalue(L, -1);
	lua_setglobal(L, "cmsgpack");
	return 1;
}
