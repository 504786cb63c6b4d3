package commands

import (
	"strings"

	"github.com/modhost/modhost/acl"
)

// CmdFlag is a bit set of Redis command flags (the COMMAND INFO flags).
type CmdFlag uint32

// Command flags, named as Redis names them in COMMAND INFO.
const (
	FlagWrite CmdFlag = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagModule
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMandatoryKeys
	FlagNoMulti
	FlagMovableKeys
	FlagAllowBusy
	FlagAsking
	FlagNoAsyncLoading
)

var flagNames = []struct {
	flag CmdFlag
	name string
}{
	{FlagWrite, "write"}, {FlagReadonly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagModule, "module"}, {FlagAdmin, "admin"}, {FlagPubSub, "pubsub"},
	{FlagNoScript, "noscript"}, {FlagBlocking, "blocking"}, {FlagLoading, "loading"},
	{FlagStale, "stale"}, {FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"},
	{FlagFast, "fast"}, {FlagNoAuth, "no_auth"}, {FlagMayReplicate, "may_replicate"},
	{FlagNoMandatoryKeys, "no_mandatory_keys"}, {FlagNoMulti, "no_multi"},
	{FlagMovableKeys, "movablekeys"}, {FlagAllowBusy, "allow_busy"},
	{FlagAsking, "asking"}, {FlagNoAsyncLoading, "no_async_loading"},
}

// infoFlagOrder is the order in which COMMAND INFO lists flags; Redis hides
// may_replicate there on purpose.
var infoFlagOrder = []CmdFlag{
	FlagWrite, FlagReadonly, FlagDenyOOM, FlagModule, FlagAdmin, FlagPubSub,
	FlagNoScript, FlagBlocking, FlagLoading, FlagStale, FlagSkipMonitor,
	FlagSkipSlowlog, FlagAsking, FlagFast, FlagNoAuth, FlagNoMandatoryKeys,
	FlagNoAsyncLoading, FlagNoMulti, FlagMovableKeys, FlagAllowBusy,
}

// InfoNames returns the flag names COMMAND INFO shows, in its order.
func (f CmdFlag) InfoNames() []string {
	var out []string
	for _, bit := range infoFlagOrder {
		if f&bit == 0 {
			continue
		}
		for _, fn := range flagNames {
			if fn.flag == bit {
				out = append(out, fn.name)
			}
		}
	}
	return out
}

// Names returns the flag names in COMMAND INFO order.
func (f CmdFlag) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.flag != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

// ParseCmdFlags turns a space separated flag string in the server's own
// table notation (e.g. "write denyoom fast") into flags. Unknown words panic:
// the table is ours and a typo is a programming error.
func ParseCmdFlags(s string) CmdFlag {
	var f CmdFlag
	for _, w := range strings.Fields(s) {
		found := false
		for _, fn := range flagNames {
			if fn.name == w {
				f |= fn.flag
				found = true
			}
		}
		if !found {
			panic("commands: unknown command flag " + w)
		}
	}
	return f
}

// Handler executes one command for a client. args[0] is the command name.
// args alias the connection's read buffer: a handler that keeps any byte
// slice beyond its return must copy it.
type Handler func(c Client, args [][]byte)

// GetKeysFunc returns the positions of the key arguments of a command whose
// keys cannot be described by FirstKey/LastKey/KeyStep (movable keys).
type GetKeysFunc func(args [][]byte) []int

// Command is one entry of the command table.
type Command struct {
	Name     string // lower-case name ("get", or "setname" for a subcommand)
	FullName string // "get" or "client|setname"
	Arity    int    // Redis arity: N exact, -N at least N (includes the name)
	Flags    CmdFlag
	FirstKey int
	LastKey  int
	KeyStep  int
	ACL      []string // ACL categories without the '@'
	Group    string   // COMMAND DOCS group ("string", "server", "module" ...)
	Since    string
	Summary  string
	// KeySpecs describe where the keys are (COMMAND INFO, GETKEYS); data
	// commands declare theirs in their family's table.
	KeySpecs []KeySpec
	// Tips are the command tips ("nondeterministic_output" ...).
	Tips []string
	// Docs holds the optional COMMAND DOCS fields (nil: none).
	Docs    *CommandDocs
	Handler Handler
	GetKeys GetKeysFunc
	// GetKeysFlags, when set, is used instead of GetKeys: the key
	// positions with their access flags (module KeyAtPosWithFlags).
	GetKeysFlags func(args [][]byte) []KeyRef
	// DynFlags, when set, gives the flags of one call from its arguments
	// (Redis's getCommandFlags: EVAL and FCALL take their write, deny-oom
	// and stale flags from the script's flags).
	DynFlags func(c *Command, args [][]byte) CmdFlag
	// GetChannels, when set, returns the channel arguments of a module
	// command (getchannels-api) for the ACL checks.
	GetChannels func(args [][]byte) []acl.ChannelRef
	Parent      *Command
	Subs        map[string]*Command
	Module      string // owning module name, "" for core commands
	// Protected names the enable-*-command option that gates this command.
	Protected string

	// Per-command statistics for INFO commandstats (guarded by the server lock).
	Calls, Usec, RejectedCalls, FailedCalls int64
	// StatsID is a small number the server gives the command the first
	// time it records per-command state that lives outside this package
	// (the INFO latencystats histogram); 0 means none yet.
	StatsID int
}

// AddSub registers a subcommand under c and returns it.
func (c *Command) AddSub(sub *Command) *Command {
	if c.Subs == nil {
		c.Subs = map[string]*Command{}
	}
	sub.Parent = c
	sub.FullName = c.Name + "|" + sub.Name
	if sub.Group == "" {
		sub.Group = c.Group
	}
	c.Subs[sub.Name] = sub
	acl.Invalidate()
	return sub
}

// KeyPositions returns the indexes of key arguments in args, found as
// COMMAND GETKEYS finds them (key specs first, then the GetKeys function).
func (c *Command) KeyPositions(args [][]byte) []int {
	keys, _ := c.Keys(args)
	out := make([]int, len(keys))
	for i, k := range keys {
		out[i] = k.Pos
	}
	return out
}

// FlagsFor returns the flags of the call of c with args: DynFlags's
// answer when the command has one, else Flags.
func (c *Command) FlagsFor(args [][]byte) CmdFlag {
	if c.DynFlags != nil {
		return c.DynFlags(c, args)
	}
	return c.Flags
}

// ArityOK reports whether argc satisfies the command's arity.
func (c *Command) ArityOK(argc int) bool {
	if c.Arity > 0 {
		return argc == c.Arity
	}
	return argc >= -c.Arity
}
