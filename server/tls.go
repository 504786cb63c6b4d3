package server

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// tlsState holds the TLS configurations built from the tls-* directives:
// one for accepted connections (tls-port) and one for connections modhost
// makes (a replica to its master with tls-replication). Each is replaced
// whole when a directive changes; connections already made keep theirs.
type tlsState struct {
	server atomic.Pointer[tls.Config]
	client atomic.Pointer[tls.Config]
}

// The tls-auth-clients values, as the config table numbers them.
const (
	tlsAuthNo       = 0
	tlsAuthYes      = 1
	tlsAuthOptional = 2
)

// tlsDirectives are the TLS directives whose change rebuilds the TLS
// configuration (tls-port also moves the TLS listeners).
var tlsDirectives = []string{
	"tls-cert-file", "tls-key-file", "tls-client-cert-file", "tls-client-key-file",
	"tls-ca-cert-file", "tls-ca-cert-dir", "tls-auth-clients", "tls-protocols",
	"tls-session-caching", "tls-replication",
}

// registerListenAppliers installs the CONFIG SET steps of the listening
// and TLS directives.
func (s *Server) registerListenAppliers() {
	s.Config.SetApply("port", s.applyPort)
	s.Config.SetApply("bind", s.applyBind)
	s.Config.SetApply("tls-port", s.applyTLSPort)
	for _, name := range tlsDirectives {
		s.Config.SetApply(name, s.applyTLSConfig)
	}
}

// tlsWanted reports whether TLS is in use: a TLS port or TLS replication.
func (s *Server) tlsWanted() bool {
	return s.Config.Int("tls-port") != 0 || s.Config.Bool("tls-replication")
}

// applyTLSConfig is CONFIG SET of a tls-* file or option: when TLS is in
// use the configuration is rebuilt, and refused whole if it cannot be.
func (s *Server) applyTLSConfig() error {
	if !s.tlsWanted() {
		return nil
	}
	if err := s.configureTLS(); err != nil {
		s.Log.Warningf("%v", err)
		return redisText("Unable to update TLS configuration. Check server logs.")
	}
	return nil
}

// configureTLS builds the server and client TLS configurations from the
// directives, with Redis's checks and log texts, and installs them.
func (s *Server) configureTLS() error {
	cfg := s.Config
	certFile, keyFile := cfg.String("tls-cert-file"), cfg.String("tls-key-file")
	if certFile == "" {
		return redisText("No tls-cert-file configured!")
	}
	if keyFile == "" {
		return redisText("No tls-key-file configured!")
	}
	auth := cfg.Int("tls-auth-clients")
	caFile, caDir := cfg.String("tls-ca-cert-file"), cfg.String("tls-ca-cert-dir")
	if (auth != tlsAuthNo || cfg.Bool("tls-replication")) && caFile == "" && caDir == "" {
		return redisText("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!")
	}
	minV, maxV, err := parseTLSProtocols(cfg.String("tls-protocols"))
	if err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return redisTextf("Failed to load certificate: %s: %v", certFile, err)
	}
	var pool *x509.CertPool
	if caFile != "" || caDir != "" {
		if pool, err = loadCAs(caFile, caDir); err != nil {
			return err
		}
	}
	srv := &tls.Config{
		Certificates:           []tls.Certificate{cert},
		ClientCAs:              pool,
		MinVersion:             minV,
		MaxVersion:             maxV,
		SessionTicketsDisabled: !cfg.Bool("tls-session-caching"),
	}
	switch auth {
	case tlsAuthYes:
		srv.ClientAuth = tls.RequireAndVerifyClientCert
	case tlsAuthOptional:
		srv.ClientAuth = tls.VerifyClientCertIfGiven
	}
	clientCert := cert
	if cf, kf := cfg.String("tls-client-cert-file"), cfg.String("tls-client-key-file"); cf != "" && kf != "" {
		if clientCert, err = tls.LoadX509KeyPair(cf, kf); err != nil {
			return redisTextf("Failed to load certificate: %s: %v", cf, err)
		}
	}
	cli := &tls.Config{
		Certificates: []tls.Certificate{clientCert},
		MinVersion:   minV,
		MaxVersion:   maxV,
		// Redis verifies the peer's chain against the CAs but not its
		// host name: the standard verification is replaced by that.
		InsecureSkipVerify: true,
		VerifyConnection:   verifyChain(pool),
	}
	s.tls.server.Store(srv)
	s.tls.client.Store(cli)
	return nil
}

// redisText is an error whose text is Redis's own wording (a log line or
// a CONFIG SET reason), capitals and punctuation included.
type redisText string

func (e redisText) Error() string { return string(e) }

// redisTextf formats a redisText.
func redisTextf(format string, args ...any) error {
	return redisText(fmt.Sprintf(format, args...))
}

// tlsConfigForClient gives each new TLS handshake the configuration of
// the moment.
func (s *Server) tlsConfigForClient(*tls.ClientHelloInfo) (*tls.Config, error) {
	if c := s.tls.server.Load(); c != nil {
		return c, nil
	}
	return nil, redisText("TLS is not configured")
}

// dialMaster opens the replica's connection to its master: plain TCP, or
// TLS when tls-replication is on.
func (s *Server) dialMaster(addr string, timeout time.Duration, useTLS bool) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil || !useTLS {
		return conn, err
	}
	cfg := s.tls.client.Load()
	if cfg == nil {
		_ = conn.Close()
		return nil, redisText("TLS is not configured")
	}
	tc := tls.Client(conn, cfg)
	_ = tc.SetDeadline(time.Now().Add(timeout))
	if err := tc.Handshake(); err != nil {
		_ = conn.Close()
		return nil, err
	}
	_ = tc.SetDeadline(time.Time{})
	return tc, nil
}

// verifyChain checks the peer's certificate chain against pool (no host
// name check), as OpenSSL's SSL_VERIFY_PEER does for Redis.
func verifyChain(pool *x509.CertPool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("peer sent no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
			Roots:         pool,
			Intermediates: inter,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		return err
	}
}

// loadCAs reads the CA certificates of tls-ca-cert-file and of every PEM
// file in tls-ca-cert-dir.
func loadCAs(file, dir string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if file != "" {
		pem, err := os.ReadFile(file)
		if err != nil || !pool.AppendCertsFromPEM(pem) {
			return nil, redisTextf("Failed to configure CA certificate(s) file/directory: %s: %v", file, describeCAErr(err))
		}
	}
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, redisTextf("Failed to configure CA certificate(s) file/directory: %s: %v", dir, err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && isPEMCert(data) {
				pool.AppendCertsFromPEM(data)
			}
		}
	}
	return pool, nil
}

func describeCAErr(err error) error {
	if err != nil {
		return err
	}
	return errors.New("no PEM certificate found")
}

func isPEMCert(data []byte) bool {
	b, _ := pem.Decode(data)
	return b != nil && b.Type == "CERTIFICATE"
}

// parseTLSProtocols turns tls-protocols ("TLSv1.2 TLSv1.3"; empty means
// those two, Redis's default) into Go's version range. OpenSSL can switch
// off a version in the middle of a range; crypto/tls cannot, so a set with
// a hole is refused.
func parseTLSProtocols(v string) (minV, maxV uint16, err error) {
	if strings.TrimSpace(v) == "" {
		return tls.VersionTLS12, tls.VersionTLS13, nil
	}
	versions := map[string]uint16{"tlsv1": tls.VersionTLS10, "tlsv1.1": tls.VersionTLS11,
		"tlsv1.2": tls.VersionTLS12, "tlsv1.3": tls.VersionTLS13}
	seen := map[uint16]bool{}
	for _, p := range strings.Fields(v) {
		ver, ok := versions[strings.ToLower(p)]
		if !ok {
			return 0, 0, redisText("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.")
		}
		seen[ver] = true
		if minV == 0 || ver < minV {
			minV = ver
		}
		if ver > maxV {
			maxV = ver
		}
	}
	for ver := minV; ver <= maxV; ver++ {
		if !seen[ver] {
			return 0, 0, fmt.Errorf("tls-protocols %q leaves a gap between versions, which modhost's TLS library cannot do", v)
		}
	}
	return minV, maxV, nil
}
