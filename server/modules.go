package server

import "github.com/modhost/modhost/host"

// writeModuleList writes the modules array of HELLO.
func (s *Server) writeModuleList(c *Client) {
	if s.Modules == nil {
		c.W.ArrayLen(0)
		return
	}
	c.WriteModuleList(s.Modules.List())
}

// WriteModuleList writes mods as Redis's MODULE LIST and HELLO do: an array
// of maps with name, ver, path and args.
func (c *Client) WriteModuleList(mods []host.ModuleInfo) {
	c.W.ArrayLen(len(mods))
	for _, m := range mods {
		c.W.MapLen(4)
		c.W.BulkString("name")
		c.W.BulkString(m.Name)
		c.W.BulkString("ver")
		c.W.Int(int64(m.Version))
		c.W.BulkString("path")
		c.W.BulkString(m.Path)
		c.W.BulkString("args")
		c.W.ArrayLen(len(m.Args))
		for _, arg := range m.Args {
			c.W.BulkString(arg)
		}
	}
}
