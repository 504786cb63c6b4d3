/*
 * test_cluster.c - coverage module for the cluster API outside cluster mode.
 *
 *   TCLUSTER.RECEIVER        -> RegisterClusterMessageReceiver (set, unset): OK
 *   TCLUSTER.SEND [target]   -> SendClusterMessage: OK or ERR
 *   TCLUSTER.NODES           -> GetClusterNodesList: null, or the node count
 *   TCLUSTER.NODEINFO id     -> GetClusterNodeInfo: OK or ERR
 *   TCLUSTER.FLAGS           -> SetClusterFlags(NO_FAILOVER|NO_REDIRECTION): OK
 *   TCLUSTER.MYID            -> GetMyClusterID (null when not a cluster node)
 *   TCLUSTER.SIZE            -> GetClusterSize
 *   TCLUSTER.SLOT key        -> ClusterKeySlot (7.4+)
 *   TCLUSTER.NAME slot       -> ClusterCanonicalKeyNameInSlot, null if none (7.4+)
 *
 * and for cluster mode, where messages really travel:
 *
 *   TCLUSTER.SENDMSG target|* payload -> SendClusterMessage of type 2: OK or ERR
 *   TCLUSTER.LAST            -> the last type-2 message received, as
 *                               "<sender id> <type> <payload>", or null
 *   TCLUSTER.CLUSTERFLAG     -> 1 if GetContextFlags has CLUSTER, else 0
 */
#include <stdio.h>
#include <string.h>

#include "redismodule.h"

static void receiver(RedisModuleCtx *ctx, const char *sender_id, uint8_t type, const unsigned char *payload,
                     uint32_t len) {
    REDISMODULE_NOT_USED(ctx);
    REDISMODULE_NOT_USED(sender_id);
    REDISMODULE_NOT_USED(type);
    REDISMODULE_NOT_USED(payload);
    REDISMODULE_NOT_USED(len);
}

/* The last message of type 2 received (the receiver registered at load). */
static char last_msg[REDISMODULE_NODE_ID_LEN + 300];
static size_t last_len;

static void recorder(RedisModuleCtx *ctx, const char *sender_id, uint8_t type, const unsigned char *payload,
                     uint32_t len) {
    REDISMODULE_NOT_USED(ctx);
    if (len > 256) len = 256;
    memcpy(last_msg, sender_id, REDISMODULE_NODE_ID_LEN);
    size_t n = REDISMODULE_NODE_ID_LEN;
    n += (size_t)snprintf(last_msg + n, sizeof(last_msg) - n, " %u ", (unsigned)type);
    memcpy(last_msg + n, payload, len);
    last_len = n + len;
}

static int t_sendmsg(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 3) return RedisModule_WrongArity(ctx);
    const char *target = RedisModule_StringPtrLen(argv[1], NULL);
    if (strcmp(target, "*") == 0) target = NULL;
    size_t len;
    const char *payload = RedisModule_StringPtrLen(argv[2], &len);
    if (RedisModule_SendClusterMessage(ctx, target, 2, payload, (uint32_t)len) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR send failed");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_last(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (last_len == 0) return RedisModule_ReplyWithNull(ctx);
    return RedisModule_ReplyWithStringBuffer(ctx, last_msg, last_len);
}

static int t_clusterflag(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, (RedisModule_GetContextFlags(ctx) & REDISMODULE_CTX_FLAGS_CLUSTER) != 0);
}

static int t_receiver(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_RegisterClusterMessageReceiver(ctx, 1, receiver);
    RedisModule_RegisterClusterMessageReceiver(ctx, 1, NULL);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_send(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    const char *target = argc > 1 ? RedisModule_StringPtrLen(argv[1], NULL) : NULL;
    if (RedisModule_SendClusterMessage(ctx, target, 1, "hi", 2) != REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR send failed");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_nodes(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    size_t n = 12345;
    char **ids = RedisModule_GetClusterNodesList(ctx, &n);
    if (ids == NULL) return RedisModule_ReplyWithNull(ctx);
    RedisModule_FreeClusterNodesList(ids);
    return RedisModule_ReplyWithLongLong(ctx, (long long)n);
}

static int t_nodeinfo(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    char ip[REDISMODULE_NODE_ID_LEN + 1], master[REDISMODULE_NODE_ID_LEN + 1];
    int port = -1, flags = -1;
    if (RedisModule_GetClusterNodeInfo(ctx, RedisModule_StringPtrLen(argv[1], NULL), ip, master, &port, &flags) !=
        REDISMODULE_OK)
        return RedisModule_ReplyWithError(ctx, "ERR no such node");
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_flags(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    RedisModule_SetClusterFlags(ctx, REDISMODULE_CLUSTER_FLAG_NO_FAILOVER | REDISMODULE_CLUSTER_FLAG_NO_REDIRECTION);
    RedisModule_FreeClusterNodesList(NULL);
    return RedisModule_ReplyWithSimpleString(ctx, "OK");
}

static int t_myid(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    const char *id = RedisModule_GetMyClusterID();
    if (id == NULL) return RedisModule_ReplyWithNull(ctx);
    return RedisModule_ReplyWithStringBuffer(ctx, id, REDISMODULE_NODE_ID_LEN);
}

static int t_size(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    return RedisModule_ReplyWithLongLong(ctx, (long long)RedisModule_GetClusterSize());
}

static int t_slot(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    if (argc != 2) return RedisModule_WrongArity(ctx);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_ClusterKeySlot))
        return RedisModule_ReplyWithError(ctx, "ERR unsupported by this server");
    return RedisModule_ReplyWithLongLong(ctx, RedisModule_ClusterKeySlot(argv[1]));
}

static int t_name(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    long long slot;
    if (argc != 2 || RedisModule_StringToLongLong(argv[1], &slot) != REDISMODULE_OK)
        return RedisModule_WrongArity(ctx);
    if (!RMAPI_FUNC_SUPPORTED(RedisModule_ClusterCanonicalKeyNameInSlot))
        return RedisModule_ReplyWithError(ctx, "ERR unsupported by this server");
    const char *name = RedisModule_ClusterCanonicalKeyNameInSlot((unsigned int)slot);
    if (name == NULL) return RedisModule_ReplyWithNull(ctx);
    return RedisModule_ReplyWithCString(ctx, name);
}

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv, int argc) {
    REDISMODULE_NOT_USED(argv);
    REDISMODULE_NOT_USED(argc);
    if (RedisModule_Init(ctx, "tcluster", 1, REDISMODULE_APIVER_1) == REDISMODULE_ERR) return REDISMODULE_ERR;
    static const struct {
        const char *name;
        RedisModuleCmdFunc fn;
    } cmds[] = {
        {"tcluster.receiver", t_receiver}, {"tcluster.send", t_send}, {"tcluster.nodes", t_nodes},
        {"tcluster.nodeinfo", t_nodeinfo}, {"tcluster.flags", t_flags}, {"tcluster.myid", t_myid},
        {"tcluster.size", t_size},         {"tcluster.slot", t_slot},  {"tcluster.name", t_name},
        {"tcluster.sendmsg", t_sendmsg},   {"tcluster.last", t_last},  {"tcluster.clusterflag", t_clusterflag},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (RedisModule_CreateCommand(ctx, cmds[i].name, cmds[i].fn, "", 0, 0, 0) == REDISMODULE_ERR)
            return REDISMODULE_ERR;
    RedisModule_RegisterClusterMessageReceiver(ctx, 2, recorder);
    return REDISMODULE_OK;
}
