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
// publishes message to the subscribers of the shard channel (SSUBSCRIBE),
// as SPUBLISH, and returns the number of receivers.
func apiPublishMessageShard(ctx *C.RedisModuleCtx, channel *C.RedisModuleString, message *C.RedisModuleString) (n C.int) {
	srv := serverFor(ctx)
	if srv == nil {
		return 0
	}
	return C.int(srv.PublishShard(stringBytes(channel), stringBytes(message)))
}
