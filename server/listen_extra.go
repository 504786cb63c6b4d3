package server

import (
	"net"
	"time"
)

// setKeepAlive applies tcp-keepalive to a new TCP connection: 0 turns
// keepalive probes off, otherwise they start after that many seconds.
func (s *Server) setKeepAlive(conn net.Conn) {
	tc, ok := rawConn(conn).(*net.TCPConn)
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
