package host

import "C"

// ServerVersion is the Redis version modhost reports to modules, encoded as
// 0x00MMmmpp (major, minor, patch).
const ServerVersion = 0x00070400

// apiGetServerVersion implements RedisModule_GetServerVersion.
func apiGetServerVersion() C.int {
	return C.int(ServerVersion)
}
