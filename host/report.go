package host

// What a loaded module registered, for `modhost check`: its commands with
// their key specs and ACL categories, data types with the callbacks they
// have, configurations, server-event subscriptions and options.

/*
#include "api_type.h"
*/
import "C"

import (
	"sort"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/internal/config"
)

// ModuleReport describes one loaded module.
type ModuleReport struct {
	Name       string          `json:"name"`
	Version    int             `json:"version"`
	APIVersion int             `json:"api_version"`
	Options    []string        `json:"options"`
	Commands   []CommandReport `json:"commands"`
	Types      []TypeReport    `json:"types"`
	Configs    []ConfigReport  `json:"configs"`
	Events     []EventReport   `json:"events"`
}

// CommandReport describes one module command or subcommand as the server
// sees it (COMMAND INFO's view).
type CommandReport struct {
	// Name is the full name, "parent|sub" for a subcommand.
	Name string `json:"name"`
	// Flags are the COMMAND INFO flag names.
	Flags []string `json:"flags"`
	// ModuleFlags are the declared flags the server table has no bit for
	// (getkeys-api, getchannels-api, no-cluster).
	ModuleFlags []string        `json:"module_flags"`
	Arity       int             `json:"arity"`
	FirstKey    int             `json:"first_key"`
	LastKey     int             `json:"last_key"`
	KeyStep     int             `json:"key_step"`
	KeySpecs    []KeySpecReport `json:"key_specs"`
	ACL         []string        `json:"acl_categories"`
	// InfoSet is true when the module called SetCommandInfo.
	InfoSet     bool            `json:"command_info"`
	Subcommands []CommandReport `json:"subcommands"`
}

// KeySpecReport is one key specification in words.
type KeySpecReport struct {
	Flags []string `json:"flags"`
	// BeginSearch is "index N", "keyword K startfrom N" or "unknown".
	BeginSearch string `json:"begin_search"`
	// FindKeys is "range lastkey N keystep N limit N",
	// "keynum keynumidx N firstkey N keystep N" or "unknown".
	FindKeys string `json:"find_keys"`
	Notes    string `json:"notes,omitempty"`
}

// TypeReport describes one module data type.
type TypeReport struct {
	Name string `json:"name"`
	// EncodingVersion is CreateDataType's encver.
	EncodingVersion int `json:"encoding_version"`
	// MethodsVersion is the version of the module's RedisModuleTypeMethods.
	MethodsVersion int `json:"methods_version"`
	// Callbacks are the names of the callbacks the type has, in struct order.
	Callbacks []string `json:"callbacks"`
	// AuxSaveTriggers is the aux_save_triggers field.
	AuxSaveTriggers int `json:"aux_save_triggers"`
}

// ConfigReport describes one module configuration.
type ConfigReport struct {
	Name  string   `json:"name"` // "<module>.<name>"
	Kind  string   `json:"kind"` // bool, numeric, string, enum
	Flags []string `json:"flags"`
	Value string   `json:"value"`
}

// EventReport is one server-event subscription.
type EventReport struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	// Fired says whether modhost ever fires the event.
	Fired bool `json:"fired"`
}

// LastLoadAPIs returns the names the module loaded last (successfully or
// not) asked GetApi for during its OnLoad, in request order.
func (s *System) LastLoadAPIs() []APIRequest { return append([]APIRequest(nil), s.lastAPIs...) }

// Report describes the loaded module called name, or returns nil.
func (s *System) Report(name string) *ModuleReport {
	m := s.Module(name)
	if m == nil {
		return nil
	}
	r := &ModuleReport{Name: m.Name, Version: m.Version, APIVersion: m.APIVersion, Options: nonNil(m.optionNames()),
		Commands: []CommandReport{}, Types: []TypeReport{}, Configs: []ConfigReport{}, Events: []EventReport{}}
	for _, mc := range m.cmds {
		r.Commands = append(r.Commands, mc.report())
	}
	for _, t := range liveTypes() {
		if t.mod == m {
			r.Types = append(r.Types, t.report())
		}
	}
	for _, spec := range s.srv.Config().ModuleConfigSpecs(m.Name) {
		r.Configs = append(r.Configs, s.configReport(spec))
	}
	for _, l := range s.ext.listeners {
		if l.mod == m {
			r.Events = append(r.Events, EventReport{ID: int(l.id), Name: eventName(l.id), Fired: eventFired[l.id]})
		}
	}
	sort.Slice(r.Events, func(i, j int) bool { return r.Events[i].ID < r.Events[j].ID })
	return r
}

// report describes mc and its subcommands.
func (mc *command) report() CommandReport {
	hc := mc.hc
	cr := CommandReport{Name: hc.FullName, Flags: nonNil(hc.Flags.InfoNames()), ModuleFlags: []string{},
		Arity: hc.Arity, FirstKey: hc.FirstKey, LastKey: hc.LastKey, KeyStep: hc.KeyStep,
		KeySpecs: []KeySpecReport{}, ACL: nonNil(hc.Categories()), InfoSet: mc.info != nil,
		Subcommands: []CommandReport{}}
	for _, f := range []struct {
		on   bool
		name string
	}{{mc.extra.getkeys, "getkeys-api"}, {mc.extra.getchannels, "getchannels-api"}, {mc.extra.noCluster, "no-cluster"}} {
		if f.on {
			cr.ModuleFlags = append(cr.ModuleFlags, f.name)
		}
	}
	for _, ks := range hc.Specs() {
		cr.KeySpecs = append(cr.KeySpecs, keySpecReport(ks))
	}
	for _, sub := range mc.subs {
		cr.Subcommands = append(cr.Subcommands, sub.report())
	}
	return cr
}

// keySpecReport puts a key spec in words.
func keySpecReport(ks commands.KeySpec) KeySpecReport {
	r := KeySpecReport{Flags: ks.Flags.Names(), BeginSearch: "unknown", FindKeys: "unknown", Notes: ks.Notes}
	switch ks.Begin {
	case commands.SearchIndex:
		r.BeginSearch = sprintf("index %d", ks.Index)
	case commands.SearchKeyword:
		r.BeginSearch = sprintf("keyword %q startfrom %d", ks.Keyword, ks.Index)
	}
	switch ks.Find {
	case commands.FindRange:
		r.FindKeys = sprintf("range lastkey %d keystep %d limit %d", ks.FK[0], ks.FK[1], ks.FK[2])
	case commands.FindKeynum:
		r.FindKeys = sprintf("keynum keynumidx %d firstkey %d keystep %d", ks.FK[0], ks.FK[1], ks.FK[2])
	}
	return r
}

// report describes the type and the callbacks it has.
func (t *moduleType) report() TypeReport {
	m := &t.c.m
	r := TypeReport{Name: t.name, EncodingVersion: int(t.c.encver), MethodsVersion: int(m.version),
		AuxSaveTriggers: int(m.aux_save_triggers), Callbacks: []string{}}
	for _, cb := range []struct {
		set  bool
		name string
	}{
		{m.rdb_load != nil, "rdb_load"}, {m.rdb_save != nil, "rdb_save"},
		{m.aof_rewrite != nil, "aof_rewrite"}, {m.mem_usage != nil, "mem_usage"},
		{m.digest != nil, "digest"}, {m.free != nil, "free"},
		{m.aux_load != nil, "aux_load"}, {m.aux_save != nil, "aux_save"},
		{m.free_effort != nil, "free_effort"}, {m.unlink != nil, "unlink"},
		{m.copy != nil, "copy"}, {m.defrag != nil, "defrag"},
		{m.mem_usage2 != nil, "mem_usage2"}, {m.free_effort2 != nil, "free_effort2"},
		{m.unlink2 != nil, "unlink2"}, {m.copy2 != nil, "copy2"}, {m.aux_save2 != nil, "aux_save2"},
	} {
		if cb.set {
			r.Callbacks = append(r.Callbacks, cb.name)
		}
	}
	return r
}

// configReport describes one module configuration with its current value.
func (s *System) configReport(spec *config.ModuleConfigSpec) ConfigReport {
	r := ConfigReport{Name: spec.FullName(), Kind: configKindNames[spec.Kind], Flags: []string{}}
	for _, f := range []struct {
		bit  int
		name string
	}{
		{config.ModConfImmutable, "immutable"}, {config.ModConfSensitive, "sensitive"},
		{config.ModConfHidden, "hidden"}, {config.ModConfProtected, "protected"},
		{config.ModConfDenyLoading, "deny-loading"}, {config.ModConfMemory, "memory"},
		{config.ModConfBitflags, "bitflags"},
	} {
		if spec.Flags&f.bit != 0 {
			r.Flags = append(r.Flags, f.name)
		}
	}
	if kv := s.srv.Config().Get(spec.FullName()); len(kv) == 1 {
		r.Value = kv[0][1]
	}
	return r
}

var configKindNames = map[config.ModuleConfigKind]string{
	config.ModuleBool: "bool", config.ModuleNumeric: "numeric",
	config.ModuleString: "string", config.ModuleEnum: "enum",
}

// eventNames are the names of REDISMODULE_EVENT_* ids, as in RedisModuleEvent_*.
var eventNames = []string{"ReplicationRoleChanged", "Persistence", "FlushDB", "Loading",
	"ClientChange", "Shutdown", "ReplicaChange", "MasterLinkChange", "CronLoop",
	"ModuleChange", "LoadingProgress", "SwapDB", "ReplBackup", "ForkChild",
	"ReplAsyncLoad", "EventLoop", "Config", "Key"}

// eventName names an event id.
func eventName(id uint64) string {
	if id < uint64(len(eventNames)) {
		return eventNames[id]
	}
	return sprintf("event-%d", id)
}

// eventFired are the events modhost fires: the server's (ServerEvent ids)
// and the two the host fires itself (module change, config).
var eventFired = map[uint64]bool{
	uint64(EventPersistence): true, uint64(EventFlushDB): true,
	uint64(EventLoading): true, uint64(EventClientChange): true,
	uint64(EventShutdown): true, uint64(EventCronLoop): true,
	uint64(EventModuleChange): true, uint64(EventSwapDB): true,
	uint64(EventLoadingProgress): true,
	uint64(EventConfig):          true, uint64(EventReplicationRoleChanged): true,
	uint64(EventMasterLinkChange): true, uint64(EventReplicaChange): true,
	uint64(EventKey): true,
}

// nonNil makes a nil list empty, so JSON shows [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
