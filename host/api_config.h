/*
 * api_config.h - calls into a module's configuration callbacks
 * (api_config.c); Go cannot call C function pointers itself.
 */
#ifndef MODHOST_API_CONFIG_H
#define MODHOST_API_CONFIG_H

#include "ctx.h"

int mh_cfg_get_bool(RedisModuleConfigGetBoolFunc fn, const char *name, void *priv);
long long mh_cfg_get_numeric(RedisModuleConfigGetNumericFunc fn, const char *name, void *priv);
RedisModuleString *mh_cfg_get_string(RedisModuleConfigGetStringFunc fn, const char *name, void *priv);
int mh_cfg_get_enum(RedisModuleConfigGetEnumFunc fn, const char *name, void *priv);

int mh_cfg_set_bool(RedisModuleConfigSetBoolFunc fn, const char *name, int val, void *priv,
                    RedisModuleString **err);
int mh_cfg_set_numeric(RedisModuleConfigSetNumericFunc fn, const char *name, long long val,
                       void *priv, RedisModuleString **err);
int mh_cfg_set_string(RedisModuleConfigSetStringFunc fn, const char *name, RedisModuleString *val,
                      void *priv, RedisModuleString **err);
int mh_cfg_set_enum(RedisModuleConfigSetEnumFunc fn, const char *name, int val, void *priv,
                    RedisModuleString **err);

int mh_cfg_apply(RedisModuleConfigApplyFunc fn, RedisModuleCtx *ctx, void *priv,
                 RedisModuleString **err);

#endif /* MODHOST_API_CONFIG_H */
