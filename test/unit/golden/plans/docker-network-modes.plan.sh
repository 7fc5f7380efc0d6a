#!/bin/sh
# nslab plan for lab "docker-network-modes" from labs/docker-network-modes/lab.yaml
# Run as root to build the lab by hand; these are exactly the commands `lab up` runs
# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.
# new namespaces start with net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=0 (inherited from this host): only nodes that need other values get a sysctl
set -e

# ── namespaces: network namespaces (one per node, plus the lab fabric) and containers
# container dockerhost
# from labs/docker-network-modes/lab.yaml:12:3
docker run -d --name nsl.docker-network-modes.dockerhost --network none --hostname dockerhost --label nslab.lab=docker-network-modes --label nslab.node=dockerhost --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4
mkdir -p /run/netns && ln -sfn "/proc/$(docker inspect -f '{{.State.Pid}}' nsl.docker-network-modes.dockerhost)/ns/net" /run/netns/nsl.docker-network-modes.dockerhost
# container hostmode (joins nsl.docker-network-modes.dockerhost)
# from labs/docker-network-modes/lab.yaml:22:3
docker run -d --name nsl.docker-network-modes.hostmode --network container:nsl.docker-network-modes.dockerhost --label nslab.lab=docker-network-modes --label nslab.node=hostmode --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4
# container web
# from labs/docker-network-modes/lab.yaml:16:3
docker run -d --name nsl.docker-network-modes.web --network none --hostname web --label nslab.lab=docker-network-modes --label nslab.node=web --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4
mkdir -p /run/netns && ln -sfn "/proc/$(docker inspect -f '{{.State.Pid}}' nsl.docker-network-modes.web)/ns/net" /run/netns/nsl.docker-network-modes.web
# container sidecar (joins nsl.docker-network-modes.web)
# from labs/docker-network-modes/lab.yaml:25:3
docker run -d --name nsl.docker-network-modes.sidecar --network container:nsl.docker-network-modes.web --label nslab.lab=docker-network-modes --label nslab.node=sidecar --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4
# container isolated
# from labs/docker-network-modes/lab.yaml:28:3
docker run -d --name nsl.docker-network-modes.isolated --network none --hostname isolated --label nslab.lab=docker-network-modes --label nslab.node=isolated --cap-add NET_ADMIN --cap-add NET_RAW nslab/host:1f5bc45320f4
mkdir -p /run/netns && ln -sfn "/proc/$(docker inspect -f '{{.State.Pid}}' nsl.docker-network-modes.isolated)/ns/net" /run/netns/nsl.docker-network-modes.isolated

# ── links: veth pairs created directly inside their namespaces
ip -batch - <<'EOF'
# labs/docker-network-modes/lab.yaml:38:5 — link web:eth0 <-> docker0
link add web-eth0 netns nsl.docker-network-modes.dockerhost index 1000 type veth peer name eth0 netns nsl.docker-network-modes.web
EOF

# ── configure: inside each namespace: sysctls, bridges, addresses, routes
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/docker-network-modes/batch
cat >/run/nslab/docker-network-modes/batch/nsl.docker-network-modes.dockerhost.ip <<'EOF'
# labs/docker-network-modes/lab.yaml:12:3
link set lo up
# labs/docker-network-modes/lab.yaml:33:3 — bridge docker0 in dockerhost
link add docker0 type bridge
# labs/docker-network-modes/lab.yaml:38:5
link set web-eth0 master docker0
# labs/docker-network-modes/lab.yaml:33:3
addr add 172.17.0.1/16 dev docker0
link set docker0 up
# labs/docker-network-modes/lab.yaml:38:5
link set web-eth0 up
EOF
cat >/run/nslab/docker-network-modes/batch/nsl.docker-network-modes.web.ip <<'EOF'
# labs/docker-network-modes/lab.yaml:16:3
link set lo up
# labs/docker-network-modes/lab.yaml:19:7
addr add 172.17.0.2/16 dev eth0
link set eth0 up
# labs/docker-network-modes/lab.yaml:20:14
route add default via 172.17.0.1
EOF
cat >/run/nslab/docker-network-modes/batch/nsl.docker-network-modes.isolated.ip <<'EOF'
# labs/docker-network-modes/lab.yaml:28:3
link set lo up
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.docker-network-modes.dockerhost sysctl -qw net.ipv6.conf.all.forwarding=1
--net=/run/netns/nsl.docker-network-modes.dockerhost ip -batch /run/nslab/docker-network-modes/batch/nsl.docker-network-modes.dockerhost.ip
--net=/run/netns/nsl.docker-network-modes.web sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.docker-network-modes.web ip -batch /run/nslab/docker-network-modes/batch/nsl.docker-network-modes.web.ip
--net=/run/netns/nsl.docker-network-modes.isolated sysctl -qw net.ipv4.ip_forward=0
--net=/run/netns/nsl.docker-network-modes.isolated ip -batch /run/nslab/docker-network-modes/batch/nsl.docker-network-modes.isolated.ip
EOF

# ── settle: wait until every bridge port forwards (the kernel applies link changes asynchronously)
# wait until every bridge port forwards
# from labs/docker-network-modes/lab.yaml:33:3
# repeated until no port is "state disabled", for at most 10 s
while nsenter --net=/run/netns/nsl.docker-network-modes.dockerhost bridge link show | grep -q 'state disabled'; do sleep 0.01; done

# ── daemons: long-running processes (stopped by `lab down`)
# node dockerhost: test server on 8080
# from labs/docker-network-modes/lab.yaml:12:3
mkdir -p /run/nslab/docker-network-modes/logs
ip netns exec nsl.docker-network-modes.dockerhost lab agent whoami --name dockerhost --port 8080 >/run/nslab/docker-network-modes/logs/dockerhost.whoami.log 2>&1 &
# node web: test server on 80
# from labs/docker-network-modes/lab.yaml:16:3
mkdir -p /run/nslab/docker-network-modes/logs
ip netns exec nsl.docker-network-modes.web lab agent whoami --name web --port 80 >/run/nslab/docker-network-modes/logs/web.whoami.log 2>&1 &

# ── teardown (what `lab down` runs): stop every process inside the lab's namespaces (by PID), then
# delete the namespaces, which removes every link, bridge, address, route and rule inside them
# (commented out, so that running this script builds the lab and leaves it up)
#   ip -force -batch - <<'EOF'
#   netns del nsl.docker-network-modes.dockerhost
#   netns del nsl.docker-network-modes.web
#   netns del nsl.docker-network-modes.dockerhost
#   netns del nsl.docker-network-modes.web
#   netns del nsl.docker-network-modes.isolated
#   EOF
