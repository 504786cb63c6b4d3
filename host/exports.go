package host

// This file holds only //export functions: cgo forbids C definitions in the
// preamble of a file that exports to C, so the preamble is empty.

import "C"

// ServerVersion is the Redis version modhost reports to modules, encoded as
// 0x00MMmmpp (major, minor, patch).
const ServerVersion = 0x00070400

// mhgo_GetServerVersion implements RedisModule_GetServerVersion.
//
//export mhgo_GetServerVersion
func mhgo_GetServerVersion() C.int {
	return C.int(ServerVersion)
}
