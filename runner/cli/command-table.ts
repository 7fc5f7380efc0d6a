/**
 * Every `lab` command in ONE table: its arguments, what it does, its options and an example. The parser
 * (args.ts), `lab help`/`--help` (help.ts) and `lab completion` (completion.ts) all read it; main.ts runs the
 * command's code (imported only then).
 */
import type { OptionSpec } from './args.ts';

/** What a command's positional arguments are, for completion. */
export type ArgKind =
  /** lab files and directories holding a lab.yaml */
  | 'lab'
  /** those, or the name of a lab that is up */
  | 'lab-or-running'
  /** those, then the nodes of the lab that is up (named first, else the only one): `lab trace [LAB] FROM TO` */
  | 'lab-then-nodes'
  /** the same, with one node: `lab restart [LAB] NODE` */
  | 'lab-then-node'
  | 'none'
  /** fixed words (a sub-command) */
  | { readonly words: readonly string[] };

export interface CommandSpec {
  readonly name: string;
  /** The arguments, as in the usage line: `[LAB] [--test]` without the options, which are listed apart. */
  readonly args: string;
  readonly summary: string;
  /** More lines for `lab <command> --help`. */
  readonly details?: readonly string[];
  readonly options: readonly OptionSpec[];
  readonly example: string;
  readonly complete: ArgKind;
  /** Not listed by `lab help` nor completed (nslab's own helpers). */
  readonly hidden?: boolean;
  /** Unknown options are passed on (the agents read their own). */
  readonly passThrough?: boolean;
  /** The words are not parsed at all: all of them are positionals (`lab __complete`). */
  readonly raw?: boolean;
}

const REPORTER: OptionSpec = { name: 'reporter', short: 'r', type: 'string', value: 'junit|tap|json', choices: ['junit', 'tap', 'json'], description: 'also write a machine-readable report …' };
const OUTPUT: OptionSpec = { name: 'output', short: 'o', type: 'string', value: 'FILE', path: true, description: '… to FILE (default: standard output; many labs: .xml, .json or .tap imply the report)' };
const QUIET: OptionSpec = { name: 'quiet', type: 'boolean', description: 'no progress output' };
const NODES: OptionSpec = { name: 'nodes', type: 'string', value: 'NODE,…', nodes: true, description: 'only these nodes (globs too: h*) and what they need; links to the others are left out, and said' };
const EXCLUDE: OptionSpec = { name: 'exclude', type: 'string', value: 'NODE,…', nodes: true, description: 'every node but these (globs too); with --nodes: of those' };
const JSON_OUT: OptionSpec = { name: 'json', type: 'boolean', description: 'print it as data (JSON)' };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'validate',
    args: '[LAB…]',
    summary: 'check lab files (schema, references, addresses); touches nothing',
    options: [],
    example: 'lab validate labs/*/lab.yaml',
    complete: 'lab',
  },
  {
    name: 'plan',
    args: '[LAB]',
    summary: 'print the exact commands `lab up` runs, as a commented shell script',
    options: [
      { name: 'teardown', type: 'boolean', description: 'also print the teardown commands' },
      { name: 'json', type: 'boolean', description: 'print the plan as data' },
      { name: 'diff', type: 'boolean', description: 'print what `lab up` runs to change the running lab to this file (only the difference)' },
      NODES,
      EXCLUDE,
    ],
    example: 'lab plan labs/routed > routed.sh',
    complete: 'lab',
  },
  {
    name: 'up',
    args: '[LAB]',
    summary: 'build the lab (root); on any failure, remove what was built',
    details: [
      'Part of a lab: --nodes r1,r2,h1 (or --exclude r3) builds those nodes and what they need: the links between',
      'them, the bridges those reach, their containers and daemons; a pod brings its node. Links to nodes left out',
      "are left out and said, per node; so are BGP sessions that stay down and Services' endpoints not up. `lab test`",
      'then runs the tests whose nodes are all up and reports the others SKIPPED (exit 5 when all that ran passed).',
      'A lab that is up from an earlier version of its file (or as another part) is changed in place: only the',
      'difference is run (`lab plan --diff` prints it); BIRD reloads with birdc configure, its other sessions stay up.',
    ],
    options: [
      { name: 'test', type: 'boolean', description: "run the lab's tests once it is up" },
      { name: 'recreate', type: 'boolean', description: 'if the lab is up from an older version of the file, take it down and build it anew (instead of changing it in place)' },
      { name: 'wait', type: 'string', value: 'DURATION', description: 'wait at most this long for the lab to be ready (BGP converged, servers listening, DNS answering; default 60s)' },
      { name: 'no-wait', type: 'boolean', description: 'return as soon as the last command ran, without waiting for the lab to be ready' },
      NODES,
      EXCLUDE,
      QUIET,
      { ...REPORTER, description: 'with --test: also write a machine-readable report …' },
      OUTPUT,
    ],
    example: 'sudo lab up labs/netns-veth --test',
    complete: 'lab',
  },
  {
    name: 'test',
    args: '[LAB] | DIR | \'GLOB\' | LAB…',
    summary: "run the lab's tests against the running lab (root)",
    details: [
      'many labs (a directory, a glob, several labs, --keep or --parallel): each is brought up, tested and taken',
      'down (labs already up are tested as they are and left up); a summary table and ONE combined report',
      '(junit: a testsuite per lab; json: a labs array). DIR means DIR/lab.yaml and DIR/*/lab.yaml; quote globs,',
      'nslab expands them',
    ],
    options: [
      REPORTER,
      OUTPUT,
      { name: 'parallel', type: 'string', value: 'N', description: 'many labs: N labs at once (default 1)' },
      { name: 'keep', type: 'boolean', description: 'many labs: leave the labs it brought up running' },
      QUIET,
    ],
    example: "sudo lab test labs/ --reporter junit --output results.xml",
    complete: 'lab-or-running',
  },
  {
    name: 'down',
    args: '[LAB] | --all',
    summary: 'remove everything the lab made, also after a crash (root)',
    options: [{ name: 'all', type: 'boolean', description: 'every lab on this machine' }],
    example: 'sudo lab down netns-veth',
    complete: 'lab-or-running',
  },
  {
    name: 'status',
    args: '[LAB]',
    summary: 'labs, nodes, interfaces, addresses, routes, processes (root)',
    details: ['A lab that lost a container, namespace or daemon behind nslab\'s back is shown as degraded, and the exit code is 4.'],
    options: [JSON_OUT],
    example: 'sudo lab status netns-veth',
    complete: 'lab-or-running',
  },
  {
    name: 'exec',
    args: '[LAB] NODE -- CMD…',
    summary: 'run a command inside a node (root)',
    options: [],
    example: 'sudo lab exec netns-veth h1 -- ip -br addr',
    complete: 'lab-or-running',
  },
  {
    name: 'restart',
    args: '[LAB] NODE',
    summary: 'restart one node of a running lab: its processes and containers start anew, its links and addresses come back (root)',
    details: [
      'The node is stopped (see lab stop) and started again (see lab start): a BIRD router gets a new BIRD process (and',
      'container), its BGP sessions start over. The node\'s addresses, routes and links are what `lab up` made. The same',
      'code as the `restart:` test action.',
    ],
    options: [
      { ...JSON_OUT, description: 'print what was done (PIDs ended and started, containers, times) as data' },
      { name: 'wait', type: 'string', value: 'DURATION', description: 'wait at most this long for the lab to be ready again (its BGP sessions back, servers listening; default 60s)' },
      { name: 'no-wait', type: 'boolean', description: 'return as soon as the node is started, without waiting for the lab to be ready' },
    ],
    example: 'sudo lab restart ebgp-triangle r1',
    complete: 'lab-then-node',
  },
  {
    name: 'stop',
    args: '[LAB] NODE',
    summary: 'stop one node of a running lab as if powered off: its processes end, its namespace (and links) go (root)',
    details: [
      'Its daemons and every process in its namespace end, its containers stop (they stay, for lab start), its namespace',
      'is deleted and with it every link with an end in it: the neighbours see carrier loss. Recorded in the lab\'s state:',
      '`lab status` says stopped, `lab down` removes it all. The same code as the `stop:` test action.',
    ],
    options: [{ ...JSON_OUT, description: 'print what was done (PIDs ended and started, containers, times) as data' }],
    example: 'sudo lab stop ebgp-triangle r1',
    complete: 'lab-then-node',
  },
  {
    name: 'start',
    args: '[LAB] NODE',
    summary: 'start a stopped node again: its namespace or containers, its links, addresses, routes, rules and daemons (root)',
    details: [
      'Runs the node\'s slice of the plan (what `lab plan` prints for it): its namespace or containers (started again),',
      'the links with an end in it, everything in its namespace, and on the other end of its links the addresses,',
      'routes and bridge ports that went with them. The same code as the `start:` test action.',
    ],
    options: [
      { ...JSON_OUT, description: 'print what was done (PIDs ended and started, containers, times) as data' },
      { name: 'wait', type: 'string', value: 'DURATION', description: 'wait at most this long for the lab to be ready again (its BGP sessions back, servers listening; default 60s)' },
      { name: 'no-wait', type: 'boolean', description: 'return as soon as the node is started, without waiting for the lab to be ready' },
    ],
    example: 'sudo lab start ebgp-triangle r1',
    complete: 'lab-then-node',
  },
  {
    name: 'trace',
    args: '[LAB] FROM TO',
    summary: "one packet's walk through the running lab, hop by hop, beside the model's prediction (root; --predict: none)",
    details: [
      'FROM: a node or pod (name or namespace/pod). TO: a node, a pod, node:iface, an address, address:port, a Service',
      '(name, ns/name, svc/name: its ClusterIP), ClusterIP:port, node:NODEPORT or <node address>:NODEPORT, a LoadBalancer',
      'address. icmp without a port, tcp with --port, a Service port\'s own protocol for a Service. Every hop: in → out',
      '(bridge ports), the route that matched, every netfilter rule hit with its verdict and the lab object behind it,',
      'NAT, VXLAN/tun encap and decap; then how it ended, and where the model differs (≠).',
      'exit 0: delivered (and answered) and the model agrees; 1: dropped, or kernel and model differ; 4: lab not up,',
      'no root, or a kernel that cannot trace; 64: a FROM, TO, port or protocol the lab has no such thing for',
    ],
    options: [
      { name: 'port', short: 'p', type: 'string', value: 'N', description: 'destination port (tcp by default); for a Service: which of its ports' },
      { name: 'proto', type: 'string', value: 'tcp|udp|icmp', choices: ['tcp', 'udp', 'icmp'], description: 'the protocol (default: icmp without a port, tcp with one)' },
      { name: 'predict', type: 'boolean', description: "only the model's prediction: nothing is sent; the lab may be down; no root" },
      { name: 'format', type: 'string', value: 'text|mermaid', choices: ['text', 'mermaid'], description: 'text (default) or a Mermaid sequence diagram of the walk' },
      { ...JSON_OUT, description: 'print the whole report (flow, kernel walk, prediction, differences) as data (JSON)' },
    ],
    example: 'sudo lab trace labs/k8s-services-iptables client web',
    complete: 'lab-then-nodes',
  },
  {
    name: 'graph',
    args: '[LAB] [--trace FROM TO]',
    summary: 'draw the lab: Mermaid flowchart text (GitHub renders it in Markdown); no root',
    details: [
      '--trace FROM TO (as `lab trace`): the nodes, bridges and links a packet from FROM to TO passes are drawn in red:',
      "the kernel's walk when the lab is up and you are root, else the model's prediction",
    ],
    options: [
      { name: 'format', type: 'string', value: 'mermaid|svg|dot', choices: ['mermaid', 'svg', 'dot'], description: "svg is laid out by Graphviz's dot (apt-get install graphviz)" },
      { name: 'out', short: 'o', type: 'string', value: 'FILE', path: true, description: 'write FILE (.svg/.dot/.md imply the format) instead of standard output' },
      { name: 'trace', type: 'boolean', description: 'highlight the path of a packet from FROM to TO (the two words after LAB)' },
      { name: 'port', short: 'p', type: 'string', value: 'N', description: 'with --trace: the destination port (as `lab trace --port`)' },
      { name: 'proto', type: 'string', value: 'tcp|udp|icmp', choices: ['tcp', 'udp', 'icmp'], description: 'with --trace: the protocol (as `lab trace --proto`)' },
    ],
    example: 'lab graph labs/routed --out routed.svg',
    complete: 'lab',
  },
  {
    name: 'handout',
    args: '[LAB] | --all',
    summary: 'workshop handouts: DIR/<lab>.html and DIR/<lab>.md; no root',
    details: [
      'one self-contained HTML file: diagram, nodes, the commands to build it by hand with the lab\'s notes, tests',
      'as exercises, latest results; --all: every labs/*/lab.yaml and an index.html',
    ],
    options: [
      { name: 'all', type: 'boolean', description: 'every labs/*/lab.yaml, and an index.html' },
      { name: 'out', type: 'string', value: 'DIR', path: true, description: 'where to write them (default handouts/)' },
    ],
    example: 'lab handout labs/bridge-nat --out handouts/',
    complete: 'lab',
  },
  {
    name: 'doctor',
    args: '',
    summary: 'check tools, kernel features and Docker',
    options: [
      { name: 'fix', type: 'boolean', description: 'install the missing Debian packages' },
      JSON_OUT,
    ],
    example: 'sudo lab doctor --fix',
    complete: 'none',
  },
  {
    name: 'images',
    args: 'build|list|rm [NAME…]',
    summary: 'the lab images nslab builds offline from Debian packages (nslab/host, nslab/bird)',
    details: [
      'lab images build [NAME…] [--force]: build them (root)',
      'lab images list [--json]: tag, recipe hash, size, created, up to date or stale',
      'lab images rm NAME…|--all: remove nslab images and their cached root file systems',
    ],
    options: [
      { name: 'force', type: 'boolean', description: 'build: rebuild even when an image is up to date' },
      { ...QUIET, description: 'build: no progress output' },
      { ...JSON_OUT, description: 'list: print it as data (JSON)' },
      { name: 'all', type: 'boolean', description: 'rm: every nslab image' },
    ],
    example: 'sudo lab images build nslab/bird --force',
    complete: { words: ['build', 'list', 'rm'] },
  },
  {
    name: 'completion',
    args: 'bash|zsh',
    summary: 'print a shell completion script (commands, options, lab files, running labs)',
    options: [],
    example: 'source <(lab completion bash)',
    complete: { words: ['bash', 'zsh'] },
  },
  {
    name: 'help',
    args: '[COMMAND]',
    summary: 'the commands, or one command: its options and an example',
    options: [],
    example: 'lab help up',
    complete: { words: [] }, // filled in by completion: the commands
  },
  {
    name: 'version',
    args: '',
    summary: "nslab's version",
    options: [],
    example: 'lab version',
    complete: 'none',
  },
  {
    name: 'agent',
    args: 'whoami|probe|storm|kube-proxy-userspace …',
    summary: "nslab's own helpers, run inside nodes",
    options: [
      { name: 'name', type: 'string', value: 'NODE', description: 'whoami: the name it answers with' },
      { name: 'port', type: 'string', value: 'PORT', multiple: true, description: 'a TCP port to serve (repeatable)' },
      { name: 'udp-port', type: 'string', value: 'PORT', multiple: true, description: 'a UDP port to serve (repeatable)' },
      { name: 'app-version', type: 'string', value: 'V', description: "whoami: the pod's version label, told in HTTP answers" },
    ],
    example: 'lab agent whoami --name h1 --port 80',
    complete: 'none',
    hidden: true,
    passThrough: true,
  },
  {
    name: '__complete',
    args: 'WORD…',
    summary: 'the completions of a command line (for the scripts of `lab completion`)',
    options: [],
    example: 'lab __complete up --',
    complete: 'none',
    hidden: true,
    raw: true,
  },
];

export const commandNamed = (name: string | undefined): CommandSpec | undefined => COMMANDS.find((c) => c.name === name);
