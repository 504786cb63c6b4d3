package host

// "Module information" exports and the MODULE command. This file exports
// to C, so its preamble only declares.

/*
#include "loader.h"
*/
import "C"

import (
	"fmt"
	"strings"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/server"
)

// apiSetModuleAttribs implements RedisModule_SetModuleAttribs, which
// RedisModule_Init calls to name the module being loaded. As in Redis it
// only has an effect once per context, and only in OnLoad (elsewhere the
// module already has its attributes).
func apiSetModuleAttribs(ctx *C.RedisModuleCtx, name *C.char, ver C.int, apiver C.int) {
	st := stateOf(ctx)
	if st == nil || st.mod != nil || st.loading == nil || name == nil {
		return
	}
	m := st.loading
	m.Name = C.GoString(name)
	m.Version, m.APIVersion = int(ver), int(apiver)
	m.cname = C.CString(m.Name)
	st.mod = m
	ctx.module_name = m.cname
}

// apiIsModuleNameBusy implements RedisModule_IsModuleNameBusy: non-zero
// when a loaded module has that name. RedisModule_Init uses it to fail a
// second load of the same module.
func apiIsModuleNameBusy(name *C.char) (busy C.int) {
	if name != nil && nameBusy(C.GoString(name)) {
		return 1
	}
	return 0
}

// apiSetModuleOptions implements RedisModule_SetModuleOptions: records
// the REDISMODULE_OPTIONS_* flags (shown by INFO modules). modhost has no
// replication or RDB I/O errors yet, so the flags change nothing else.
//
// modhost:partial options are recorded and reported, not acted on
func apiSetModuleOptions(ctx *C.RedisModuleCtx, options C.int) {
	if m := ctxModule(ctx); m != nil {
		m.options = int(options)
	}
}

// Replies of the MODULE command (Redis's texts).
const (
	msgLoadFailed = "ERR Error loading the extension. Please check the server logs."
	msgUnloadFmt  = "ERR Error unloading module: %s"
)

var moduleHelp = []string{
	"MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"LIST",
	"    Return a list of loaded modules.",
	"LOAD <path> [<arg> ...]",
	"    Load a module library from <path>, passing to it any optional arguments.",
	"LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
	"    Load a module library from <path>, while passing it module configurations and optional arguments.",
	"UNLOAD <name>",
	"    Unload a module.",
	"STRICT-REPORT [RESET]",
	"    Return the module API misuses diagnosed so far (RESET: forget them).",
	"HELP",
	"    Print this help.",
}

// registerModuleCommand adds MODULE and its subcommands; LOAD, LOADEX and
// UNLOAD are gated by enable-module-command.
func registerModuleCommand(s *System) {
	admin := commands.ParseCmdFlags("admin noscript")
	const protected = "enable-module-command" // LOAD, LOADEX and UNLOAD only, as in Redis
	acl := []string{"admin", "slow", "dangerous"}
	mc := &commands.Command{Name: "module", Arity: -2, Group: "server", Since: "4.0.0",
		Summary: "A container for module commands.", ACL: []string{"slow"},
		Handler: serverHandler(func(c *server.Client, a [][]byte) { c.Error("ERR unknown subcommand") })}
	mc.AddSub(&commands.Command{Name: "help", Arity: 2, Flags: commands.ParseCmdFlags("loading stale"), Since: "5.0.0",
		Summary: "Returns helpful text about the different subcommands.", ACL: []string{"slow"},
		Handler: serverHandler(func(c *server.Client, a [][]byte) {
			c.W.ArrayLen(len(moduleHelp))
			for _, l := range moduleHelp {
				c.W.SimpleString(l)
			}
		})})
	mc.AddSub(&commands.Command{Name: "list", Arity: 2, Flags: admin, Since: "4.0.0", ACL: acl,
		Summary: "Returns all loaded modules.", Handler: serverHandler(s.cmdList)})
	mc.AddSub(&commands.Command{Name: "load", Protected: protected, Arity: -3, Flags: admin, Since: "4.0.0", ACL: acl,
		Summary: "Loads a module.", Handler: serverHandler(s.cmdLoad)})
	mc.AddSub(&commands.Command{Name: "loadex", Protected: protected, Arity: -3, Flags: admin, Since: "7.0.0", ACL: acl,
		Summary: "Loads a module using extended parameters.", Handler: serverHandler(s.cmdLoadEx)})
	mc.AddSub(&commands.Command{Name: "unload", Protected: protected, Arity: 3, Flags: admin, Since: "4.0.0", ACL: acl,
		Summary: "Unloads a module.", Handler: serverHandler(s.cmdUnload)})
	mc.AddSub(&commands.Command{Name: "strict-report", Arity: -2, Flags: admin, Since: "7.4.0", ACL: acl,
		Summary: "Returns the module API misuses diagnosed (modhost).", Handler: serverHandler(s.cmdStrictReport)})
	s.srv.Cmds.Add(mc)
}

func (s *System) cmdList(c *server.Client, a [][]byte) {
	c.WriteModuleList(s.List())
}

func (s *System) cmdLoad(c *server.Client, a [][]byte) {
	if s.Load(string(a[2]), byteStrings(a[3:])) != nil {
		c.Error(msgLoadFailed)
		return
	}
	c.OK()
}

func (s *System) cmdLoadEx(c *server.Client, a [][]byte) {
	configs, args, ok := s.parseLoadEx(byteStrings(a[3:]))
	if !ok || s.LoadEx(string(a[2]), configs, args) != nil {
		c.Error(msgLoadFailed)
		return
	}
	c.OK()
}

// parseLoadEx splits LOADEX's arguments into CONFIG name/value pairs and
// the module arguments after ARGS, logging Redis's notices on bad syntax.
func (s *System) parseLoadEx(rest []string) (configs [][2]string, args []string, ok bool) {
	configs = [][2]string{}
	args = []string{}
	for i := 0; i < len(rest); i++ {
		switch {
		case strings.EqualFold(rest[i], "CONFIG"):
			if i+2 >= len(rest) {
				s.srv.Log.Noticef("CONFIG specified without name value pair")
				return nil, nil, false
			}
			configs = append(configs, [2]string{rest[i+1], rest[i+2]})
			i += 2
		case strings.EqualFold(rest[i], "ARGS"):
			return configs, rest[i+1:], true
		default:
			s.srv.Log.Noticef("Syntax Error from arguments to loadex around %s.", rest[i])
			return nil, nil, false
		}
	}
	return configs, args, true
}

func (s *System) cmdUnload(c *server.Client, a [][]byte) {
	name := string(a[2])
	if err := s.Unload(name); err != nil {
		why := err.Error()
		if err == ErrUnloadCanceled {
			why = "operation not possible."
		}
		c.Error(fmt.Sprintf(msgUnloadFmt, why))
		s.srv.Log.Warningf("Error unloading module %s: %s", name, why)
		return
	}
	c.OK()
}

func byteStrings(a [][]byte) []string {
	out := make([]string, len(a))
	for i, b := range a {
		out[i] = string(b)
	}
	return out
}
