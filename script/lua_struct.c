/* The struct library of Redis's scripting: struct.pack(fmt, ...),
 * struct.unpack(fmt, data [, pos]) and struct.size(fmt), behaving as the
 * Roberto Ierusalimschy "struct" library (0.2, with Redis's offset check)
 * that Redis bundles, so results and error texts are Redis's.
 *
 * Format letters:
 *   >  <     big / little endian from here on (native to start with)
 *   ![n]     maximum alignment n (a power of 2; 8 without n; 1 to start)
 *   x        one padding byte
 *   b B      signed / unsigned char          h H  short (2 bytes)
 *   l L      long (8 bytes)                  T    size_t (8 bytes)
 *   i[n] I[n] signed / unsigned integer of n bytes (4 without n, at most 32)
 *   f d      float / double
 *   c[n]     n characters (1 without n); packing with n 0 takes the whole
 *            string, unpacking with n 0 takes the previous number as length
 *   s        a zero-terminated string
 *   ' '      ignored
 * Integers and floats are aligned to min(size, alignment); strings are
 * not. Numbers are Lua numbers (doubles) both ways.
 *
 * Written for modhost from the library's documentation and observed
 * behaviour. */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "lua_internal.h"

#define ST_MAX_INT 32   /* widest integer, in bytes */
#define ST_MAX_ALIGN 8  /* '!' without a number */

typedef struct {
	int little; /* byte order */
	size_t align;
} st_opts;

static int native_little(void) {
	const uint16_t one = 1;
	unsigned char b;
	memcpy(&b, &one, 1);
	return b == 1;
}

static void st_init(st_opts *o) {
	o->little = native_little();
	o->align = 1;
}

/* st_number reads the decimal number at *fmt (dflt when there is none). */
static int st_number(lua_State *L, const char **fmt, int dflt) {
	if (!isdigit((unsigned char)**fmt)) return dflt;
	int v = 0;
	while (isdigit((unsigned char)**fmt)) {
		int d = **fmt - '0';
		if (v > INT_MAX / 10 || v * 10 > INT_MAX - d) luaL_error(L, "integral size overflow");
		v = v * 10 + d;
		(*fmt)++;
	}
	return v;
}

/* st_size is the size of option opt (0 for options that take no room),
 * reading its number from *fmt. */
static size_t st_size(lua_State *L, int opt, const char **fmt) {
	switch (opt) {
	case 'b': case 'B': case 'x': return 1;
	case 'h': case 'H': return sizeof(short);
	case 'l': case 'L': return sizeof(long);
	case 'T': return sizeof(size_t);
	case 'f': return sizeof(float);
	case 'd': return sizeof(double);
	case 'c': return (size_t)st_number(L, fmt, 1);
	case 'i': case 'I': {
		int n = st_number(L, fmt, (int)sizeof(int));
		if (n > ST_MAX_INT) luaL_error(L, "integral size %d is larger than limit of %d", n, ST_MAX_INT);
		return (size_t)n;
	}
	default:
		return 0;
	}
}

/* st_padding is how many bytes put an item of the given size at offset
 * pos on its alignment (strings are never aligned). */
static size_t st_padding(size_t pos, const st_opts *o, int opt, size_t size) {
	if (size == 0 || opt == 'c') return 0;
	if (size > o->align) size = o->align;
	return (size - (pos & (size - 1))) & (size - 1);
}

/* st_control applies an option that is not an item: byte order,
 * alignment, blank; anything else is an error on the format. */
static void st_control(lua_State *L, int opt, const char **fmt, st_opts *o) {
	switch (opt) {
	case ' ':
		return;
	case '>':
		o->little = 0;
		return;
	case '<':
		o->little = 1;
		return;
	case '!': {
		int a = st_number(L, fmt, ST_MAX_ALIGN);
		if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
		o->align = (size_t)a;
		return;
	}
	default:
		luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
	}
}

/* st_put_int writes the n bytes of the integer part of the number
 * argument arg in the given byte order (two's complement for negative
 * numbers; bytes past the eighth are zero). */
static void st_put_int(lua_State *L, luaL_Buffer *b, int arg, int little, size_t n) {
	lua_Number d = luaL_checknumber(L, arg);
	unsigned long v = d < 0 ? (unsigned long)(long)d : (unsigned long)d;
	char bytes[ST_MAX_INT];
	for (size_t i = 0; i < n; i++) {
		bytes[little ? i : n - 1 - i] = (char)(v & 0xff);
		v >>= 8;
	}
	luaL_addlstring(b, bytes, n);
}

/* st_put_raw adds the n bytes at p, reversed when order is not native. */
static void st_put_raw(luaL_Buffer *b, const void *p, size_t n, int little) {
	const char *s = p;
	if (little == native_little()) {
		luaL_addlstring(b, s, n);
		return;
	}
	for (size_t i = n; i > 0; i--) luaL_addchar(b, s[i - 1]);
}

/* struct.pack(fmt, v1, ...) returns the values packed as fmt says. */
static int st_pack(lua_State *L) {
	const char *fmt = luaL_checkstring(L, 1);
	st_opts o;
	st_init(&o);
	int arg = 2;
	size_t total = 0;
	lua_pushnil(L); /* keeps the arguments below the buffer's stack use */
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	while (*fmt) {
		int opt = (unsigned char)*fmt++;
		size_t size = st_size(L, opt, &fmt);
		size_t pad = st_padding(total, &o, opt, size);
		total += pad;
		while (pad--) luaL_addchar(&b, '\0');
		switch (opt) {
		case 'b': case 'B': case 'h': case 'H': case 'l': case 'L':
		case 'T': case 'i': case 'I':
			st_put_int(L, &b, arg++, o.little, size);
			break;
		case 'x':
			luaL_addchar(&b, '\0');
			break;
		case 'f': {
			float f = (float)luaL_checknumber(L, arg++);
			st_put_raw(&b, &f, sizeof f, o.little);
			break;
		}
		case 'd': {
			double d = luaL_checknumber(L, arg++);
			st_put_raw(&b, &d, sizeof d, o.little);
			break;
		}
		case 'c': case 's': {
			size_t len;
			const char *s = luaL_checklstring(L, arg++, &len);
			if (size == 0) size = len;
			/* the library names the argument after the string's */
			luaL_argcheck(L, len >= size, arg, "string too short");
			luaL_addlstring(&b, s, size);
			if (opt == 's') {
				luaL_addchar(&b, '\0');
				size++;
			}
			break;
		}
		default:
			st_control(L, opt, &fmt, &o);
		}
		total += size;
	}
	luaL_pushresult(&b);
	return 1;
}

/* st_get_int reads an n-byte integer in the given byte order. Only the
 * low 64 bits are kept; a signed value is sign-extended from its top bit
 * (for n > 8 the shift wraps as the x86 instruction does, as Redis's
 * build behaves). */
static lua_Number st_get_int(const char *p, int little, int is_signed, size_t n) {
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		v <<= 8;
		v |= (unsigned char)p[little ? n - 1 - i : i];
	}
	if (!is_signed) return (lua_Number)v;
	unsigned long mask = ~0UL << ((n * 8 - 1) & 63);
	if (v & mask) v |= mask;
	return (lua_Number)(long)v;
}

/* st_get_raw copies n bytes at p into out, reversed when order is not
 * native. */
static void st_get_raw(void *out, const char *p, size_t n, int little) {
	char *d = out;
	if (little == native_little()) {
		memcpy(d, p, n);
		return;
	}
	for (size_t i = 0; i < n; i++) d[i] = p[n - 1 - i];
}

/* struct.unpack(fmt, data [, pos]) returns the values read from data at
 * pos (1-based, 1 by default) and the position after them. */
static int st_unpack(lua_State *L) {
	const char *fmt = luaL_checkstring(L, 1);
	size_t ld;
	const char *data = luaL_checklstring(L, 2, &ld);
	size_t pos = (size_t)luaL_optinteger(L, 3, 1);
	luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
	pos--;
	st_opts o;
	st_init(&o);
	int n = 0;
	while (*fmt) {
		int opt = (unsigned char)*fmt++;
		size_t size = st_size(L, opt, &fmt);
		pos += st_padding(pos, &o, opt, size);
		luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
		luaL_checkstack(L, 2, "too many results");
		switch (opt) {
		case 'b': case 'B': case 'h': case 'H': case 'l': case 'L':
		case 'T': case 'i': case 'I':
			lua_pushnumber(L, st_get_int(data + pos, o.little, islower(opt), size));
			n++;
			break;
		case 'x':
			break;
		case 'f': {
			float f;
			st_get_raw(&f, data + pos, sizeof f, o.little);
			lua_pushnumber(L, f);
			n++;
			break;
		}
		case 'd': {
			double d;
			st_get_raw(&d, data + pos, sizeof d, o.little);
			lua_pushnumber(L, d);
			n++;
			break;
		}
		case 'c':
			if (size == 0) {
				if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
				size = (size_t)lua_tonumber(L, -1);
				lua_pop(L, 1);
				n--;
				luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
			}
			lua_pushlstring(L, data + pos, size);
			n++;
			break;
		case 's': {
			const char *end = memchr(data + pos, '\0', ld - pos);
			if (!end) luaL_error(L, "unfinished string in data");
			size = (size_t)(end - (data + pos)) + 1;
			lua_pushlstring(L, data + pos, size - 1);
			n++;
			break;
		}
		default:
			st_control(L, opt, &fmt, &o);
		}
		pos += size;
	}
	lua_pushinteger(L, (lua_Integer)(pos + 1));
	return n + 1;
}

/* struct.size(fmt) returns the bytes fmt packs to; formats with
 * variable-size strings have none. Letters it does not know count as 0. */
static int st_size_fn(lua_State *L) {
	const char *fmt = luaL_checkstring(L, 1);
	st_opts o;
	st_init(&o);
	size_t pos = 0;
	while (*fmt) {
		int opt = (unsigned char)*fmt++;
		size_t size = st_size(L, opt, &fmt);
		pos += st_padding(pos, &o, opt, size);
		if (opt == 's') {
			luaL_argerror(L, 1, "option 's' has no fixed size");
		} else if (opt == 'c' && size == 0) {
			luaL_argerror(L, 1, "option 'c0' has no fixed size");
		}
		if (!isalnum(opt)) st_control(L, opt, &fmt, &o);
		pos += size;
	}
	lua_pushinteger(L, (lua_Integer)pos);
	return 1;
}

/* mhl_open_struct creates the global struct table. */
int mhl_open_struct(lua_State *L) {
	static const luaL_Reg fns[] = {
		{"pack", st_pack},
		{"unpack", st_unpack},
		{"size", st_size_fn},
		{NULL, NULL},
	};
	luaL_register(L, "struct", fns);
	return 1;
}
