#!/usr/bin/python3
"""One Mininet rep for bench/run.ts: single switch (Linux bridge, no STP), N hosts, controller=None.

    /usr/bin/python3 bench/mininet_single.py N

Run with Debian's /usr/bin/python3 (it has the mininet module; a pyenv python3 on PATH does not).
Protocol with the bench (one JSON object per line on stdout):
  1. after net.start():  {"event": "up", "build_s", "start_s", "shells", "shells_rss_kb", "shells_pss_kb"}
  2. the bench measures what it wants, then writes one line to stdin
  3. h1 pings hN once:   {"event": "ping", "ok", "rtt_ms", "out"}  (then net.stop() starts at once)
  4. after net.stop():   {"event": "down", "stop_s", "py_peak_rss_kb"}  and the process exits
Every name carries the prefix 'nbm' (hosts nbmh1..nbmhN, bridge nbms1 in the root namespace).
Never calls `mn -c` or net.iperf(): both kill processes by name machine-wide. Mininet's own
net.stop() ends the host shells by their PID.
"""
import json
import os
import re
import sys
import time

from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topo import Topo

PREFIX = 'nbm'


class Single(Topo):
    def build(self, n=2):
        s = self.addSwitch(PREFIX + 's1')
        for i in range(1, n + 1):
            self.addLink(self.addHost('%sh%d' % (PREFIX, i)), s)


def status_kb(pid, field):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid):
    try:
        with open('/proc/%d/smaps_rollup' % pid) as f:
            for line in f:
                if line.startswith('Pss:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def emit(obj):
    sys.stdout.write(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in obj.items()}) + '\n')
    sys.stdout.flush()


def main():
    n = int(sys.argv[1])
    setLogLevel('warning')
    topo = Single(n=n)
    t0 = time.perf_counter()
    net = Mininet(topo=topo, switch=LinuxBridge, controller=None, ipBase='10.252.0.0/16')
    t1 = time.perf_counter()
    try:
        net.start()
        t2 = time.perf_counter()
        shells = [x.pid for x in net.hosts + net.switches]
        emit(dict(event='up', build_s=t1 - t0, start_s=t2 - t1, shells=len(shells),
                  shells_rss_kb=sum(status_kb(p, 'VmRSS') for p in shells),
                  shells_pss_kb=sum(pss_kb(p) for p in shells)))
        sys.stdin.readline()
        # sanity, untimed by the bench (it times the stop from this event): h1 pings hN once
        out = net.hosts[0].cmd('ping -n -c1 -W2 %s' % net.hosts[-1].IP())
        m = re.search(r'time=([\d.]+) ms', out)
        emit(dict(event='ping', ok=' 0% packet loss' in out, rtt_ms=float(m.group(1)) if m else None,
                  out=out.strip()[-300:]))
    finally:
        t3 = time.perf_counter()
        net.stop()
        stop_s = time.perf_counter() - t3
    emit(dict(event='down', stop_s=stop_s, py_peak_rss_kb=status_kb(os.getpid(), 'VmHWM')))


if __name__ == '__main__':
    main()
