package commands

import "strings"

// Entry is one row of a family's command table, in the notation the family
// files use: flags, key specs, tips and ACL categories as space separated
// words. Command turns it into the command table's *Command.
type Entry struct {
	Name  string // lower-case name ("get", or "encoding" for a subcommand)
	Arity int    // Redis arity: N exact, -N at least N (includes the name)
	// Flags are the COMMAND INFO flags in ParseCmdFlags notation
	// ("write denyoom fast").
	Flags string
	// FirstKey, LastKey and KeyStep are COMMAND INFO's legacy key range.
	FirstKey, LastKey, KeyStep int
	// KeySpecs are the Redis 7 key specs in ParseKeySpecs notation
	// ("RW access update: i1 r0,1,0").
	KeySpecs string
	// Tips are the command tips ("nondeterministic_output").
	Tips string
	// ACL are the ACL categories without '@' ("write string fast").
	ACL                   string
	Group, Since, Summary string
	Docs                  *CommandDocs
	Handler               Handler
	// GetKeys finds the keys of a movable-keys command.
	GetKeys GetKeysFunc
	// GetKeysFlags finds the keys with per-key flags (commands whose key
	// specs carry variable_flags).
	GetKeysFlags func(args [][]byte) []KeyRef
	// DynFlags gives the flags of one call (Command.DynFlags).
	DynFlags func(c *Command, args [][]byte) CmdFlag
	// Subs are the subcommands of a container command.
	Subs []Entry
}

// Command builds the command table entry, with its subcommands.
func (e *Entry) Command() *Command {
	c := &Command{
		Name: e.Name, FullName: e.Name, Arity: e.Arity, Flags: ParseCmdFlags(e.Flags),
		FirstKey: e.FirstKey, LastKey: e.LastKey, KeyStep: e.KeyStep,
		KeySpecs: ParseKeySpecs(e.KeySpecs), ACL: strings.Fields(e.ACL),
		Group: e.Group, Since: e.Since, Summary: e.Summary, Docs: e.Docs,
		Handler: e.Handler, GetKeys: e.GetKeys, GetKeysFlags: e.GetKeysFlags,
		DynFlags: e.DynFlags,
	}
	if e.Tips != "" {
		c.Tips = strings.Fields(e.Tips)
	}
	for i := range e.Subs {
		c.AddSub(e.Subs[i].Command())
	}
	return c
}

// noop is the handler of container commands, whose subcommands run instead.
func noop(Client, [][]byte) {}

// Tables returns every family's command table. The server adds them to its
// command table at start-up.
func Tables() [][]Entry {
	return [][]Entry{
		genericCommands, migrateTable, expireCommands, scanCommands, objectCommands,
		stringCommands, bitCommands, bitfieldCommands, lcsCommands, sortCommands,
		listCommands, blockingListCommands,
		hashCommands, hashExpireCommands, setCommands, zsetCommands, geoCommands, streamCommands, streamGroupCommands,
		hllCommands,
	}
}

// DebugSubcommands returns the DEBUG subcommands that work on the data
// (POPULATE, OBJECT), by lower-case name.
func DebugSubcommands() map[string]Handler {
	return map[string]Handler{"populate": debugPopulate, "object": debugObject}
}
