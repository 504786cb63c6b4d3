// Command modhost is a Redis-compatible server that loads unmodified Redis
// modules. Its command line is redis-server's:
//
//	modhost [/path/to/modhost.conf] [--directive value ...]
//	modhost - < config          (read the configuration from stdin)
//	modhost --version | --help
//	modhost check [--json] MODULE.so [ARGS...]   (see check.go)
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/modhost/modhost/cluster"
	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/internal/buildinfo"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/script"
	"github.com/modhost/modhost/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `Usage: modhost [/path/to/modhost.conf] [options] [-]
       modhost - (read config from stdin)
       modhost -v or --version
       modhost -h or --help
       modhost check [--json] MODULE.so [ARGS...] (check a module; check --help)

Examples:
       modhost (run the server with default config)
       modhost /etc/modhost/6379.conf
       modhost --port 7777
       modhost --port 7777 --loadmodule /path/to/module.so arg1 arg2
       modhost /etc/mymodhost.conf --loglevel verbose -
`

// run is main without os.Exit, so tests can drive the command line.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "check" {
		return runCheck(args[1:], stdout, stderr)
	}
	cfg := config.New()
	err := cfg.LoadArgs(args, stdin)
	switch {
	case errors.Is(err, config.ErrVersion):
		fmt.Fprintln(stdout, buildinfo.VersionLine())
		return 0
	case errors.Is(err, config.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case err != nil:
		msg := err.Error()
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		fmt.Fprint(stderr, msg)
		return 1
	}
	level, _ := logging.ParseLevel(cfg.String("loglevel"))
	log, err := logging.New(cfg.String("logfile"), level)
	if err != nil {
		fmt.Fprintf(stderr, "Can't open the log file: %v\n", err)
		return 1
	}
	return serve(cfg, log)
}

// serve starts the server and blocks until it shuts down.
func serve(cfg *config.Config, log *logging.Logger) int {
	pid := os.Getpid()
	log.Noticef("oO0OoO0OoO0Oo modhost is starting oO0OoO0OoO0Oo")
	log.Noticef("Redis version=%s, bits=64, commit=%s, modified=%s, pid=%d, just started (modhost version=%s)", server.RedisVersion, buildinfo.GitSHA1(), buildinfo.GitDirty(), pid, server.Version)
	if cfg.ConfigFile() == "" {
		log.Warningf("Warning: no config file specified, using the default config. In order to specify a config file use modhost /path/to/modhost.conf")
	} else {
		log.Noticef("Configuration loaded")
	}
	srv := server.New(cfg, log)
	if err := srv.AdjustOpenFilesLimit(); err != nil {
		return 1
	}
	srv.AddCommands(commands.Tables(), commands.DebugSubcommands())
	script.Install(srv)
	var clusterNode host.ClusterNode
	if cfg.Bool("cluster-enabled") {
		cl, err := cluster.Install(srv)
		if err != nil {
			log.Warningf("%v", err)
			return 1
		}
		clusterNode = cl
	} else {
		cluster.InstallDisabled(srv)
	}
	for _, rn := range cfg.CommandRenames() {
		if err := srv.Cmds.Rename(rn.From, rn.To); err != nil {
			fmt.Fprint(os.Stderr, (&config.FatalError{Line: rn.Line, Text: rn.Text, Reason: err.Error()}).Error())
			return 1
		}
	}
	if err := srv.Listen(); err != nil {
		log.Warningf("%v", err)
		return 1
	}
	if cfg.Bool("always-show-logo") {
		log.Raw(logging.Notice, startBanner(cfg.Int("port"), pid))
	} else {
		log.Noticef("Running mode=%s, port=%d.", runMode(cfg), cfg.Int("port"))
	}
	if pf := cfg.String("pidfile"); pf != "" {
		if err := os.WriteFile(pf, []byte(fmt.Sprintf("%d\n", pid)), 0o644); err != nil {
			log.Warningf("Failed to write PID file: %v", err)
		}
	}
	log.Noticef("Server initialized")
	if err := installModules(srv, cfg, log, clusterNode); err != nil {
		return 1
	}
	if err := srv.LoadUsersAtStartup(); err != nil {
		return 1
	}
	srv.RecordStartupMemory()
	persist := server.EnablePersistence(srv)
	if sys, ok := srv.Modules.(*host.System); ok {
		sys.AttachRDB() // module data types in RDB files
	}
	if err := persist.LoadAtStartup(); err != nil {
		return 1
	}
	srv.StartReplicaOf()
	for _, kind := range srv.ListenerKinds() {
		log.Noticef("Ready to accept connections %s", kind)
	}
	stop := startProfile()
	go handleSignals(srv)
	_ = srv.Serve()
	persist.ShutdownAOF()
	stop()
	return 0
}

// handleSignals turns SIGTERM/SIGINT into a shutdown, as Redis does.
func handleSignals(srv *server.Server) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	for {
		select {
		case sig := <-ch:
			name := "SIGTERM"
			if sig == syscall.SIGINT {
				name = "SIGINT"
			}
			srv.ShutdownOnSignal(name)
		case <-srv.Done():
			return
		}
	}
}

// startBanner is what modhost logs at start-up instead of the plain
// "Running mode" line when always-show-logo is yes, as Redis logs its
// logo then: the port and the PID on lines of their own (Redis's test
// suite finds the server's PID in it).
func startBanner(port int64, pid int) string {
	return fmt.Sprintf("\n    modhost %s, implementing Redis %s, 64 bit\n"+
		"    Running in standalone mode\n    Port: %d\n    PID: %d\n\n",
		server.Version, server.RedisVersion, port, pid)
}

// runMode is the mode word of the start-up line.
func runMode(cfg *config.Config) string {
	if cfg.Bool("cluster-enabled") {
		return "cluster"
	}
	return "standalone"
}
