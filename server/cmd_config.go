package server

import (
	"strings"

	"github.com/modhost/modhost/commands"
)

func registerConfigCommand(s *Server) {
	cfg := &commands.Command{Name: "config", Arity: -2, Group: "server", Since: "2.0.0", Summary: "A container for server configuration commands.", Handler: adapt(func(*Client, [][]byte) {})}
	adm := commands.ParseCmdFlags("admin noscript loading stale")
	cfg.AddSub(&commands.Command{Name: "get", Arity: -3, Flags: adm, Handler: adapt(configGet)})
	cfg.AddSub(&commands.Command{Name: "set", Arity: -4, Flags: commands.ParseCmdFlags("admin noscript loading stale"), Handler: adapt(configSet)})
	cfg.AddSub(&commands.Command{Name: "resetstat", Arity: 2, Flags: adm, Handler: adapt(func(c *Client, a [][]byte) { c.srv.resetStats(); c.OK() })})
	cfg.AddSub(&commands.Command{Name: "rewrite", Arity: 2, Flags: adm, Handler: adapt(configRewrite)})
	cfg.AddSub(&commands.Command{Name: "help", Arity: 2, Flags: commands.ParseCmdFlags("loading stale"), Handler: adapt(func(c *Client, a [][]byte) {
		c.replyHelp([]string{"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
			"SET <directive> <value>", "    Set the configuration <directive> to <value>.",
			"RESETSTAT", "    Reset statistics reported by the INFO command.",
			"REWRITE", "    Rewrite the configuration file."})
	})})
	s.Cmds.Add(cfg)
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
