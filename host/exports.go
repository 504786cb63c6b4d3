package host

// This file holds only //export functions: cgo forbids C definitions in the
// preamble of a file that exports to C, so the preamble is empty.

import "C"

import "github.com/modhost/modhost/internal/buildinfo"

// ServerVersion is the Redis version modhost reports to modules
// (buildinfo.RedisVersion), encoded as 0x00MMmmpp (major, minor, patch).
var ServerVersion = buildinfo.RedisVersionNum()

// mhgo_GetServerVersion implements RedisModule_GetServerVersion.
//
//export mhgo_GetServerVersion
func mhgo_GetServerVersion() C.int {
	return C.int(ServerVersion)
}
