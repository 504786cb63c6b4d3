package abi

// Regenerates api_gen.go, host/module/getapi_gen.c, host/module/api_gen.h
// and docs/API.md from redismodule.h and the implementations in
// host/module. TestGeneratedFilesAreFresh (abi/gen) fails when they are stale.
//go:generate go run ./gen
