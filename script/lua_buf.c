/* Buffers and the small helpers every C file of the engine shares. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_internal.h"
#include "_cgo_export.h"

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

void mhl_put_tag(mh_buf *b, char tag) { mh_buf_put(b, &tag, 1); }
void mhl_put_i64(mh_buf *b, int64_t v) { mh_buf_put(b, &v, sizeof v); }
void mhl_put_str(mh_buf *b, char tag, const char *s, size_t n) {
	mhl_put_tag(b, tag);
	mhl_put_i64(b, (int64_t)n);
	mh_buf_put(b, s, n);
}

mh_lua *mhl_engine_of(lua_State *L) {
	lua_getfield(L, LUA_REGISTRYINDEX, REG_ENGINE);
	mh_lua *e = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return e;
}
