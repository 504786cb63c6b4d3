package main

import (
	"bytes"
	"fmt"
	"go/format"
	"sort"
	"strings"
)

// pathExports is the generated file of Go export trampolines.
const pathExports = "host/exports_gen.go"

// failOverride lists API functions whose error return is not the one
// derived from their C return type (see failValue), as Go expressions.
var failOverride = map[string]string{
	// Redis documents these as always returning REDISMODULE_OK.
	"ReplicateVerbatim": "C.REDISMODULE_OK",
	"SignalModifiedKey": "C.REDISMODULE_OK",
	"WrongArity":        "C.REDISMODULE_OK",
	// Booleans and counts: 0 is "no", "none" or "done".
	"DictCompareC":                    "0",
	"GetDbIdFromDefragCtx":            "0",
	"GetKeyspaceNotificationFlagsAll": "0",
	"GetModuleOptionsAll":             "0",
	"GetNotifyKeyspaceEvents":         "0",
	"GetServerVersion":                "0",
	"IsModuleNameBusy":                "0",
	"KeyExists":                       "0",
	"PublishMessage":                  "0",
	"PublishMessageShard":             "0",
	"Scan":                            "0",
	"ScanKey":                         "0",
	// Non-zero asks the defrag callback to stop, the safe answer.
	"DefragShouldStop": "1",
	// A context with no other flag set is a master's.
	"GetContextFlags": "C.REDISMODULE_CTX_FLAGS_MASTER",
	// Redis returns REDISMODULE_NO_EXPIRE for "no TTL" and for errors.
	"GetExpire":    "C.REDISMODULE_NO_EXPIRE",
	"GetAbsExpire": "C.REDISMODULE_NO_EXPIRE",
	// The trims return the number of entries deleted, -1 on error.
	"StreamTrimByID":     "-1",
	"StreamTrimByLength": "-1",
}

// failValue is the Go expression a guarded export returns when its
// implementation panics: the override if there is one, else the usual error
// return of f's C type (REDISMODULE_ERR for int, NULL for pointers, 0 for
// other numbers); "" for void functions and zero values that need no
// assignment.
func failValue(f apiFunc) string {
	if v, ok := failOverride[f.Name]; ok {
		return v
	}
	switch {
	case f.Return == "void":
		return ""
	case f.Return == "int":
		return "C.REDISMODULE_ERR"
	default:
		return "" // NULL or 0: the zero value of the result
	}
}

// guardCtx is the Go expression of the context whose module and command a
// panic report names: the first parameter when it is a context, the
// context of a key or an IO handle, nil otherwise.
func guardCtx(im impl) string {
	params := splitParams(im.GoParams)
	if len(params) == 0 {
		return "nil"
	}
	f := strings.Fields(params[0])
	if len(f) != 2 {
		return "nil"
	}
	switch f[1] {
	case "*C.RedisModuleCtx":
		return f[0]
	case "*C.RedisModuleKey":
		return "keyCtx(" + f[0] + ")"
	case "*C.RedisModuleIO":
		return "ioCtx(" + f[0] + ")"
	}
	return "nil"
}

// emitExports writes host/exports_gen.go: one //export mhgo_<Name> per Go
// implementation, guarding the call to api<Name>.
func emitExports(funcs []apiFunc, impls map[string]impl) ([]byte, error) {
	var goImpls []apiFunc
	incSet := map[string]bool{}
	usesUnsafe := false
	for _, f := range sortedImpls(funcs, impls) {
		im := impls[f.Name]
		if im.Lang != "Go" {
			continue
		}
		goImpls = append(goImpls, f)
		for _, inc := range im.Includes {
			incSet[inc] = true
		}
		if strings.Contains(im.GoParams+im.GoResult, "unsafe.") {
			usesUnsafe = true
		}
	}
	var incs []string
	for inc := range incSet {
		incs = append(incs, inc)
	}
	sort.Slice(incs, func(i, j int) bool {
		si, sj := strings.Contains(incs[i], "<"), strings.Contains(incs[j], "<")
		if si != sj {
			return si
		}
		return incs[i] < incs[j]
	})
	var b bytes.Buffer
	fmt.Fprintf(&b, "// %s\n\npackage host\n\n", genNote)
	b.WriteString("// The C entry points of the Go-implemented API functions. Each export\n")
	b.WriteString("// calls its implementation api<Name> under guardExport, which logs a Go\n")
	b.WriteString("// panic with the module, command and function and makes the function\n")
	b.WriteString("// return its error value instead of unwinding through module C frames.\n\n")
	b.WriteString("/*\n")
	for _, inc := range incs {
		b.WriteString(inc + "\n")
	}
	b.WriteString("*/\nimport \"C\"\n\n")
	if usesUnsafe {
		b.WriteString("import \"unsafe\"\n\n")
	}
	for _, f := range goImpls {
		im := impls[f.Name]
		fmt.Fprintf(&b, "// mhgo_%s is the export of RedisModule_%s (%s).\n//\n//export mhgo_%s\n", f.Name, f.Name, im.File, f.Name)
		call := fmt.Sprintf("api%s(%s)", f.Name, strings.Join(im.ArgNames, ", "))
		guard := fmt.Sprintf("\tdefer guardExport(%s, %q)\n", guardCtx(im), f.Name)
		if im.GoResult == "" {
			fmt.Fprintf(&b, "func mhgo_%s(%s) {\n%s\t%s\n}\n\n", f.Name, im.GoParams, guard, call)
			continue
		}
		fmt.Fprintf(&b, "func mhgo_%s(%s) (r %s) {\n", f.Name, im.GoParams, im.GoResult)
		if v := failValue(f); v != "" {
			fmt.Fprintf(&b, "\tr = %s\n", v)
		}
		fmt.Fprintf(&b, "%s\treturn %s\n}\n\n", guard, call)
	}
	return format.Source(b.Bytes())
}
