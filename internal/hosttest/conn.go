package hosttest

import (
	"bufio"
	"errors"
	"net"
	"os"
	"strconv"
	"testing"
	"time"
)

// ReplyTimeout bounds how long a Conn waits for one reply.
var ReplyTimeout = 30 * time.Second

// Conn is a raw RESP connection: it sends commands as multibulk arrays and
// reads replies as exact bytes with this package's own frame reader.
type Conn struct {
	// Addr is the address the connection was dialed to.
	Addr string

	tb testing.TB // nil for connections made by DialConn
	nc net.Conn
	r  *bufio.Reader
}

// DialConn opens a raw connection to addr. Its error-returning methods
// (Send, Command, ReadFrame) work without a testing.TB.
func DialConn(addr string) (*Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &Conn{Addr: addr, nc: nc, r: bufio.NewReaderSize(nc, 64<<10)}, nil
}

// Dial opens a raw connection to addr for test tb; it is closed in
// tb.Cleanup, and Do/DoRaw fail tb on I/O errors.
func Dial(tb testing.TB, addr string) *Conn {
	tb.Helper()
	c, err := DialConn(addr)
	if err != nil {
		tb.Fatalf("hosttest: dial %s: %v", addr, err)
	}
	c.tb = tb
	tb.Cleanup(func() { c.Close() })
	return c
}

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// AppendCommand appends args encoded as a RESP multibulk array to b.
func AppendCommand(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// Send writes raw bytes without reading a reply.
func (c *Conn) Send(raw []byte) error {
	_ = c.nc.SetWriteDeadline(time.Now().Add(ReplyTimeout))
	_, err := c.nc.Write(raw)
	return err
}

// ReadFrame reads one reply.
func (c *Conn) ReadFrame() (*Frame, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(ReplyTimeout))
	return ReadFrame(c.r)
}

// Command sends args as one command and reads one reply.
func (c *Conn) Command(args ...string) (*Frame, error) {
	if err := c.Send(AppendCommand(nil, args...)); err != nil {
		return nil, err
	}
	return c.ReadFrame()
}

// Do sends args as one command and returns the exact bytes of its reply.
// An I/O or protocol error fails the test.
func (c *Conn) Do(args ...string) []byte {
	return c.DoRaw(AppendCommand(nil, args...))
}

// DoRaw sends raw bytes and returns the exact bytes of one reply. An I/O or
// protocol error fails the test.
func (c *Conn) DoRaw(raw []byte) []byte {
	c.mustTB().Helper()
	if err := c.Send(raw); err != nil {
		c.tb.Fatalf("hosttest: send to %s: %v", c.Addr, err)
	}
	f, err := c.ReadFrame()
	if err != nil {
		c.tb.Fatalf("hosttest: read reply from %s after %q: %v", c.Addr, raw, err)
	}
	return f.Raw
}

// Closed reports whether the server has closed the connection, waiting at
// most wait for the close to arrive. Bytes that arrive instead stay
// buffered for the next read.
func (c *Conn) Closed(wait time.Duration) bool {
	_ = c.nc.SetReadDeadline(time.Now().Add(wait))
	_, err := c.r.Peek(1)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
		return false
	}
	return err != nil
}

func (c *Conn) mustTB() testing.TB {
	if c.tb == nil {
		panic("hosttest: Do/DoRaw need a Conn made by Dial; use Command instead")
	}
	return c.tb
}
