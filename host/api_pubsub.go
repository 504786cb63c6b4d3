package host

// "Modules Pub/Sub API": PublishMessage and PublishMessageShard. This file
// exports to C, so its preamble only declares.

/*
#include "ctx.h"
*/
import "C"

// apiPublishMessage implements RedisModule_PublishMessage: publishes
// message on channel to the channel's and the matching patterns'
// subscribers, as PUBLISH, and returns the number of receivers.
func apiPublishMessage(ctx *C.RedisModuleCtx, channel *C.RedisModuleString, message *C.RedisModuleString) (n C.int) {
	srv := serverFor(ctx)
	if srv == nil {
		return 0
	}
	return C.int(srv.Publish(stringBytes(channel), stringBytes(message)))
}

// apiPublishMessageShard implements RedisModule_PublishMessageShard:
// publishes to the subscribers of a shard channel (SSUBSCRIBE), as
// SPUBLISH. modhost has no shard channels, so no client can be
// subscribed: the message reaches nobody and the result is 0.
//
// modhost:partial no SSUBSCRIBE: always 0 receivers
func apiPublishMessageShard(ctx *C.RedisModuleCtx, channel *C.RedisModuleString, message *C.RedisModuleString) (n C.int) {
	return 0
}
