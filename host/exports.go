package host

import "C"

import "github.com/modhost/modhost/internal/buildinfo"

// ServerVersion is the Redis version modhost reports to modules
// (buildinfo.RedisVersion), encoded as 0x00MMmmpp (major, minor, patch).
var ServerVersion = buildinfo.RedisVersionNum()

// apiGetServerVersion implements RedisModule_GetServerVersion.
func apiGetServerVersion() C.int {
	return C.int(ServerVersion)
}
