package server

// COMMAND DOCS replies: Redis 7's documentation map of a command.

import (
	"github.com/modhost/modhost/resp"

	"github.com/modhost/modhost/commands"
)

// writeCommandDocs writes one command's docs map, with Redis's field order:
// summary, since, group, complexity, module, doc_flags, deprecated_since,
// replaced_by, history, arguments, subcommands.
func writeCommandDocs(w *resp.Writer, cmd *commands.Command) {
	d := cmd.Docs
	if d == nil {
		d = &commands.CommandDocs{}
	}
	fields := []struct {
		name string
		set  bool
	}{
		{"summary", cmd.Summary != ""}, {"since", cmd.Since != ""}, {"group", true},
		{"complexity", d.Complexity != ""}, {"module", cmd.Module != ""},
		{"doc_flags", len(d.DocFlags) > 0}, {"deprecated_since", d.Deprecated != ""},
		{"replaced_by", d.ReplacedBy != ""}, {"history", d.History != nil},
		{"arguments", d.Args != nil}, {"subcommands", cmd.Subs != nil},
	}
	n := 0
	for _, f := range fields {
		if f.set {
			n++
		}
	}
	w.MapLen(n)
	for _, f := range fields {
		if !f.set {
			continue
		}
		w.BulkString(f.name)
		switch f.name {
		case "summary":
			w.BulkString(cmd.Summary)
		case "since":
			w.BulkString(cmd.Since)
		case "group":
			w.BulkString(cmd.Group)
		case "complexity":
			w.BulkString(d.Complexity)
		case "module":
			w.BulkString(cmd.Module)
		case "doc_flags":
			writeStatusSet(w, d.DocFlags, "")
		case "deprecated_since":
			w.BulkString(d.Deprecated)
		case "replaced_by":
			w.BulkString(d.ReplacedBy)
		case "history":
			w.SetLen(len(d.History))
			for _, h := range d.History {
				w.ArrayLen(2)
				w.BulkString(h[0])
				w.BulkString(h[1])
			}
		case "arguments":
			writeDocArgs(w, d.Args)
		case "subcommands":
			subs := sortedSubs(cmd)
			w.MapLen(len(subs))
			for _, sub := range subs {
				w.BulkString(sub.FullName)
				writeCommandDocs(w, sub)
			}
		}
	}
}

// writeDocArgs writes an argument list: each argument a map of name, type,
// display_text (not for oneof/block), key_spec_index, token, summary,
// since, deprecated_since, flags and, for oneof/block, arguments.
func writeDocArgs(w *resp.Writer, args []commands.Arg) {
	w.ArrayLen(len(args))
	for i := range args {
		a := &args[i]
		nested := a.Type == "oneof" || a.Type == "block"
		n := 3
		for _, set := range []bool{a.KeySpecIndex >= 0, a.Token != "", a.Summary != "",
			a.Since != "", a.Deprecated != "", len(a.Flags) > 0} {
			if set {
				n++
			}
		}
		w.MapLen(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type)
		if !nested {
			w.BulkString("display_text")
			if a.Display != "" {
				w.BulkString(a.Display)
			} else {
				w.BulkString(a.Name)
			}
		}
		if a.KeySpecIndex >= 0 {
			w.BulkString("key_spec_index")
			w.Int(int64(a.KeySpecIndex))
		}
		for _, kv := range [][2]string{{"token", a.Token}, {"summary", a.Summary},
			{"since", a.Since}, {"deprecated_since", a.Deprecated}} {
			if kv[1] != "" {
				w.BulkString(kv[0])
				w.BulkString(kv[1])
			}
		}
		if len(a.Flags) > 0 {
			w.BulkString("flags")
			writeStatusSet(w, a.Flags, "")
		}
		if nested {
			w.BulkString("arguments")
			writeDocArgs(w, a.Sub)
		}
	}
}
