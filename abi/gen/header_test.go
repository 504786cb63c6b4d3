package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormType(t *testing.T) {
	tests := []struct{ in, want string }{
		{"void *", "void *"},
		{"void*", "void *"},
		{"RedisModuleString * ", "RedisModuleString *"},
		{"const  char *", "const char *"},
		{"char **", "char **"},
		{"int", "int"},
		{"unsigned long long", "unsigned long long"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, normType(tc.in), tc.in)
	}
}

func TestSplitParamsAndNames(t *testing.T) {
	tests := []struct {
		params string
		names  []string
	}{
		{"size_t bytes", []string{"bytes"}},
		{"const char *, void *", []string{"", ""}},
		{"void* ptr", []string{"ptr"}},
		{"RedisModuleCtx *ctx, RedisModuleCmdFunc cb, void (*free_privdata)(RedisModuleCtx*, void*), long long ms",
			[]string{"ctx", "cb", "free_privdata", "ms"}},
		{"const char **enum_values, const int *int_values", []string{"enum_values", "int_values"}},
		{"char addr[46]", []string{"addr"}},
		{"RedisModuleCtx *", []string{""}},
		{"int", []string{""}},
	}
	for _, tc := range tests {
		parts := splitParams(tc.params)
		require.Len(t, parts, len(tc.names), tc.params)
		for i, p := range parts {
			require.Equal(t, tc.names[i], paramName(p), p)
		}
	}
}

func TestParseHeader(t *testing.T) {
	src := `
/* ---- API family: Heap ---- */
REDISMODULE_API void *(*RedisModule_Alloc)(size_t bytes) REDISMODULE_ATTR;
/* ---- API family: Logging ---- */
REDISMODULE_API void (*RedisModule_Log)(RedisModuleCtx *ctx, const char *level, const char *fmt, ...) REDISMODULE_ATTR REDISMODULE_ATTR_PRINTF(3,4);
REDISMODULE_API int (*RedisModule_GetServerVersion)(void) REDISMODULE_ATTR;
#define REDISMODULE_API
`
	funcs, err := parseHeader([]byte(src))
	require.NoError(t, err)
	require.Len(t, funcs, 3)
	require.Equal(t, apiFunc{Name: "Alloc", Return: "void *", Params: "size_t bytes", Family: "Heap",
		Args: []param{{Decl: "size_t bytes", Name: "bytes"}}}, funcs[0])
	require.True(t, funcs[1].Variadic)
	require.Len(t, funcs[1].Args, 3)
	require.Equal(t, "Logging", funcs[1].Family)
	require.Empty(t, funcs[2].Args)
}

func TestParseHeaderErrors(t *testing.T) {
	tests := map[string]string{
		"no family":  "REDISMODULE_API int (*RedisModule_A)(void) REDISMODULE_ATTR;\n",
		"duplicate":  "/* ---- API family: X ---- */\nREDISMODULE_API int (*RedisModule_A)(void) REDISMODULE_ATTR;\nREDISMODULE_API int (*RedisModule_A)(void) REDISMODULE_ATTR;\n",
		"bad form":   "/* ---- API family: X ---- */\nREDISMODULE_API int RedisModule_A(void);\n",
		"empty":      "/* nothing */\n",
		"dots first": "/* ---- API family: X ---- */\nREDISMODULE_API int (*RedisModule_A)(..., int a) REDISMODULE_ATTR;\n",
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseHeader([]byte(src))
			require.Error(t, err)
		})
	}
}
