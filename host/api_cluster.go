package host

// The Go half of the "Modules Cluster API" (api_cluster.c): node ids and
// information, MODULE messages over the cluster bus and their receivers.
// Cluster mode reaches the host through the ClusterNode interface, which
// package cluster implements (cmd/modhost wires it with SetCluster), so
// host imports neither server nor cluster. This file exports to C, so its
// preamble only declares.

/*
#include <stdint.h>
#include <stdlib.h>
#include "api_cluster.h"
*/
import "C"

import (
	"sync/atomic"
	"unsafe"

	"github.com/modhost/modhost/keyspace/rdb"
)

// ClusterNode is this server's cluster mode as modules see it. Every
// method is called with the server lock held.
type ClusterNode interface {
	// MyID is this node's 40-character name.
	MyID() string
	// Size is the number of known nodes, whatever their state.
	Size() int
	// NodeIDs lists the nodes with an address and out of handshake.
	NodeIDs() []string
	// NodeInfo describes node id: its address, its master's id ("" for a
	// master) and its REDISMODULE_NODE_* flags; false when the node is
	// unknown, in handshake or has no address.
	NodeInfo(id string) (ip, masterID string, port, flags int, ok bool)
	// SendModuleMessage sends a MODULE message to target, or to every
	// connected node when target is ""; false if target is unknown or
	// not connected.
	SendModuleMessage(target string, moduleID uint64, typ uint8, payload []byte) bool
	// SetModuleFlags records the REDISMODULE_CLUSTER_FLAG_* bits.
	SetModuleFlags(flags uint64)
	// OnModuleMessage installs the receiver of MODULE messages.
	OnModuleMessage(fn func(sender string, moduleID uint64, typ uint8, payload []byte))
}

// clusterState is the module system's cluster mode (nil: standalone).
type clusterState struct {
	node ClusterNode
	// receivers[type] are the registered receivers of that message type.
	receivers [256][]clusterReceiver
	// myID is MyID in C memory for GetMyClusterID (kept valid while the
	// name does not change).
	myID  *C.char
	myIDs string
}

type clusterReceiver struct {
	moduleID uint64
	mod      *Module
	fn       unsafe.Pointer
}

// clusterSys is the system whose server is a cluster node; the context
// free calls (GetMyClusterID, GetClusterSize) use it.
var clusterSys atomic.Pointer[System]

// SetCluster makes the module Cluster API work on node (cluster-enabled
// yes). Call it before modules load.
func (s *System) SetCluster(node ClusterNode) {
	s.cluster = &clusterState{node: node}
	clusterSys.Store(s)
	node.OnModuleMessage(s.deliverClusterMessage)
}

// moduleClusterID is Redis's id of a module on the bus: the type id of its
// name with encoding version 0, which is 0 for names not 9 characters
// long (moduleTypeEncodeId).
func moduleClusterID(m *Module) uint64 {
	if m == nil {
		return 0
	}
	id, _ := rdb.ModuleTypeID(m.Name, 0)
	return id
}

// deliverClusterMessage calls the receiver registered for typ by the
// module with moduleID (under the server lock).
func (s *System) deliverClusterMessage(sender string, moduleID uint64, typ uint8, payload []byte) {
	cs := s.cluster
	for _, r := range cs.receivers[typ] {
		if r.moduleID != moduleID {
			continue
		}
		st := &ctxState{sys: s, mod: r.mod}
		ctx := newCtx(st, 2, C.MH_CTX_TEMP)
		csender := C.CString(sender)
		var p unsafe.Pointer
		if len(payload) > 0 {
			p = C.CBytes(payload)
		}
		C.mh_call_cluster_receiver(r.fn, ctx, csender, C.uint8_t(typ), (*C.uchar)(p), C.uint32_t(len(payload)))
		freeCtx(ctx)
		C.free(unsafe.Pointer(csender))
		C.free(p)
		return
	}
}

// unregisterClusterReceivers drops m's receivers (unload).
func (s *System) unregisterClusterReceivers(m *Module) {
	if s.cluster == nil {
		return
	}
	for t := range s.cluster.receivers {
		s.cluster.receivers[t] = dropOwned(s.cluster.receivers[t], func(r clusterReceiver) bool { return r.mod == m })
	}
}

// ctxCluster returns the cluster state of ctx's system, nil outside
// cluster mode.
func ctxCluster(ctx *C.RedisModuleCtx) (*System, *clusterState) {
	st := stateOf(ctx)
	if st == nil || st.sys == nil || st.sys.cluster == nil {
		return nil, nil
	}
	return st.sys, st.sys.cluster
}

// mhv_cluster_register implements RedisModule_RegisterClusterMessageReceiver.
//
//export mhv_cluster_register
func mhv_cluster_register(ctx *C.RedisModuleCtx, typ C.uint8_t, fn unsafe.Pointer) {
	defer guardExport(ctx, "RegisterClusterMessageReceiver")
	_, cs := ctxCluster(ctx)
	if cs == nil {
		return
	}
	m := ctxModule(ctx)
	id := moduleClusterID(m)
	list := cs.receivers[typ]
	for i, r := range list {
		if r.moduleID == id {
			if fn != nil {
				list[i].fn, list[i].mod = fn, m
			} else {
				cs.receivers[typ] = append(list[:i:i], list[i+1:]...)
			}
			return
		}
	}
	if fn != nil {
		cs.receivers[typ] = append([]clusterReceiver{{moduleID: id, mod: m, fn: fn}}, list...)
	}
}

// mhv_cluster_send implements RedisModule_SendClusterMessage.
//
//export mhv_cluster_send
func mhv_cluster_send(ctx *C.RedisModuleCtx, target *C.char, typ C.uint8_t, msg *C.char, n C.uint32_t) C.int {
	defer guardExport(ctx, "SendClusterMessage")
	_, cs := ctxCluster(ctx)
	if cs == nil {
		return C.REDISMODULE_ERR
	}
	t := ""
	if target != nil {
		t = C.GoStringN(target, C.REDISMODULE_NODE_ID_LEN)
	}
	var payload []byte
	if n > 0 && msg != nil {
		payload = C.GoBytes(unsafe.Pointer(msg), C.int(n))
	}
	if cs.node.SendModuleMessage(t, moduleClusterID(ctxModule(ctx)), uint8(typ), payload) {
		return C.REDISMODULE_OK
	}
	return C.REDISMODULE_ERR
}

// mhv_cluster_node_info implements RedisModule_GetClusterNodeInfo.
//
//export mhv_cluster_node_info
func mhv_cluster_node_info(id, ip, masterID *C.char, port, flags *C.int) C.int {
	defer guardExport(nil, "GetClusterNodeInfo")
	sys := clusterSys.Load()
	if sys == nil || sys.cluster == nil {
		return C.REDISMODULE_ERR
	}
	nip, master, p, f, ok := sys.cluster.node.NodeInfo(C.GoString(id))
	if !ok {
		return C.REDISMODULE_ERR
	}
	if ip != nil {
		b := unsafe.Slice((*byte)(unsafe.Pointer(ip)), 46)
		n := copy(b[:45], nip)
		b[n] = 0
	}
	if masterID != nil {
		b := unsafe.Slice((*byte)(unsafe.Pointer(masterID)), C.REDISMODULE_NODE_ID_LEN)
		clear(b)
		copy(b, master)
	}
	if port != nil {
		*port = C.int(p)
	}
	if flags != nil {
		*flags = C.int(f)
	}
	return C.REDISMODULE_OK
}

// mhv_cluster_nodes implements RedisModule_GetClusterNodesList.
//
//export mhv_cluster_nodes
func mhv_cluster_nodes(numnodes *C.size_t) **C.char {
	defer guardExport(nil, "GetClusterNodesList")
	sys := clusterSys.Load()
	if sys == nil || sys.cluster == nil {
		return nil
	}
	ids := sys.cluster.node.NodeIDs()
	list := C.mh_cluster_id_list(C.size_t(len(ids)))
	for i, id := range ids {
		cid := C.CString(id)
		C.mh_cluster_id_set(list, C.size_t(i), cid)
		C.free(unsafe.Pointer(cid))
	}
	if numnodes != nil {
		*numnodes = C.size_t(len(ids))
	}
	return list
}

// mhv_cluster_set_flags implements RedisModule_SetClusterFlags.
//
//export mhv_cluster_set_flags
func mhv_cluster_set_flags(flags C.uint64_t) {
	defer guardExport(nil, "SetClusterFlags")
	if sys := clusterSys.Load(); sys != nil && sys.cluster != nil {
		sys.cluster.node.SetModuleFlags(uint64(flags))
	}
}

// mhv_cluster_myid implements RedisModule_GetMyClusterID.
//
//export mhv_cluster_myid
func mhv_cluster_myid() *C.char {
	defer guardExport(nil, "GetMyClusterID")
	sys := clusterSys.Load()
	if sys == nil || sys.cluster == nil {
		return nil
	}
	cs := sys.cluster
	if id := cs.node.MyID(); id != cs.myIDs || cs.myID == nil {
		// The old string stays allocated: a module may still hold it.
		cs.myID, cs.myIDs = C.CString(id), id
	}
	return cs.myID
}

// mhv_cluster_size implements RedisModule_GetClusterSize.
//
//export mhv_cluster_size
func mhv_cluster_size() C.size_t {
	defer guardExport(nil, "GetClusterSize")
	if sys := clusterSys.Load(); sys != nil && sys.cluster != nil {
		return C.size_t(sys.cluster.node.Size())
	}
	return 0
}
