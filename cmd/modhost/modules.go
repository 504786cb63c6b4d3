package main

import (
	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/host/config"
	"github.com/modhost/modhost/host/logging"
)

// installModules loads the modules named by loadmodule directives. Until
// the module system is wired in, any loadmodule directive is a start-up
// error, stated plainly.
func installModules(srv *host.Server, cfg *config.Config, log *logging.Logger) error {
	specs := cfg.LoadModules()
	if len(specs) == 0 {
		return nil
	}
	for _, m := range specs {
		log.Warningf("Module %s failed to load: module loading is not available in this build", m.Path)
	}
	return errModulesUnavailable
}

type moduleError string

func (e moduleError) Error() string { return string(e) }

const errModulesUnavailable = moduleError("module loading is not available")
