package cluster

import (
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"time"
)

// link is a TCP connection of the bus: outbound (we connected to node) or
// inbound (accepted; node is learnt from the first packet).
type link struct {
	c       *Cluster
	conn    net.Conn // nil while connecting
	node    *Node
	inbound bool
	ctime   int64
	out     chan []byte
	closed  bool
	sent    int64 // bytes queued so far (CLUSTER LINKS)
}

// linkQueue is how many messages may wait for a slow peer before the link
// is dropped (Redis drops links over cluster-link-sendbuf-limit).
const linkQueue = 1024

func (c *Cluster) newLink(n *Node, inbound bool) *link {
	return &link{c: c, node: n, inbound: inbound, ctime: nowMs(), out: make(chan []byte, linkQueue)}
}

// freeLink closes l and detaches it from its node (under the lock).
func (c *Cluster) freeLink(l *link) {
	if l == nil || l.closed {
		return
	}
	l.closed = true
	if l.conn != nil {
		_ = l.conn.Close()
	}
	close(l.out)
	if n := l.node; n != nil {
		if n.link == l {
			n.link = nil
		}
		if n.inbound == l {
			n.inbound = nil
		}
	}
}

// send queues a packet on l (under the lock).
func (c *Cluster) send(l *link, pkt []byte) {
	if l == nil || l.closed {
		return
	}
	typ := binary.BigEndian.Uint16(pkt[offType:])
	select {
	case l.out <- pkt:
		l.sent += int64(len(pkt))
		if int(typ) < typeCount {
			c.statsSent[typ]++
		}
	default:
		c.srv.Log.Warningf("Freeing cluster link to node %s: its send queue is full", c.linkName(l))
		c.freeLink(l)
	}
}

func (c *Cluster) linkName(l *link) string {
	if l.node != nil {
		return l.node.Name
	}
	return "unknown"
}

// writer drains l's queue onto the socket.
func (l *link) writer(conn net.Conn) {
	for pkt := range l.out {
		_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := conn.Write(pkt); err != nil {
			_ = conn.Close()
			for range l.out {
			}
			return
		}
	}
}

// reader reads packets from l and processes each under the server lock.
func (l *link) reader(conn net.Conn) {
	c := l.c
	defer c.wg.Done()
	var head [8]byte
	for {
		if _, err := io.ReadFull(conn, head[:]); err != nil {
			break
		}
		totlen := binary.BigEndian.Uint32(head[4:])
		if string(head[:4]) != "RCmb" || totlen < hdrLen || totlen > 1<<30 {
			c.srv.Lock()
			c.srv.Log.Warningf("Bad message length or signature received on the Cluster bus.")
			c.freeLink(l)
			c.srv.Unlock()
			return
		}
		pkt := make([]byte, totlen)
		copy(pkt, head[:])
		if _, err := io.ReadFull(conn, pkt[8:]); err != nil {
			break
		}
		c.srv.Lock()
		if l.closed {
			c.srv.Unlock()
			return
		}
		c.process(l, pkt)
		c.beforeSleep()
		stop := l.closed
		c.srv.Unlock()
		if stop {
			return
		}
	}
	c.srv.Lock()
	c.freeLink(l)
	c.srv.Unlock()
}

// listen opens the bus listeners on the bind addresses and cport.
func (c *Cluster) listen(binds []string, cport int) error {
	if len(binds) == 0 {
		binds = []string{"*", "-::*"}
	}
	for _, b := range binds {
		optional := len(b) > 0 && b[0] == '-'
		if optional {
			b = b[1:]
		}
		host, network := b, "tcp4"
		switch {
		case b == "*":
			host = "0.0.0.0"
		case b == "::*":
			host, network = "::", "tcp6"
		case containsColon(b):
			network = "tcp6"
		}
		ln, err := net.Listen(network, net.JoinHostPort(host, strconv.Itoa(cport)))
		if err != nil {
			if optional {
				continue
			}
			return err
		}
		c.listeners = append(c.listeners, ln)
		c.wg.Add(1)
		go c.accept(ln)
	}
	return nil
}

func containsColon(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return true
		}
	}
	return false
}

func (c *Cluster) accept(ln net.Listener) {
	defer c.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		c.srv.Lock()
		l := c.newLink(nil, true)
		l.conn = conn
		c.srv.Log.Verbosef("Accepting cluster node connection from %s", conn.RemoteAddr())
		c.srv.Unlock()
		go l.writer(conn)
		c.wg.Add(1)
		go l.reader(conn)
	}
}

// connect starts an outbound link to n (under the lock); the dial runs in
// the background and the first PING (or MEET) is sent once connected.
func (c *Cluster) connect(n *Node) {
	l := c.newLink(n, false)
	n.link = l
	addr := net.JoinHostPort(n.IP, strconv.Itoa(n.CPort))
	timeout := time.Duration(max(c.nodeTimeout(), 1000)) * time.Millisecond
	go func() {
		conn, err := net.DialTimeout("tcp", addr, timeout)
		c.srv.Lock()
		defer c.srv.Unlock()
		if err != nil {
			if n.pingSent == 0 {
				n.pingSent = nowMs()
			}
			c.srv.Log.Verbosef("Connection with Node %s at %s failed: %v", n.Name, addr, err)
			c.freeLink(l)
			return
		}
		if l.closed {
			_ = conn.Close()
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		l.conn = conn
		go l.writer(conn)
		c.wg.Add(1)
		go l.reader(conn)
		old := n.pingSent
		typ := uint16(typePing)
		if n.flags&flagMeet != 0 {
			typ = typeMeet
		}
		c.sendPing(l, typ)
		if old != 0 {
			n.pingSent = old
		}
		n.flags &^= flagMeet
	}()
}
