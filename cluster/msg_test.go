package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/keyspace"
)

func TestKeySlotKnownValues(t *testing.T) {
	// Values from the Redis Cluster specification and CLUSTER KEYSLOT.
	require.Equal(t, 12739, keyspace.KeySlot([]byte("123456789")))
	require.Equal(t, 12182, keyspace.KeySlot([]byte("foo")))
	require.Equal(t, keyspace.KeySlot([]byte("user1000")), keyspace.KeySlot([]byte("{user1000}.following")))
	require.NotEqual(t, keyspace.KeySlot([]byte("x")), keyspace.KeySlot([]byte("{}x"))) // empty tag: whole key
	require.Equal(t, keyspace.KeySlot([]byte("a")), keyspace.KeySlot([]byte("x{a}{b}")))
}

func TestPingRoundTrip(t *testing.T) {
	var slots [numSlots / 8]byte
	slots[0] = 0x81
	h := &header{port: 7000, cport: 17000, curEpoch: 5, cfgEpoch: 3, name: strings.Repeat("a", 40),
		slots: &slots, flags: flagMaster | flagMyself, state: stateOK, myIP: "10.0.0.1"}
	pkt := encodeHeader(h, typePing, 2*gossipLen)
	be.PutUint16(pkt[offCount:], 2)
	for i := 0; i < 2; i++ {
		g := gossip{name: strings.Repeat(string(rune('b'+i)), 40), pingSent: 1, pongReceived: 2, ip: "127.0.0.1",
			port: uint16(7001 + i), cport: uint16(17001 + i), flags: flagMaster | flagPFail}
		putGossip(pkt, i, &g)
	}
	m, err := decode(pkt)
	require.NoError(t, err)
	require.Equal(t, uint16(typePing), m.typ)
	require.Equal(t, uint64(5), m.curEpoch)
	require.Equal(t, uint64(3), m.cfgEpoch)
	require.Equal(t, strings.Repeat("a", 40), m.sender)
	require.Equal(t, "10.0.0.1", m.myIP)
	require.True(t, bitTest(m.slots, 0) && bitTest(m.slots, 7) && !bitTest(m.slots, 1))
	require.Equal(t, "", m.slaveof)
	require.Len(t, m.gossip, 2)
	require.Equal(t, uint16(7002), m.gossip[1].port)
	require.Equal(t, uint16(flagMaster|flagPFail), m.gossip[0].flags)
	require.Equal(t, 2256, hdrLen)
}

func TestDecodeRefusesMalformed(t *testing.T) {
	h := &header{name: strings.Repeat("a", 40)}
	good := encodeHeader(h, typeFail, NameLen)
	_, err := decode(good)
	require.NoError(t, err)
	bad := append([]byte(nil), good...)
	be.PutUint16(bad[offVer:], 2)
	_, err = decode(bad)
	require.Error(t, err) // wrong version
	short := encodeHeader(h, typeFail, 10)
	_, err = decode(short)
	require.Error(t, err) // FAIL without its node name
	ping := encodeHeader(h, typePing, 0)
	be.PutUint16(ping[offCount:], 3) // claims gossip it does not carry
	_, err = decode(ping)
	require.Error(t, err)
	ext := encodeHeader(h, typePing, 8)
	ext[offMflags] = mflag0ExtData
	be.PutUint16(ext[offExts:], 1)
	be.PutUint32(ext[hdrLen:], 12) // not a multiple of 8
	_, err = decode(ext)
	require.Error(t, err)
	_, err = decode(good[:100])
	require.Error(t, err)
}

func TestPingExtensionsParsed(t *testing.T) {
	h := &header{name: strings.Repeat("a", 40)}
	// hostname "node-1" (padded to 8) and a shard id, as Redis 7.2 sends.
	host := []byte("node-1\x00\x00")
	pkt := encodeHeader(h, typePong, 8+len(host)+8+NameLen)
	pkt[offMflags] = mflag0ExtData
	be.PutUint16(pkt[offExts:], 2)
	d := pkt[hdrLen:]
	be.PutUint32(d, uint32(8+len(host)))
	be.PutUint16(d[4:], extHostname)
	copy(d[8:], host)
	d = d[8+len(host):]
	be.PutUint32(d, 8+NameLen)
	be.PutUint16(d[4:], extShardID)
	copy(d[8:], strings.Repeat("f", 40))
	m, err := decode(pkt)
	require.NoError(t, err)
	require.Equal(t, "node-1", m.hostname)
	require.Equal(t, strings.Repeat("f", 40), m.shardID)
}

func TestFlagStrings(t *testing.T) {
	require.Equal(t, "myself,master", flagString(flagMyself|flagMaster))
	require.Equal(t, "master,fail?", flagString(flagMaster|flagPFail))
	require.Equal(t, "noflags", flagString(0))
	require.Equal(t, flagSlave|flagFail|flagNoAddr, parseFlags("slave,fail,noaddr"))
}

func TestNodesConfRoundTrip(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "nodes.conf")
	content := "" +
		"0123456789012345678901234567890123456789 127.0.0.1:7000@17000,,shard-id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa myself,master - 0 0 2 connected 0-99 200 [300->-1111111111111111111111111111111111111111] [400-<-1111111111111111111111111111111111111111]\n" +
		"1111111111111111111111111111111111111111 127.0.0.1:7001@17001,host1,shard-id=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb master - 0 1700000000000 3 connected 100-199 201-16383\n" +
		"vars currentEpoch 3 lastVoteEpoch 1\n"
	require.NoError(t, os.WriteFile(file, []byte(content), 0o644))
	c := &Cluster{nodes: map[string]*Node{}, configFile: file}
	ok, err := c.loadConfig()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "0123456789012345678901234567890123456789", c.myself.Name)
	require.Equal(t, uint64(3), c.currentEpoch)
	require.Equal(t, uint64(1), c.lastVoteEpoch)
	other := c.lookup("1111111111111111111111111111111111111111")
	require.Equal(t, "host1", other.Hostname)
	require.Equal(t, 7001, other.Port)
	require.Equal(t, 17001, other.CPort)
	require.Equal(t, c.myself, c.slots[99])
	require.Equal(t, c.myself, c.slots[200])
	require.Equal(t, other, c.slots[16383])
	require.Equal(t, other, c.migrating[300])
	require.Equal(t, other, c.importing[400])
	require.Equal(t, 101, c.myself.numSlots)
	require.NoError(t, c.saveConfig())
	c2 := &Cluster{nodes: map[string]*Node{}, configFile: file}
	ok, err = c2.loadConfig()
	require.NoError(t, err)
	require.True(t, ok)
	// A non-zero pong time loads as "now", as in Redis.
	require.NotZero(t, c2.lookup(other.Name).pongReceived)
	other.pongReceived, c2.lookup(other.Name).pongReceived = 0, 0
	require.Equal(t, c.nodesDescription(true), c2.nodesDescription(true))

	require.NoError(t, os.WriteFile(file, []byte("garbage line\n"), 0o644))
	_, err = (&Cluster{nodes: map[string]*Node{}, configFile: file}).loadConfig()
	require.ErrorContains(t, err, "corrupted cluster config file")
}

// FuzzDecode: any bytes a peer sends are refused or decoded, never a panic.
func FuzzDecode(f *testing.F) {
	h := &header{name: strings.Repeat("a", 40)}
	for _, typ := range []uint16{typePing, typeFail, typePublish, typeUpdate, typeModule} {
		f.Add(encodeHeader(h, typ, 0))
	}
	ping := encodeHeader(h, typePing, gossipLen+16)
	be.PutUint16(ping[offCount:], 1)
	ping[offMflags] = mflag0ExtData
	be.PutUint16(ping[offExts:], 1)
	be.PutUint32(ping[hdrLen+gossipLen:], 16)
	f.Add(ping)
	f.Fuzz(func(t *testing.T, pkt []byte) {
		if len(pkt) >= 8 {
			be.PutUint32(pkt[offTotlen:], uint32(len(pkt)))
		}
		_, _ = decode(pkt)
	})
}
