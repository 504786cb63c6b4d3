package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The cluster bus wire format: Redis 7.0/7.2's clusterMsg (src/cluster.h),
// every integer in network byte order. The header is 2256 bytes; the data
// union follows it.

const (
	// NameLen is the length of a node name (40 hex characters).
	NameLen = 40
	// numSlots is the number of hash slots.
	numSlots = 16384
	ipLen    = 46 // NET_IP_STR_LEN

	hdrLen    = 2256 // offsetof(clusterMsg, data)
	gossipLen = 104  // sizeof(clusterMsgDataGossip)
	protoVer  = 1

	// Header field offsets (static_assert'ed in Redis's cluster.h).
	offTotlen    = 4
	offVer       = 8
	offPort      = 10
	offType      = 12
	offCount     = 14
	offCurEpoch  = 16
	offCfgEpoch  = 24
	offOffset    = 32
	offSender    = 40
	offSlots     = 80
	offSlaveof   = 2128
	offMyIP      = 2168
	offExts      = 2214
	offPport     = 2246
	offCport     = 2248
	offFlags     = 2250
	offState     = 2252
	offMflags    = 2253
	updateLen    = 8 + NameLen + numSlots/8 // clusterMsgDataUpdate
	moduleHdrLen = 8 + 4 + 1                // clusterMsgModule before bulk_data
)

// Message types (CLUSTERMSG_TYPE_*).
const (
	typePing = iota
	typePong
	typeMeet
	typeFail
	typePublish
	typeAuthRequest
	typeAuthAck
	typeUpdate
	typeMFStart
	typeModule
	typePublishShard
	typeCount
)

// typeNames are Redis's names of the message types (CLUSTER INFO).
var typeNames = [typeCount]string{"ping", "pong", "meet", "fail", "publish",
	"auth-req", "auth-ack", "update", "mfstart", "module", "publishshard"}

// Node flags (CLUSTER_NODE_*), also sent on the wire.
const (
	flagMaster     = 1
	flagSlave      = 2
	flagPFail      = 4
	flagFail       = 8
	flagMyself     = 16
	flagHandshake  = 32
	flagNoAddr     = 64
	flagMeet       = 128
	flagMigrateTo  = 256
	flagNoFailover = 512
)

// Message flags and ping extension types.
const (
	mflag0ForceAck = 1 << 1
	mflag0ExtData  = 1 << 2

	extHostname      = 0
	extHumanNodename = 1
	extForgotten     = 2
	extShardID       = 3
)

// gossip is one clusterMsgDataGossip entry.
type gossip struct {
	name         string
	pingSent     uint32 // seconds
	pongReceived uint32 // seconds
	ip           string
	port, cport  uint16
	flags        uint16
	pport        uint16
}

// message is a decoded bus message (the parts modhost uses).
type message struct {
	typ          uint16
	count        uint16
	port         uint16
	curEpoch     uint64
	cfgEpoch     uint64
	offset       uint64
	sender       string
	slots        []byte // numSlots/8, aliases the packet
	slaveof      string // "" for none
	myIP         string
	pport, cport uint16
	flags        uint16
	state        byte
	mflags0      byte

	gossip []gossip
	// extensions
	hostname  string
	shardID   string
	forgotten []forgotten
	// FAIL
	failing string
	// UPDATE
	updEpoch uint64
	updNode  string
	updSlots []byte
	// MODULE
	moduleID   uint64
	moduleType uint8
	payload    []byte
	// PUBLISH
	channel, pubMsg []byte
}

type forgotten struct {
	name string
	ttl  uint64
}

var errBadPacket = errors.New("bad packet")

// cstr reads a NUL-padded fixed-size string field.
func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// isNullName reports whether a 40-byte name field is all zero.
func isNullName(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

var be = binary.BigEndian

// decode checks a whole packet's lengths as Redis's clusterProcessPacket
// does and decodes it. pkt's length is the header's totlen.
func decode(pkt []byte) (*message, error) {
	if len(pkt) < 16 {
		return nil, errBadPacket
	}
	totlen := be.Uint32(pkt[offTotlen:])
	if int(totlen) != len(pkt) {
		return nil, errBadPacket
	}
	if v := be.Uint16(pkt[offVer:]); v != protoVer {
		return nil, fmt.Errorf("protocol version %d", v)
	}
	if len(pkt) < hdrLen {
		return nil, fmt.Errorf("packet of %d bytes, shorter than the header", len(pkt))
	}
	m := &message{
		typ:      be.Uint16(pkt[offType:]),
		count:    be.Uint16(pkt[offCount:]),
		port:     be.Uint16(pkt[offPort:]),
		curEpoch: be.Uint64(pkt[offCurEpoch:]),
		cfgEpoch: be.Uint64(pkt[offCfgEpoch:]),
		offset:   be.Uint64(pkt[offOffset:]),
		sender:   string(pkt[offSender : offSender+NameLen]),
		slots:    pkt[offSlots : offSlots+numSlots/8],
		myIP:     cstr(pkt[offMyIP : offMyIP+ipLen]),
		pport:    be.Uint16(pkt[offPport:]),
		cport:    be.Uint16(pkt[offCport:]),
		flags:    be.Uint16(pkt[offFlags:]),
		state:    pkt[offState],
		mflags0:  pkt[offMflags],
	}
	if so := pkt[offSlaveof : offSlaveof+NameLen]; !isNullName(so) {
		m.slaveof = string(so)
	}
	data := pkt[hdrLen:]
	bad := func() (*message, error) {
		return nil, fmt.Errorf("invalid %s packet of length %d", typeName(m.typ), totlen)
	}
	switch m.typ {
	case typePing, typePong, typeMeet:
		n := int(m.count) * gossipLen
		if len(data) < n {
			return bad()
		}
		for i := 0; i < int(m.count); i++ {
			g := data[i*gossipLen:]
			m.gossip = append(m.gossip, gossip{
				name:         string(g[:NameLen]),
				pingSent:     be.Uint32(g[40:]),
				pongReceived: be.Uint32(g[44:]),
				ip:           cstr(g[48 : 48+ipLen]),
				port:         be.Uint16(g[94:]),
				cport:        be.Uint16(g[96:]),
				flags:        be.Uint16(g[98:]),
				pport:        be.Uint16(g[100:]),
			})
		}
		rest := data[n:]
		if m.mflags0&mflag0ExtData != 0 {
			exts := int(be.Uint16(pkt[offExts:]))
			for ; exts > 0; exts-- {
				if len(rest) < 8 {
					return bad()
				}
				l := int(be.Uint32(rest))
				if l%8 != 0 || l < 8 || l > len(rest) {
					return bad()
				}
				body := rest[8:l]
				switch be.Uint16(rest[4:]) {
				case extHostname:
					m.hostname = cstr(body)
				case extShardID:
					if len(body) >= NameLen {
						m.shardID = string(body[:NameLen])
					}
				case extForgotten:
					if len(body) >= NameLen+8 {
						m.forgotten = append(m.forgotten, forgotten{string(body[:NameLen]), be.Uint64(body[NameLen:])})
					}
				}
				rest = rest[l:]
			}
		}
		if len(rest) != 0 {
			return bad()
		}
	case typeFail:
		if len(data) != NameLen {
			return bad()
		}
		m.failing = string(data[:NameLen])
	case typePublish, typePublishShard:
		if len(data) < 8 {
			return bad()
		}
		cl, ml := be.Uint32(data), be.Uint32(data[4:])
		if uint64(len(data)) != 8+uint64(cl)+uint64(ml) {
			return bad()
		}
		m.channel = data[8 : 8+cl]
		m.pubMsg = data[8+cl:]
	case typeAuthRequest, typeAuthAck, typeMFStart:
		if len(data) != 0 {
			return bad()
		}
	case typeUpdate:
		if len(data) != updateLen {
			return bad()
		}
		m.updEpoch = be.Uint64(data)
		m.updNode = string(data[8 : 8+NameLen])
		m.updSlots = data[8+NameLen:]
	case typeModule:
		if len(data) < moduleHdrLen {
			return bad()
		}
		l := be.Uint32(data[8:])
		if uint64(len(data)) != moduleHdrLen+uint64(l) {
			return bad()
		}
		m.moduleID = binary.LittleEndian.Uint64(data) // Redis sends it unconverted
		m.moduleType = data[12]
		m.payload = data[moduleHdrLen:]
	}
	return m, nil
}

func typeName(t uint16) string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// header is what the sender puts in every message's header.
type header struct {
	port, pport, cport uint16
	curEpoch, cfgEpoch uint64
	offset             uint64
	name               string
	slots              *[numSlots / 8]byte
	slaveof            string
	myIP               string // "" unless cluster-announce-ip
	flags              uint16
	state              byte
}

// encodeHeader returns a packet of hdrLen+dataLen bytes with the header
// filled in for message type typ.
func encodeHeader(h *header, typ uint16, dataLen int) []byte {
	pkt := make([]byte, hdrLen+dataLen)
	copy(pkt, "RCmb")
	be.PutUint32(pkt[offTotlen:], uint32(len(pkt)))
	be.PutUint16(pkt[offVer:], protoVer)
	be.PutUint16(pkt[offPort:], h.port)
	be.PutUint16(pkt[offType:], typ)
	be.PutUint64(pkt[offCurEpoch:], h.curEpoch)
	be.PutUint64(pkt[offCfgEpoch:], h.cfgEpoch)
	be.PutUint64(pkt[offOffset:], h.offset)
	copy(pkt[offSender:offSender+NameLen], h.name)
	if h.slots != nil {
		copy(pkt[offSlots:], h.slots[:])
	}
	if h.slaveof != "" {
		copy(pkt[offSlaveof:offSlaveof+NameLen], h.slaveof)
	}
	copy(pkt[offMyIP:offMyIP+ipLen-1], h.myIP)
	be.PutUint16(pkt[offPport:], h.pport)
	be.PutUint16(pkt[offCport:], h.cport)
	be.PutUint16(pkt[offFlags:], h.flags)
	pkt[offState] = h.state
	return pkt
}

// putGossip writes gossip entry i of a PING/PONG/MEET packet.
func putGossip(pkt []byte, i int, g *gossip) {
	b := pkt[hdrLen+i*gossipLen:]
	copy(b[:NameLen], g.name)
	be.PutUint32(b[40:], g.pingSent)
	be.PutUint32(b[44:], g.pongReceived)
	copy(b[48:48+ipLen-1], g.ip)
	be.PutUint16(b[94:], g.port)
	be.PutUint16(b[96:], g.cport)
	be.PutUint16(b[98:], g.flags)
	be.PutUint16(b[100:], g.pport)
}
