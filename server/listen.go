package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// listenKind is one of the three listener families Redis keeps: plain TCP
// (port), TLS (tls-port) and the unix socket (unixsocket).
type listenKind int

const (
	listenTCP listenKind = iota
	listenTLS
	listenUnix
	listenKinds
)

// listenerSet holds the server's listening sockets by family. CONFIG SET
// port, bind and tls-port replace one family's sockets while the server
// runs: the new sockets are opened before the old ones close, so a failed
// rebinding leaves the server listening where it was.
type listenerSet struct {
	mu      sync.Mutex // guards the fields below
	socks   [listenKinds][]net.Listener
	serving bool // Serve has started: new sockets get an accept loop at once
	wg      sync.WaitGroup
}

// Listen opens the TCP listeners from the bind and port directives, the
// TLS listeners from bind and tls-port, and the unix socket listener from
// unixsocket, as Redis does at start-up.
func (s *Server) Listen() error {
	if err := s.listenUnix(); err != nil {
		return err
	}
	if s.tlsWanted() {
		if err := s.configureTLS(); err != nil {
			s.Log.Warningf("%v", err)
			return redisText("Failed to configure TLS. Check logs for more info.")
		}
	}
	port := s.Config.Int("port")
	if err := s.rebind(listenTCP, port); err != nil {
		return listenError{port, "tcp"}
	}
	if tp := s.Config.Int("tls-port"); tp != 0 {
		if err := s.rebind(listenTLS, tp); err != nil {
			return listenError{tp, "tls"}
		}
	}
	return nil
}

// listenError is the start-up failure Redis logs when it cannot listen.
type listenError struct {
	port int64
	kind string
}

func (e listenError) Error() string {
	return fmt.Sprintf("Failed listening on port %d (%s), aborting.", e.port, e.kind)
}

// ListenerKinds names the listener families that are open, in Redis's
// order, for the "Ready to accept connections" lines.
func (s *Server) ListenerKinds() []string {
	s.lns.mu.Lock()
	defer s.lns.mu.Unlock()
	var out []string
	for k, name := range [listenKinds]string{"tcp", "tls", "unix"} {
		if len(s.lns.socks[k]) > 0 {
			out = append(out, name)
		}
	}
	return out
}

// rebind replaces the sockets of family kind with sockets on port at every
// bind address (none when port is 0). On failure the old sockets stay.
func (s *Server) rebind(kind listenKind, port int64) error {
	var fresh []net.Listener
	if port != 0 {
		var err error
		if fresh, err = s.openTCP(port); err != nil {
			return err
		}
	}
	s.lns.mu.Lock()
	old := s.lns.socks[kind]
	s.lns.socks[kind] = fresh
	if s.lns.serving {
		for _, ln := range fresh {
			s.startAccept(kind, ln)
		}
	}
	s.lns.mu.Unlock()
	for _, ln := range old {
		_ = ln.Close()
	}
	return nil
}

// openTCP listens on port at each bind address. An address written with a
// leading "-" is optional: failing to bind it is not an error.
func (s *Server) openTCP(port int64) ([]net.Listener, error) {
	binds := strings.Fields(s.Config.String("bind"))
	if len(binds) == 0 {
		binds = []string{"*", "-::*"}
	}
	var out []net.Listener
	for _, b := range binds {
		optional := strings.HasPrefix(b, "-")
		b = strings.TrimPrefix(b, "-")
		host := b
		network := "tcp4"
		switch {
		case b == "*":
			host = "0.0.0.0"
		case b == "::*":
			host, network = "::", "tcp6"
		case strings.Contains(b, ":"):
			network = "tcp6"
		}
		addr := net.JoinHostPort(host, strconv.FormatInt(port, 10))
		ln, err := net.Listen(network, addr)
		if err != nil {
			if optional {
				continue
			}
			s.Log.Warningf("Warning: Could not create server TCP listening socket %s: %v", addr, err)
			closeAll(out)
			return nil, err
		}
		out = append(out, ln)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no address to listen on port %d", port)
	}
	return out, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		_ = ln.Close()
	}
}

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
		return redisTextf("Failed opening Unix socket: %v", err)
	}
	if perm := s.Config.Int("unixsocketperm"); perm != 0 {
		if err := os.Chmod(path, os.FileMode(perm)); err != nil {
			_ = ln.Close()
			return redisTextf("Failed opening Unix socket: %v", err)
		}
	}
	s.lns.mu.Lock()
	s.lns.socks[listenUnix] = []net.Listener{ln}
	s.lns.mu.Unlock()
	return nil
}

// applyPort is CONFIG SET port: the TCP listeners move to the new port
// (port 0 closes them).
func (s *Server) applyPort() error {
	if err := s.rebind(listenTCP, s.Config.Int("port")); err != nil {
		return redisText("Unable to listen on this port. Check server logs.")
	}
	return nil
}

// applyBind is CONFIG SET bind: the TCP and TLS listeners move to the new
// addresses together; if either fails, Redis closes the other family too.
func (s *Server) applyBind() error {
	failed := redisText("Failed to bind to specified addresses.")
	if err := s.rebind(listenTCP, s.Config.Int("port")); err != nil {
		_ = s.rebind(listenTLS, 0)
		return failed
	}
	if tp := s.Config.Int("tls-port"); tp != 0 {
		if err := s.rebind(listenTLS, tp); err != nil {
			_ = s.rebind(listenTCP, 0)
			return failed
		}
	}
	return nil
}

// applyTLSPort is CONFIG SET tls-port: TLS is configured if it was not,
// then the TLS listeners move to the new port (0 closes them).
func (s *Server) applyTLSPort() error {
	tp := s.Config.Int("tls-port")
	if tp != 0 && s.tls.server.Load() == nil {
		if err := s.configureTLS(); err != nil {
			s.Log.Warningf("%v", err)
			return redisText("Unable to update TLS configuration. Check server logs.")
		}
	}
	if err := s.rebind(listenTLS, tp); err != nil {
		return redisText("Unable to listen on this port. Check server logs.")
	}
	return nil
}

// Serve accepts connections until Shutdown. It returns nil on shutdown.
func (s *Server) Serve() error {
	StartGCTuner()
	go s.cron()
	s.lns.mu.Lock()
	s.lns.serving = true
	for kind, lns := range s.lns.socks {
		for _, ln := range lns {
			s.startAccept(listenKind(kind), ln)
		}
	}
	s.lns.mu.Unlock()
	<-s.shutdown
	s.lns.mu.Lock()
	s.lns.serving = false
	for kind, lns := range s.lns.socks {
		closeAll(lns)
		s.lns.socks[kind] = nil
	}
	s.lns.mu.Unlock()
	s.lns.wg.Wait()
	return nil
}

// startAccept runs an accept loop for ln; call it with s.lns.mu held.
func (s *Server) startAccept(kind listenKind, ln net.Listener) {
	s.lns.wg.Add(1)
	go func() {
		defer s.lns.wg.Done()
		s.acceptLoop(kind, ln)
	}()
}

func (s *Server) acceptLoop(kind listenKind, ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(5 * time.Millisecond)
			continue
		}
		if kind == listenTLS {
			// The handshake happens on the connection's first read, in
			// its own goroutine; new handshakes use the configuration of
			// the moment (CONFIG SET tls-cert-file and friends).
			conn = tls.Server(conn, &tls.Config{GetConfigForClient: s.tlsConfigForClient})
		}
		go s.serveConn(conn)
	}
}

// rawConn is the network connection under a TLS connection, or conn
// itself: socket options (TCP_NODELAY, keepalive) are set on it.
func rawConn(conn net.Conn) net.Conn {
	if tc, ok := conn.(*tls.Conn); ok {
		return tc.NetConn()
	}
	return conn
}
