/*
 * api_cluster.c - "Modules Cluster API". In cluster mode (package cluster
 * installed, cluster-enabled yes) the functions work on the real cluster
 * bus through the Go half (api_cluster.go); without it they answer as
 * Redis does with cluster-enabled no: no receivers, no messages, no nodes.
 * ClusterKeySlot computes the real hash slot (CRC16-XMODEM of the key, or
 * of its {hash tag}, mod 16384) either way.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "mh_string.h"
#include "gil.h"
#include "api_cluster.h"

extern void mhv_cluster_register(RedisModuleCtx *ctx, uint8_t type, void *callback);
extern int mhv_cluster_send(RedisModuleCtx *ctx, char *target_id, uint8_t type, char *msg, uint32_t len);
extern int mhv_cluster_node_info(char *id, char *ip, char *master_id, int *port, int *flags);
extern char **mhv_cluster_nodes(size_t *numnodes);
extern void mhv_cluster_set_flags(uint64_t flags);

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

/* Registers (or, with a NULL callback, removes) the module's receiver of
 * cluster messages of type; ignored outside cluster mode, as in Redis. */
void mh_RegisterClusterMessageReceiver(RedisModuleCtx *ctx, uint8_t type, RedisModuleClusterMessageReceiver callback) {
    mhv_cluster_register(ctx, type, (void *)callback);
}

/* Sends a MODULE message to target_id, or to every node when NULL;
 * REDISMODULE_ERR outside cluster mode or for an unknown/unconnected
 * target. */
int mh_SendClusterMessage(RedisModuleCtx *ctx, const char *target_id, uint8_t type, const char *msg, uint32_t len) {
    return mhv_cluster_send(ctx, (char *)target_id, type, (char *)msg, len);
}

/* Fills what is asked about node id; REDISMODULE_ERR when it is unknown,
 * in handshake or without an address, or outside cluster mode. */
int mh_GetClusterNodeInfo(RedisModuleCtx *ctx, const char *id, char *ip, char *master_id, int *port, int *flags) {
    (void)ctx;
    if (id == NULL) return REDISMODULE_ERR;
    return mhv_cluster_node_info((char *)id, ip, master_id, port, flags);
}

/* The ids (REDISMODULE_NODE_ID_LEN bytes each, not terminated) of the
 * nodes with an address and out of handshake, NULL-terminated; NULL
 * outside cluster mode (*numnodes untouched). */
char **mh_GetClusterNodesList(RedisModuleCtx *ctx, size_t *numnodes) {
    (void)ctx;
    return mhv_cluster_nodes(numnodes);
}

/* Frees a NULL-terminated list of node ids; NULL is accepted. */
void mh_FreeClusterNodesList(char **ids) {
    if (ids == NULL) return;
    for (size_t j = 0; ids[j] != NULL; j++) free(ids[j]);
    free(ids);
}

/* NO_FAILOVER and NO_REDIRECTION: modhost's cluster honours
 * NO_REDIRECTION (no MOVED/ASK); it never fails over anyway. */
void mh_SetClusterFlags(RedisModuleCtx *ctx, uint64_t flags) {
    (void)ctx;
    mhv_cluster_set_flags(flags);
}

/* Helpers for the Go half. */
void mh_call_cluster_receiver(void *fn, RedisModuleCtx *ctx, const char *sender, uint8_t type, const unsigned char *payload, uint32_t len) {
    MH_HOST_CALLV(((RedisModuleClusterMessageReceiver)fn)(ctx, sender, type, payload, len));
}

char **mh_cluster_id_list(size_t n) {
    return calloc(n + 1, sizeof(char *));
}

void mh_cluster_id_set(char **ids, size_t i, const char *id) {
    ids[i] = malloc(REDISMODULE_NODE_ID_LEN);
    memcpy(ids[i], id, REDISMODULE_NODE_ID_LEN);
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
