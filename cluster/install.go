package cluster

import (
	"strings"

	"github.com/modhost/modhost/commands"

	"github.com/modhost/modhost/server"
)

// Install turns srv into a cluster node (cluster-enabled yes): it locks and
// loads nodes.conf (or makes a new node identity), adds the CLUSTER,
// ASKING, READONLY and READWRITE commands and the redirection check,
// opens the bus listeners on cluster-port (port+10000 by default) and
// starts the cluster cron. Call it after the data commands are added and
// before serving.
func Install(srv *server.Server) (*Cluster, error) {
	cfg := srv.Config
	port := int(cfg.Int("port"))
	if port > 55535 && cfg.Int("cluster-port") == 0 {
		return nil, logLinef("Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less.")
	}
	c := &Cluster{
		srv:        srv,
		keys:       srv.Keys,
		nodes:      map[string]*Node{},
		blacklist:  map[string]int64{},
		state:      stateFail,
		configFile: cfg.String("cluster-config-file"),
		closing:    make(chan struct{}),
		startedMs:  nowMs(),
	}
	lf, err := lockConfig(c.configFile)
	if err != nil {
		return nil, err
	}
	c.lockFile = lf
	loaded, err := c.loadConfig()
	if err != nil {
		lf.release()
		return nil, err
	}
	if !loaded {
		c.nodes = map[string]*Node{}
		c.myself = newNode("", flagMyself|flagMaster)
		c.addNode(c.myself)
		srv.Log.Noticef("No cluster configuration found, I'm %s", c.myself.Name)
	} else {
		srv.Log.Noticef("Node configuration loaded, I'm %.40s", c.myself.Name)
	}
	c.myself.Port = port
	c.myself.CPort = int(cfg.Int("cluster-port"))
	if c.myself.CPort == 0 {
		c.myself.CPort = port + 10000
	}
	if err := c.saveConfig(); err != nil {
		lf.release()
		return nil, logLinef("Can't save the cluster config file %s: %v", c.configFile, err)
	}
	srv.Keys.EnableSlotIndex()
	srv.Cmds.AddTables([][]commands.Entry{c.table()})
	srv.SetClusterCheck(c.check, c.callCheck)
	c.propagatePublish()
	if err := c.listen(strings.Fields(cfg.String("bind")), c.myself.CPort); err != nil {
		lf.release()
		return nil, logLinef("Failed listening on port %d (cluster), aborting: %v", c.myself.CPort, err)
	}
	srv.Lock()
	c.updateState()
	srv.Unlock()
	c.wg.Add(1)
	go c.cronLoop()
	return c, nil
}

// MyID returns this node's name (RedisModule_GetMyClusterID).
func (c *Cluster) MyID() string { return c.myself.Name }

// Size returns the number of known nodes (RedisModule_GetClusterSize).
func (c *Cluster) Size() int { return len(c.nodes) }

// msgDisabled is Redis's reply to the cluster commands while cluster mode
// is off.
const msgDisabled = "ERR This instance has cluster support disabled"

// InstallDisabled adds the CLUSTER family, ASKING, READONLY and READWRITE
// to a server that is not a cluster node: as in Redis, they exist (COMMAND
// lists them with the same flags and key specs) and answer "This instance
// has cluster support disabled".
func InstallDisabled(srv *server.Server) {
	var none *Cluster // its handlers are never called
	table := none.table()
	disable(table)
	srv.Cmds.AddTables([][]commands.Entry{table})
}

// disable replaces every handler of the entries (and their subcommands)
// with the cluster-disabled error.
func disable(entries []commands.Entry) {
	for i := range entries {
		entries[i].Handler = func(c commands.Client, _ [][]byte) { c.Error(msgDisabled) }
		disable(entries[i].Subs)
	}
}
