package server

import (
	"github.com/modhost/modhost/commands"
)

// What cluster mode (package cluster, which sits above server) needs of
// the server: a check before each command that may refuse it with a
// redirection or a cluster error, and a view of a client's transaction.

// ClusterCheck decides whether c may run cmd with args on this node. It
// returns "" to let the command run, or the error reply refusing it
// ("MOVED 3999 127.0.0.1:7001", "CROSSSLOT ...").
type ClusterCheck func(c *Client, cmd *commands.Command, args [][]byte) string

// SetClusterCheck installs the cluster check (cluster-enabled yes).
func (s *Server) SetClusterCheck(fn ClusterCheck) { s.clusterCheck = fn }

// clusterRefused runs the cluster check and answers a refusal as Redis's
// processCommand does: EXEC discards the transaction, a command queued in
// MULTI flags it.
func (s *Server) clusterRefused(c *Client, cmd *commands.Command, args [][]byte) bool {
	msg := s.clusterCheck(c, cmd, args)
	if msg == "" {
		return false
	}
	cmd.RejectedCalls++
	if cmd.FullName == "exec" && c.tx != nil {
		s.discardTx(c)
		c.Error(msg)
		return true
	}
	c.Error(msg)
	s.onReject(c)
	return true
}

// QueuedCommands returns the commands and arguments queued in c's MULTI.
func (c *Client) QueuedCommands() ([]*commands.Command, [][][]byte) {
	if c.tx == nil {
		return nil, nil
	}
	return c.tx.cmds, c.tx.queue
}
