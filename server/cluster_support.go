package server

import (
	"syscall"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/host"
)

// What cluster mode (package cluster, which sits above server) needs of
// the server: a check before each command that may refuse it with a
// redirection or a cluster error, and a view of a client's transaction.

// ClusterCheck decides whether c may run cmd with args on this node. It
// returns "" to let the command run, or the error reply refusing it
// ("MOVED 3999 127.0.0.1:7001", "CROSSSLOT ...").
type ClusterCheck func(c *Client, cmd *commands.Command, args [][]byte) string

// ClusterCallCheck is RedisModule_Call's cluster check: "" to let the
// command run, or the error and the errno RM_Call gives (EPERM for keys
// of another node, ENETDOWN when the cluster is down, EROFS for a write
// while it is down and only reads are allowed).
type ClusterCallCheck func(c *Client, cmd *commands.Command, args [][]byte) (string, syscall.Errno)

// SetClusterCheck installs the cluster check (cluster-enabled yes), and
// callCheck, RedisModule_Call's.
func (s *Server) SetClusterCheck(fn ClusterCheck, callCheck ClusterCallCheck) {
	s.clusterCheck, s.clusterCallCheck = fn, callCheck
}

// ClusterCallError implements host.Server: the cluster's refusal of a
// RedisModule_Call by caller, "" in standalone mode and for commands from
// the master's link (which a replica must obey).
func (s *Server) ClusterCallError(caller host.Client, cmd *commands.Command, args [][]byte) (string, syscall.Errno) {
	if s.clusterCallCheck == nil {
		return "", 0
	}
	c, _ := caller.(*Client)
	if c != nil && c.replMaster {
		return "", 0
	}
	return s.clusterCallCheck(c, cmd, args)
}

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
