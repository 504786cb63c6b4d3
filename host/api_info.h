/*
 * api_info.h - the C side of "Modules Info fields": the INFO context a
 * module's info callback writes into, and the parsed server INFO that
 * GetServerInfo returns (api_info.c).
 */
#ifndef MODHOST_API_INFO_H
#define MODHOST_API_INFO_H

#include <stddef.h>

#include "ctx.h"

/* One module's INFO output being built. */
struct RedisModuleInfoCtx {
    const char *module; /* the module's name */
    char *buf;          /* malloc'd text */
    size_t len, cap;
    const char **req;   /* requested section names, NULL: all sections */
    int nreq;
    int in_section;     /* a section is open (fields are accepted) */
    int in_dict;        /* a dict field is open */
    int sections;       /* sections emitted so far, by every module */
};

/* Calls cb(ictx, 0) and closes an open dict field. */
void mh_info_call(RedisModuleInfoCtx *ictx, void *cb);

/* Server INFO split into fields. */
struct RedisModuleServerInfoData {
    size_t n;
    char **keys;
    char **vals;
};

/* Parses INFO text (len bytes) into a new data object. */
RedisModuleServerInfoData *mh_serverinfo_parse(const char *text, size_t len);

/* Records d with ctx's auto memory (ctx may be NULL). */
void mh_serverinfo_am_add(RedisModuleCtx *ctx, RedisModuleServerInfoData *d);

#endif /* MODHOST_API_INFO_H */
