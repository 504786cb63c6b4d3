/*
 * api_config.c - trampolines from Go into the get, set and apply
 * callbacks a module registered with RedisModule_Register*Config.
 */
#include "api_config.h"
#include "gil.h"

int mh_cfg_get_bool(RedisModuleConfigGetBoolFunc fn, const char *name, void *priv) {
    return MH_HOST_CALL(fn(name, priv));
}

long long mh_cfg_get_numeric(RedisModuleConfigGetNumericFunc fn, const char *name, void *priv) {
    return MH_HOST_CALL(fn(name, priv));
}

RedisModuleString *mh_cfg_get_string(RedisModuleConfigGetStringFunc fn, const char *name, void *priv) {
    return MH_HOST_CALL(fn(name, priv));
}

int mh_cfg_get_enum(RedisModuleConfigGetEnumFunc fn, const char *name, void *priv) {
    return MH_HOST_CALL(fn(name, priv));
}

int mh_cfg_set_bool(RedisModuleConfigSetBoolFunc fn, const char *name, int val, void *priv,
                    RedisModuleString **err) {
    return MH_HOST_CALL(fn(name, val, priv, err));
}

int mh_cfg_set_numeric(RedisModuleConfigSetNumericFunc fn, const char *name, long long val,
                       void *priv, RedisModuleString **err) {
    return MH_HOST_CALL(fn(name, val, priv, err));
}

int mh_cfg_set_string(RedisModuleConfigSetStringFunc fn, const char *name, RedisModuleString *val,
                      void *priv, RedisModuleString **err) {
    return MH_HOST_CALL(fn(name, val, priv, err));
}

int mh_cfg_set_enum(RedisModuleConfigSetEnumFunc fn, const char *name, int val, void *priv,
                    RedisModuleString **err) {
    return MH_HOST_CALL(fn(name, val, priv, err));
}

int mh_cfg_apply(RedisModuleConfigApplyFunc fn, RedisModuleCtx *ctx, void *priv,
                 RedisModuleString **err) {
    return MH_HOST_CALL(fn(ctx, priv, err));
}
