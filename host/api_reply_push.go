package host

// RedisModule_ReplySetPushLength. This file exports to C, so its preamble
// only declares.

/*
#include "ctx.h"
*/
import "C"

// msgPushLenMisuse is logged by ReplySetPushLength, in the words Redis
// uses for a ReplySet*Length call without an open postponed collection.
const msgPushLenMisuse = "API misuse detected in module %s: RedisModule_ReplySetPushLength() called without previous RedisModule_ReplyWith*(ctx,REDISMODULE_POSTPONED_LEN) call."

// apiReplySetPushLength implements RedisModule_ReplySetPushLength, which
// the header declares but upstream Redis never registers (GetApi leaves it
// NULL there). It would set the length of a postponed RESP3 push reply,
// but no API opens one (there is no ReplyWithPush), so no push length can
// ever be pending: modhost logs the API-misuse warning Redis logs for a
// ReplySet*Length call without a matching postponed reply and leaves the
// reply untouched. In particular it never closes a postponed array, map or
// set, whose own Set*Length call would then find nothing to close.
//
// modhost:partial no ReplyWithPush exists, so no push length is ever pending: logs API misuse, reply untouched
func apiReplySetPushLength(ctx *C.RedisModuleCtx, length C.long) {
	name := "module"
	if m := ctxModule(ctx); m != nil {
		name = m.Name
	}
	if srv := serverFor(ctx); srv != nil {
		srv.Log.Warningf(msgPushLenMisuse, name)
	}
}
