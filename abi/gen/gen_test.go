package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := findRoot()
	require.NoError(t, err)
	return root
}

// TestGeneratedFilesAreFresh fails when someone changed redismodule.h or
// host without running `go generate ./abi`.
func TestGeneratedFilesAreFresh(t *testing.T) {
	root := repoRoot(t)
	files, err := generate(root)
	require.NoError(t, err)
	require.Len(t, files, 5)
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join(root, path))
		require.NoError(t, err, path)
		require.Equal(t, string(want), string(got), "%s is stale: run go generate ./abi", path)
	}
}

// TestEveryHeaderFunctionAccountedFor checks the checked-in outputs: each
// declared function is either in the GetApi table or listed as missing in
// docs/API.md, never both and never neither.
func TestEveryHeaderFunctionAccountedFor(t *testing.T) {
	root := repoRoot(t)
	src, err := os.ReadFile(filepath.Join(root, pathHeader))
	require.NoError(t, err)
	funcs, err := parseHeader(src)
	require.NoError(t, err)
	require.Greater(t, len(funcs), 350)

	table, err := os.ReadFile(filepath.Join(root, pathTableC))
	require.NoError(t, err)
	inTable := map[string]bool{}
	for _, m := range regexp.MustCompile(`\{"(\w+)", \(mh_api_fn\)mhl?_(\w+)\}`).FindAllStringSubmatch(string(table), -1) {
		require.Equal(t, m[1], m[2])
		inTable[m[1]] = true
	}
	require.NotEmpty(t, inTable)

	docs, err := os.ReadFile(filepath.Join(root, pathDocs))
	require.NoError(t, err)
	docStatus := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `RedisModule_(\\w+)` \\| (\\w+) \\|").FindAllStringSubmatch(string(docs), -1) {
		docStatus[m[1]] = m[2]
	}
	for _, f := range funcs {
		st, listed := docStatus[f.Name]
		require.True(t, listed, "%s not in docs/API.md", f.Name)
		if inTable[f.Name] {
			require.NotEqual(t, "missing", st, f.Name)
		} else {
			require.Equal(t, "missing", st, "%s is not in the GetApi table", f.Name)
		}
	}
	require.Len(t, docStatus, len(funcs))
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	return dir
}

func TestScanHost(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.c": "/* doc */\n/* modhost:partial no jemalloc */\nsize_t mh_MallocSize(void *ptr) {\n}\n" +
			"static int mh_Hidden(void) {\n}\nint mh_Proto(void);\nvoid mh_ctx_init(void) {\n}\n",
		"b.go": "package m\n\n/*\n#cgo CFLAGS: -Wall\n#include \"ctx.h\"\n*/\nimport \"C\"\n\n" +
			"// doc\n// modhost:partial only db 0\n" +
			"func apiGetSelectedDb(ctx *C.RedisModuleCtx) C.int {\n}\n\n" +
			"func apiListPush(key *C.RedisModuleKey, where C.int, ele *C.RedisModuleString, mh_errno *C.int) (rc C.int) {\n}\n" +
			"func apiHelper(x int) { return }\n",
		"x_gen.c":   "int mh_Ignored(void) {\n}\n",
		"y_test.go": "func apiIgnoredToo() {\n}\n",
	})
	impls, err := scanHost(dir)
	require.NoError(t, err)
	inc := []string{`#include "ctx.h"`}
	require.Equal(t, map[string]impl{
		"MallocSize": {Name: "MallocSize", Lang: "C", File: "a.c", Partial: "no jemalloc"},
		"GetSelectedDb": {Name: "GetSelectedDb", Lang: "Go", File: "b.go", Partial: "only db 0", NArgs: 1,
			GoParams: "ctx *C.RedisModuleCtx", GoResult: "C.int", ArgNames: []string{"ctx"}, Includes: inc},
		"ListPush": {Name: "ListPush", Lang: "Go", File: "b.go", Errno: true, NArgs: 3,
			GoParams: "key *C.RedisModuleKey, where C.int, ele *C.RedisModuleString, mh_errno *C.int", GoResult: "C.int",
			ArgNames: []string{"key", "where", "ele", "mh_errno"}, Includes: inc},
	}, impls)
}

func TestScanHostErrors(t *testing.T) {
	tests := map[string]map[string]string{
		"twice":               {"a.c": "void mh_Free(void *p) {\n}\n", "b.go": "func apiFree(p unsafe.Pointer) {\n}\n"},
		"hand-written export": {"b.go": "//export mhgo_Free\nfunc mhgo_Free(p unsafe.Pointer) {\n}\n"},
		"bad signature":       {"b.go": "func apiFree(p unsafe.Pointer {\n}\n"},
	}
	for name, files := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := scanHost(writeFiles(t, files))
			require.Error(t, err)
		})
	}
}

func TestEmitExports(t *testing.T) {
	funcs, err := parseHeader([]byte("/* ---- API family: F ---- */\n" +
		"REDISMODULE_API int (*RedisModule_ListPush)(RedisModuleKey *key, int where, RedisModuleString *ele) REDISMODULE_ATTR;\n" +
		"REDISMODULE_API void (*RedisModule_Touch)(RedisModuleCtx *ctx) REDISMODULE_ATTR;\n" +
		"REDISMODULE_API void *(*RedisModule_Ptr)(RedisModuleCtx *ctx) REDISMODULE_ATTR;\n" +
		"REDISMODULE_API int (*RedisModule_KeyExists)(RedisModuleCtx *ctx) REDISMODULE_ATTR;\n"))
	require.NoError(t, err)
	inc := []string{`#include "ctx.h"`}
	impls := map[string]impl{
		"ListPush": {Name: "ListPush", Lang: "Go", File: "k.go", Errno: true, NArgs: 3, Includes: inc,
			GoParams: "key *C.RedisModuleKey, where C.int, ele *C.RedisModuleString, mh_errno *C.int", GoResult: "C.int",
			ArgNames: []string{"key", "where", "ele", "mh_errno"}},
		"Touch": {Name: "Touch", Lang: "Go", File: "k.go", NArgs: 1, Includes: inc,
			GoParams: "ctx *C.RedisModuleCtx", ArgNames: []string{"ctx"}},
		"Ptr": {Name: "Ptr", Lang: "Go", File: "k.go", NArgs: 1, Includes: inc,
			GoParams: "ctx *C.RedisModuleCtx", GoResult: "unsafe.Pointer", ArgNames: []string{"ctx"}},
		"KeyExists": {Name: "KeyExists", Lang: "Go", File: "k.go", NArgs: 1, Includes: inc,
			GoParams: "ctx *C.RedisModuleCtx", GoResult: "C.int", ArgNames: []string{"ctx"}},
	}
	out, err := emitExports(funcs, impls)
	require.NoError(t, err)
	src := string(out)
	for _, want := range []string{
		"#include \"ctx.h\"\n*/\nimport \"C\"\n\nimport \"unsafe\"\n",
		"//export mhgo_ListPush\nfunc mhgo_ListPush(key *C.RedisModuleKey, where C.int, ele *C.RedisModuleString, mh_errno *C.int) (r C.int) {\n" +
			"\tr = C.REDISMODULE_ERR\n\tdefer guardExport(keyCtx(key), \"ListPush\")\n\treturn apiListPush(key, where, ele, mh_errno)\n}",
		"func mhgo_Touch(ctx *C.RedisModuleCtx) {\n\tdefer guardExport(ctx, \"Touch\")\n\tapiTouch(ctx)\n}",
		"func mhgo_Ptr(ctx *C.RedisModuleCtx) (r unsafe.Pointer) {\n\tdefer guardExport(ctx, \"Ptr\")\n\treturn apiPtr(ctx)\n}",
		"(r C.int) {\n\tr = 0\n\tdefer guardExport(ctx, \"KeyExists\")",
	} {
		require.Contains(t, src, want)
	}
}

func TestCheckImpls(t *testing.T) {
	funcs, err := parseHeader([]byte("/* ---- API family: F ---- */\n" +
		"REDISMODULE_API int (*RedisModule_A)(int x) REDISMODULE_ATTR;\n" +
		"REDISMODULE_API void (*RedisModule_Log)(const char *fmt, ...) REDISMODULE_ATTR;\n" +
		"REDISMODULE_API int (*RedisModule_U)(const char *, void *) REDISMODULE_ATTR;\n"))
	require.NoError(t, err)
	tests := []struct {
		name string
		im   impl
		ok   bool
	}{
		{"c ok", impl{Name: "A", Lang: "C"}, true},
		{"go ok", impl{Name: "A", Lang: "Go", NArgs: 1}, true},
		{"unknown name", impl{Name: "B", Lang: "C"}, false},
		{"go arity", impl{Name: "A", Lang: "Go", NArgs: 2}, false},
		{"go variadic", impl{Name: "Log", Lang: "Go", NArgs: 1}, false},
		{"go unnamed params", impl{Name: "U", Lang: "Go", NArgs: 2}, false},
		{"c variadic ok", impl{Name: "Log", Lang: "C"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkImpls(funcs, map[string]impl{tc.im.Name: tc.im})
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestTrampolineWithErrno(t *testing.T) {
	funcs, err := parseHeader([]byte("/* ---- API family: F ---- */\n" +
		"REDISMODULE_API int (*RedisModule_ListPush)(RedisModuleKey *key, int where, RedisModuleString *ele) REDISMODULE_ATTR;\n" +
		"REDISMODULE_API void (*RedisModule_Touch)(RedisModuleCtx *ctx) REDISMODULE_ATTR;\n"))
	require.NoError(t, err)
	impls := map[string]impl{
		"ListPush": {Name: "ListPush", Lang: "Go", File: "k.go", Errno: true, NArgs: 3},
		"Touch":    {Name: "Touch", Lang: "Go", File: "k.go", NArgs: 1},
	}
	c := string(emitTableC(funcs, impls))
	for _, want := range []string{
		"extern int mhgo_ListPush(RedisModuleKey *key, int where, RedisModuleString *ele, int *mh_errno);",
		"int r = (int)mhgo_ListPush(key, where, ele, &mh_err);",
		"if (mh_err != 0) errno = mh_err;",
		"void mh_Touch(RedisModuleCtx *ctx) {\n    mh_last_api = \"Touch\";\n    mhgo_Touch(ctx);\n}",
		`{"ListPush", (mh_api_fn)mh_ListPush},`,
	} {
		require.True(t, strings.Contains(c, want), "missing %q in\n%s", want, c)
	}
	require.Less(t, strings.Index(c, `{"ListPush"`), strings.Index(c, `{"Touch"`))
}

// TestRecorderForCFunctions: a C-implemented function gets an entry point
// that records the call for crash reports and forwards to mh_<Name>; a
// variadic one is entered directly.
func TestRecorderForCFunctions(t *testing.T) {
	funcs, err := parseHeader([]byte("/* ---- API family: F ---- */\n" +
		"REDISMODULE_API int (*RedisModule_ReplyWithLongLong)(RedisModuleCtx *ctx, long long ll) REDISMODULE_ATTR;\n" +
		"REDISMODULE_API void (*RedisModule_Log)(RedisModuleCtx *ctx, const char *level, const char *fmt, ...) REDISMODULE_ATTR;\n"))
	require.NoError(t, err)
	impls := map[string]impl{
		"ReplyWithLongLong": {Name: "ReplyWithLongLong", Lang: "C", File: "r.c"},
		"Log":               {Name: "Log", Lang: "C", File: "u.c"},
	}
	c := string(emitTableC(funcs, impls))
	for _, want := range []string{
		"static int mhl_ReplyWithLongLong(RedisModuleCtx *ctx, long long ll) {\n    mh_last_api = \"ReplyWithLongLong\";\n    return mh_ReplyWithLongLong(ctx, ll);\n}",
		`{"ReplyWithLongLong", (mh_api_fn)mhl_ReplyWithLongLong},`,
		`{"Log", (mh_api_fn)mh_Log},`,
	} {
		require.True(t, strings.Contains(c, want), "missing %q in\n%s", want, c)
	}
	require.NotContains(t, c, "mhl_Log")
}

// TestNeedsGILNamesAreAPIFunctions: a typo in the GIL-checked list would
// silently check nothing.
func TestNeedsGILNamesAreAPIFunctions(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot(t), pathHeader))
	require.NoError(t, err)
	funcs, err := parseHeader(src)
	require.NoError(t, err)
	declared := map[string]bool{}
	for _, f := range funcs {
		declared[f.Name] = true
	}
	require.NotEmpty(t, needsGIL)
	for n := range needsGIL {
		require.True(t, declared[n], "%s is not an API function", n)
	}
}
