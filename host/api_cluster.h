/* api_cluster.h - the C half of the "Modules Cluster API" (api_cluster.c)
 * as the Go half (api_cluster.go) calls it. */
#ifndef MH_API_CLUSTER_H
#define MH_API_CLUSTER_H

#include <stdint.h>
#include "ctx.h"

void mh_call_cluster_receiver(void *fn, RedisModuleCtx *ctx, const char *sender, uint8_t type, const unsigned char *payload, uint32_t len);
char **mh_cluster_id_list(size_t n);
void mh_cluster_id_set(char **ids, size_t i, const char *id);

#endif
