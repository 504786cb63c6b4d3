/*
 * api_cluster.c - "Modules Cluster API". modhost is never a cluster node,
 * so the functions answer exactly as Redis does with cluster-enabled no:
 * no receivers, no messages, no nodes. ClusterKeySlot computes the real
 * hash slot (CRC16-XMODEM of the key, or of its {hash tag}, mod 16384).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "mh_string.h"

#define MH_CLUSTER_SLOTS 16384

/* CRC16 as Redis Cluster uses it: polynomial 0x1021, initial value 0, no
 * reflection (XMODEM). */
static uint16_t mh_crc16(const char *buf, size_t len) {
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)((unsigned char)buf[i]) << 8;
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

/* The slot of key: when the key has a non-empty {tag}, only the bytes
 * between the first '{' and the next '}' are hashed. */
unsigned int mh_key_hash_slot(const char *key, size_t len) {
    size_t open, close;
    for (open = 0; open < len && key[open] != '{'; open++) {}
    if (open < len) {
        for (close = open + 1; close < len && key[close] != '}'; close++) {}
        if (close < len && close > open + 1)
            return mh_crc16(key + open + 1, close - open - 1) & (MH_CLUSTER_SLOTS - 1);
    }
    return mh_crc16(key, len) & (MH_CLUSTER_SLOTS - 1);
}

/* Redis ignores cluster message receivers when cluster mode is off. */
void mh_RegisterClusterMessageReceiver(RedisModuleCtx *ctx, uint8_t type, RedisModuleClusterMessageReceiver callback) {
    (void)ctx;
    (void)type;
    (void)callback;
}

/* Always REDISMODULE_ERR: there is no cluster bus to send on. */
int mh_SendClusterMessage(RedisModuleCtx *ctx, const char *target_id, uint8_t type, const char *msg, uint32_t len) {
    (void)ctx;
    (void)target_id;
    (void)type;
    (void)msg;
    (void)len;
    return REDISMODULE_ERR;
}

/* Always REDISMODULE_ERR: no node id is known outside cluster mode. */
int mh_GetClusterNodeInfo(RedisModuleCtx *ctx, const char *id, char *ip, char *master_id, int *port, int *flags) {
    (void)ctx;
    (void)id;
    (void)ip;
    (void)master_id;
    (void)port;
    (void)flags;
    return REDISMODULE_ERR;
}

/* NULL, as Redis returns when cluster mode is off (*numnodes untouched). */
char **mh_GetClusterNodesList(RedisModuleCtx *ctx, size_t *numnodes) {
    (void)ctx;
    (void)numnodes;
    return NULL;
}

/* Frees a NULL-terminated list of node ids; NULL is accepted. */
void mh_FreeClusterNodesList(char **ids) {
    if (ids == NULL) return;
    for (size_t j = 0; ids[j] != NULL; j++) free(ids[j]);
    free(ids);
}

/* Redis records the NO_FAILOVER and NO_REDIRECTION flags for its cluster
 * code; with no cluster they have no effect, and none here either. */
void mh_SetClusterFlags(RedisModuleCtx *ctx, uint64_t flags) {
    (void)ctx;
    (void)flags;
}

/* The hash slot of the key, as CLUSTER KEYSLOT; works without cluster
 * mode, as in Redis. */
unsigned int mh_ClusterKeySlot(RedisModuleString *key) {
    return mh_key_hash_slot(key->ptr, key->len);
}

/* Canonical key names: for every slot the first of the shortest strings
 * over [0-9A-Za-z] (in that order) that hashes to it, built once. */
static char mh_slot_names[MH_CLUSTER_SLOTS][4];
static pthread_once_t mh_slot_names_once = PTHREAD_ONCE_INIT;

static void mh_slot_names_build(void) {
    static const char alpha[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const size_t n = sizeof(alpha) - 1;
    size_t filled = 0;
    char s[4] = {0};
    for (size_t len = 1; len <= 3 && filled < MH_CLUSTER_SLOTS; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++) total *= n;
        for (size_t k = 0; k < total && filled < MH_CLUSTER_SLOTS; k++) {
            size_t v = k;
            for (size_t i = len; i > 0; i--) {
                s[i - 1] = alpha[v % n];
                v /= n;
            }
            s[len] = '\0';
            unsigned int slot = mh_crc16(s, len) & (MH_CLUSTER_SLOTS - 1);
            if (mh_slot_names[slot][0] == '\0') {
                memcpy(mh_slot_names[slot], s, len + 1);
                filled++;
            }
        }
    }
}

/* A short key name (or hash tag) in slot, NULL for slot >= 16384. */
/* modhost:partial a shortest alphanumeric name per slot, not always Redis's pick */
const char *mh_ClusterCanonicalKeyNameInSlot(unsigned int slot) {
    if (slot >= MH_CLUSTER_SLOTS) return NULL;
    pthread_once(&mh_slot_names_once, mh_slot_names_build);
    return mh_slot_names[slot][0] ? mh_slot_names[slot] : NULL;
}
