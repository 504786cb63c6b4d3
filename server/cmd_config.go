package server

import (
	"strings"
)

func registerConfigCommand(s *Server) {
	cfg := &Command{Name: "config", Arity: -2, Group: "server", Since: "2.0.0", Summary: "A container for server configuration commands.", Handler: func(*Client, [][]byte) {}}
	s.Cmds.Add(cfg)
	adm := ParseCmdFlags("admin noscript loading stale")
	cfg.AddSub(&Command{Name: "get", Arity: -3, Flags: adm, Handler: configGet})
	cfg.AddSub(&Command{Name: "set", Arity: -4, Flags: ParseCmdFlags("admin noscript loading stale may_replicate"), Handler: configSet})
	cfg.AddSub(&Command{Name: "resetstat", Arity: 2, Flags: adm, Handler: func(c *Client, a [][]byte) { c.srv.resetStats(); c.OK() }})
	cfg.AddSub(&Command{Name: "rewrite", Arity: 2, Flags: adm, Handler: configRewrite})
	cfg.AddSub(&Command{Name: "help", Arity: 2, Flags: ParseCmdFlags("loading stale"), Handler: func(c *Client, a [][]byte) {
		c.replyHelp([]string{"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
			"SET <directive> <value>", "    Set the configuration <directive> to <value>.",
			"RESETSTAT", "    Reset statistics reported by the INFO command.",
			"REWRITE", "    Rewrite the configuration file."})
	}})
}

func configGet(c *Client, a [][]byte) {
	patterns := make([]string, 0, len(a)-2)
	for _, p := range a[2:] {
		patterns = append(patterns, string(p))
	}
	pairs := c.srv.Config.Get(patterns...)
	c.W.MapLen(len(pairs))
	for _, p := range pairs {
		c.W.BulkString(p[0])
		c.W.BulkString(p[1])
	}
}

func configSet(c *Client, a [][]byte) {
	if len(a)%2 != 0 {
		c.Error("ERR wrong number of arguments for 'config|set' command")
		return
	}
	pairs := make([][2]string, 0, (len(a)-2)/2)
	for i := 2; i+1 < len(a); i += 2 {
		pairs = append(pairs, [2]string{strings.ToLower(string(a[i])), string(a[i+1])})
	}
	if err := c.srv.Config.SetFrom(pairs, c.isLocal()); err != nil {
		c.Error(err.Error())
		return
	}
	c.OK()
}

func configRewrite(c *Client, a [][]byte) {
	if err := c.srv.Config.Rewrite(); err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "ERR ") {
			c.srv.Log.Warningf("CONFIG REWRITE failed: %s", msg)
			msg = "ERR Rewriting config file: " + msg
		}
		c.Error(msg)
		return
	}
	c.srv.Log.Noticef("CONFIG REWRITE executed with success.")
	c.OK()
}
