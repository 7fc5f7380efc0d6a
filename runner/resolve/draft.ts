/**
 * The draft the resolve passes (runner/resolve/passes.ts) fill in order: each pass reads what earlier ones made
 * and adds its own part. Diagnostics are collected in the draft; resolveLab builds the ResolvedLab from it.
 */
import { didYouMean, error, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import type { LoadedFile, PathSeg } from '../config/load.ts';
import type { LabExtras } from '../extensions-types.ts';
import type { TargetResult } from '../model/types.ts';
import type { Member } from '../model/ipam.ts';
import type { VirtualDraft } from '../model/virtual.ts';
import type { ResolvedBridge, ResolvedInterface, ResolvedLink, ResolvedNode, ResolvedReady, ResolvedTest } from '../model/types.ts';
import { entriesOf, rawLab, type RawBridge, type RawInterface, type RawLab, type RawNode } from './raw.ts';

export interface IfaceDraft {
  node: string;
  name: string;
  raw: RawInterface;
  declared: boolean;
  pos: SourcePos;
  usedAt?: SourcePos;
  member?: Member;
}

/** One end of a link: node:interface or a bridge. */
export interface EndDraft {
  readonly node?: string;
  readonly ifname?: string;
  readonly bridge?: string;
}

export interface LinkDraft {
  readonly a: EndDraft;
  readonly b: EndDraft;
  readonly mtu?: number;
  /** The bridge-side interface name (set by a cluster's CNI). */
  readonly port?: string;
  readonly hairpin?: boolean;
  readonly pos: SourcePos;
  readonly i: number;
}

export interface ResolveDraft {
  readonly file: LoadedFile;
  readonly at: LoadedFile['at'];
  readonly raw: RawLab;
  readonly labName: string;
  readonly extras: LabExtras;
  readonly diags: Diagnostic[];
  readonly rawNodes: readonly [string, RawNode][];
  readonly rawBridges: readonly [string, RawBridge][];
  readonly nodeNames: readonly string[];
  readonly nodeSet: ReadonlySet<string>;
  readonly bridgeNames: readonly string[];
  /** `unknown node` at a path, with a did-you-mean hint. */
  unknownNode(name: string, path: readonly PathSeg[]): Diagnostic;

  // interfaces, bridges, links
  /** Every interface by "node:if": declared ones and those links name. */
  readonly ifaces: Map<string, IfaceDraft>;
  bridges: ResolvedBridge[];
  bridgeByName: Map<string, ResolvedBridge>;
  /** Some bridge lives in the lab's fabric namespace. */
  needFabric: boolean;
  links: LinkDraft[];
  /** node:if named by a link that had another error (node:* for a whole node). */
  readonly brokenLinks: Set<string>;
  /** Interfaces no link makes (vxlan, macvlan, tun, kernel tunnels). */
  virtuals: VirtualDraft[];

  // addressing
  /** The L2 segment a "br:<bridge>" or "if:<node>:<if>" key is on (its union-find root). */
  segmentOf(key: string): string;
  readonly bridgeMembers: Map<string, Member>;

  // what is resolved
  ifOfNode: Map<string, ResolvedInterface[]>;
  resolvedBridges: ResolvedBridge[];
  resolvedLinks: ResolvedLink[];
  nodes: ResolvedNode[];
  /** A node, node:interface or address as seen from node `from` (set by the targets pass). */
  targetOf(t: string, from?: string, family?: 4 | 6): TargetResult;
  tests: ResolvedTest[];
  ready: ResolvedReady[];
}

export function newDraft(file: LoadedFile, extras: LabExtras, diags: Diagnostic[]): ResolveDraft {
  const raw = rawLab(file.data);
  const rawNodes = entriesOf<RawNode>(raw.nodes);
  const nodeNames = rawNodes.map(([n]) => n);
  const rawBridges = entriesOf<RawBridge>(raw.bridges);
  const at = file.at;
  return {
    file,
    at,
    raw,
    labName: typeof raw.name === 'string' ? raw.name : 'lab',
    extras,
    diags,
    rawNodes,
    rawBridges,
    nodeNames,
    nodeSet: new Set(nodeNames),
    bridgeNames: rawBridges.map(([b]) => b),
    unknownNode: (name, path) => {
      const guess = didYouMean(name, nodeNames);
      return error('ref.unknown-node', `unknown node ${JSON.stringify(name)}`, at(path), guess ? `did you mean ${JSON.stringify(guess)}? nodes: ${nodeNames.join(', ')}` : `nodes in this lab: ${nodeNames.join(', ') || '(none)'}`);
    },
    ifaces: new Map(),
    bridges: [],
    bridgeByName: new Map(),
    needFabric: false,
    links: [],
    brokenLinks: new Set(),
    virtuals: [],
    segmentOf: (key) => key,
    bridgeMembers: new Map(),
    ifOfNode: new Map(),
    resolvedBridges: [],
    resolvedLinks: [],
    nodes: [],
    targetOf: () => ({ ok: false, message: 'targets are not resolved yet' }),
    tests: [],
    ready: [],
  };
}
