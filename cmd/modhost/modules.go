package main

import (
	"errors"

	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/server"
)

// errModuleStartup stops the server when a start-up module fails to load.
var errModuleStartup = errors.New("module start-up failure")

// installModules installs the module system (MODULE command, INFO modules)
// and loads the modules named by loadmodule directives, in order, as Redis
// does after "Server initialized". A module that fails to load aborts the
// start with Redis's log line. cl is the cluster node (nil when
// cluster-enabled is no) the module Cluster API works on.
func installModules(srv *server.Server, cfg *config.Config, log *logging.Logger, cl host.ClusterNode) error {
	sys := host.New(srv.ModuleHost())
	srv.Modules = sys
	srv.Lock()
	defer srv.Unlock()
	if cl != nil {
		sys.SetCluster(cl)
	}
	for _, spec := range cfg.LoadModules() {
		if sys.Load(spec.Path, spec.Args) != nil {
			log.Warningf("Can't load module from %s: server aborting", spec.Path)
			return errModuleStartup
		}
	}
	if len(cfg.ModuleConfigs()) > 0 {
		log.Warningf("Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting")
		return errModuleStartup
	}
	return nil
}
