/* testsupport_call.h - C helpers for the CallReply tests (testsupport.c, ts_cr_*). */
#ifndef MODHOST_TESTSUPPORT_CALL_H
#define MODHOST_TESTSUPPORT_CALL_H

#include <stddef.h>

/* Parses len bytes of RESP as Call would and renders the tree through the
 * CallReply accessors into out (cap bytes, NUL-terminated). Returns the
 * rendered length, or -1 when the bytes are not one reply. */
int ts_cr_render(const char *p, size_t len, char *out, size_t cap);

/* Parses p and sends it with ReplyWithCallReply to a context of protocol
 * resp; returns the bytes the context received, -1 if the reply did not
 * parse, -2 if ReplyWithCallReply refused it. */
int ts_cr_reply(const char *p, size_t len, int resp, char *out, size_t cap);

/* Element idx of the array in p: its CallReplyProto copied to out; -1 on
 * failure. */
int ts_cr_elem_proto(const char *p, size_t len, size_t idx, char *out, size_t cap);

#endif /* MODHOST_TESTSUPPORT_CALL_H */
