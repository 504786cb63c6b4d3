package commands

// The command table as package acl sees it: *Command implements
// acl.Command (names, categories, keys and channels of a call).

import "github.com/modhost/modhost/acl"

// ACLName implements acl.Command.
func (c *Command) ACLName() string { return c.FullName }

// ACLParent implements acl.Command.
func (c *Command) ACLParent() acl.Command {
	if c.Parent == nil {
		return nil
	}
	return c.Parent
}

// ACLHasSubcommands implements acl.Command.
func (c *Command) ACLHasSubcommands() bool { return len(c.Subs) > 0 }

// ACLCategories implements acl.Command: the categories COMMAND INFO shows.
func (c *Command) ACLCategories() uint64 { return acl.CategoryBits(c.Categories()) }

// ACLNoAuth implements acl.Command.
func (c *Command) ACLNoAuth() bool { return c.Flags&FlagNoAuth != 0 }

// ACLHasKeys implements acl.Command.
func (c *Command) ACLHasKeys() bool { return c.HasKeys() }

// ACLKeys implements acl.Command: the keys COMMAND GETKEYSANDFLAGS finds,
// needing read for "access" and write for insert, update and delete.
func (c *Command) ACLKeys(args [][]byte) []acl.KeyRef {
	keys, _ := c.Keys(args)
	out := make([]acl.KeyRef, len(keys))
	for i, k := range keys {
		out[i] = acl.KeyRef{Pos: k.Pos, Need: KeyNeed(k.Flags)}
	}
	return out
}

// KeyNeed maps key-spec flags to the ACL access they need.
func KeyNeed(f KeyFlag) int {
	need := 0
	if f&KeyAccess != 0 {
		need |= acl.Read
	}
	if f&(KeyInsert|KeyUpdate|KeyDelete) != 0 {
		need |= acl.Write
	}
	return need
}

// coreChannels are the pub/sub commands with channel arguments (Redis's
// commands_with_channels): flags, first position, count (-1: the rest).
var coreChannels = map[string]struct{ flags, first, count int }{
	"subscribe":    {acl.ChannelSubscribe, 1, -1},
	"ssubscribe":   {acl.ChannelSubscribe, 1, -1},
	"unsubscribe":  {acl.ChannelUnsubscribe, 1, -1},
	"sunsubscribe": {acl.ChannelUnsubscribe, 1, -1},
	"psubscribe":   {acl.ChannelPattern | acl.ChannelSubscribe, 1, -1},
	"punsubscribe": {acl.ChannelPattern | acl.ChannelUnsubscribe, 1, -1},
	"publish":      {acl.ChannelPublish, 1, 1},
	"spublish":     {acl.ChannelPublish, 1, 1},
}

// ACLChannels implements acl.Command: the channel arguments of the core
// pub/sub commands, or those a module command reports (getchannels-api).
func (c *Command) ACLChannels(args [][]byte) []acl.ChannelRef {
	if c.Module != "" {
		if c.GetChannels != nil {
			return c.GetChannels(args)
		}
		return nil
	}
	spec, ok := coreChannels[c.FullName]
	if !ok {
		return nil
	}
	stop := len(args)
	if spec.count >= 0 && spec.first+spec.count < stop {
		stop = spec.first + spec.count
	}
	var out []acl.ChannelRef
	for i := spec.first; i < stop; i++ {
		out = append(out, acl.ChannelRef{Pos: i, Flags: spec.flags})
	}
	return out
}
