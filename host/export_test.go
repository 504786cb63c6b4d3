package host

import "github.com/modhost/modhost/internal/logging"

// Hooks the external test package (server_link_test.go) fills in: host
// cannot import the server, but its tests need a real one.
var (
	// TestNewSystem makes a server (not listening) logging to log, with a
	// module system installed.
	TestNewSystem func(log *logging.Logger) *System
	// TestNewClient makes a connectionless client of no server.
	TestNewClient func() Client
)
