// Command gen generates the module API tables from redismodule.h.
//
// Run it through `go generate ./abi`. It reads the repository's
// redismodule.h and the implementations in host (C functions named
// mh_<Name>, Go functions named api<Name>), and writes abi/api_gen.go,
// host/api_gen.h, host/getapi_gen.c, host/exports_gen.go (the guarded
// //export mhgo_<Name> trampolines of the Go implementations) and
// docs/API.md. With -check it writes nothing and fails if any of those
// files is stale.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

func main() {
	check := flag.Bool("check", false, "only verify that the generated files are up to date")
	flag.Parse()
	if err := run(*check); err != nil {
		fmt.Fprintln(os.Stderr, "abi/gen:", err)
		os.Exit(1)
	}
}

func run(check bool) error {
	root, err := findRoot()
	if err != nil {
		return err
	}
	files, err := generate(root)
	if err != nil {
		return err
	}
	for _, path := range sortedKeys(files) {
		full := filepath.Join(root, path)
		if check {
			old, err := os.ReadFile(full)
			if err != nil || !bytes.Equal(old, files[path]) {
				return fmt.Errorf("%s is stale: run go generate ./abi", path)
			}
			continue
		}
		if err := os.WriteFile(full, files[path], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generate produces every generated file, keyed by repository path.
func generate(root string) (map[string][]byte, error) {
	src, err := os.ReadFile(filepath.Join(root, pathHeader))
	if err != nil {
		return nil, err
	}
	funcs, err := parseHeader(src)
	if err != nil {
		return nil, err
	}
	impls, err := scanHost(filepath.Join(root, pathHost))
	if err != nil {
		return nil, err
	}
	if err := checkImpls(funcs, impls); err != nil {
		return nil, err
	}
	goSrc, err := emitGo(funcs, impls)
	if err != nil {
		return nil, err
	}
	exportsSrc, err := emitExports(funcs, impls)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		pathExports: exportsSrc,
		pathGo:      goSrc,
		pathTableH:  emitTableH(funcs, impls),
		pathTableC:  emitTableC(funcs, impls),
		pathDocs:    emitDocs(funcs, impls),
	}, nil
}

// findRoot walks up from the working directory to the directory of go.mod.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
