package abi

// Regenerates api_gen.go, host/getapi_gen.c, host/api_gen.h, host/exports_gen.go
// and docs/API.md from redismodule.h and the implementations in
// host. TestGeneratedFilesAreFresh (abi/gen) fails when they are stale.
//go:generate go run ./gen
