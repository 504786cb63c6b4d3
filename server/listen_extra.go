package server

import (
	"fmt"
	"net"
	"os"
	"time"
)

// listenUnix opens the unixsocket listener, if one is configured, with
// the unixsocketperm mode, as Redis does (a stale socket file left by a
// previous run is removed first).
func (s *Server) listenUnix() error {
	path := s.Config.String("unixsocket")
	if path == "" {
		return nil
	}
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		//lint:ignore ST1005 the text is redis-server's own message
		return fmt.Errorf("Failed opening Unix socket: %v", err)
	}
	if perm := s.Config.Int("unixsocketperm"); perm != 0 {
		if err := os.Chmod(path, os.FileMode(perm)); err != nil {
			_ = ln.Close()
			//lint:ignore ST1005 the text is redis-server's own message
			return fmt.Errorf("Failed opening Unix socket: %v", err)
		}
	}
	s.listeners = append(s.listeners, ln)
	return nil
}

// setKeepAlive applies tcp-keepalive to a new TCP connection: 0 turns
// keepalive probes off, otherwise they start after that many seconds.
func (s *Server) setKeepAlive(conn net.Conn) {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return
	}
	secs := s.keepAliveSecs.Load()
	if secs <= 0 {
		_ = tc.SetKeepAlive(false)
		return
	}
	_ = tc.SetKeepAlive(true)
	_ = tc.SetKeepAlivePeriod(time.Duration(secs) * time.Second)
}

// unixClientAddr is the address CLIENT LIST shows for a unix-socket
// client: the socket path and port 0, as in Redis.
func unixClientAddr(conn net.Conn) string {
	return conn.LocalAddr().String() + ":0"
}
