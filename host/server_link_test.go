package host_test

import (
	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/server"
)

// The in-package tests run modules in a real server; this package may
// import it (host itself must not).
func init() {
	host.TestNewSystem = func(log *logging.Logger) *host.System {
		srv := server.New(config.New(), log)
		sys := host.New(srv.ModuleHost())
		srv.Modules = sys
		return sys
	}
	host.TestNewClient = func() host.Client { return &server.Client{} }
}
