/**
 * capture's side of tcpdump: the wrapper that runs it with its messages in a file, and reading what it printed
 * (its packets, its final counts, whether it began to listen).
 */

/** Runs tcpdump (the rest of the words) with its stderr in file $1, after a first line that names its PID. */
const WRAPPER = 'exec 2>"$1"; echo "nslab-capture pid $$" >&2; shift; exec "$@"';
const PID_LINE = /^nslab-capture pid (\d+)\n?/m;

export function wrapperArgv(stderrFile: string, argv: readonly string[]): string[] {
  return ['sh', '-c', WRAPPER, 'sh', stderrFile, ...argv];
}

export interface VxlanHeader {
  /** tcpdump's name for the header: VXLAN (UDP 4789) or OTV (UDP 8472, the same header). */
  readonly decodedAs: 'VXLAN' | 'OTV';
  readonly flags: number;
  readonly vni: number;
}

export interface CapturedPacket {
  /** The packet's lines as tcpdump printed them: a time-stamped line, then the decoding (indented or not). */
  readonly lines: readonly string[];
  /** The outermost VXLAN header, if tcpdump decoded one. */
  readonly vxlan?: VxlanHeader;
}

/** Every packet starts with tcpdump's default time stamp; other lines continue the packet before them. */
const PACKET_START = /^\d{2}:\d{2}:\d{2}\.\d{6} /;
const VXLAN_LINE = /\b(VXLAN|OTV), flags \[[^\]]*\] \((0x[0-9a-fA-F]+)\), (?:vni|overlay \d+, instance) (\d+)\b/;
/** The VXLAN "I" flag: the VNI is valid. */
export const FLAG_I = 0x08;

export function parsePackets(stdout: string): CapturedPacket[] {
  const packets: { lines: string[] }[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trimEnd();
    if (PACKET_START.test(line)) packets.push({ lines: [line] });
    else if (line.trim() !== '' && packets.length) packets[packets.length - 1].lines.push(line);
  }
  return packets.map(({ lines }) => {
    for (const l of lines) {
      const m = VXLAN_LINE.exec(l);
      if (m) return { lines, vxlan: { decodedAs: m[1] as 'VXLAN' | 'OTV', flags: Number.parseInt(m[2], 16), vni: Number(m[3]) } };
    }
    return { lines };
  });
}

export interface TcpdumpStats {
  readonly captured: number;
  readonly receivedByFilter?: number;
  readonly droppedByKernel?: number;
}

/** The counts tcpdump prints on stderr when it ends. */
export function parseTcpdumpStats(stderr: string): TcpdumpStats | undefined {
  const n = (re: RegExp): number | undefined => {
    const m = re.exec(stderr);
    return m ? Number(m[1]) : undefined;
  };
  const captured = n(/^(\d+) packets? captured$/m);
  if (captured === undefined) return undefined;
  return { captured, receivedByFilter: n(/^(\d+) packets? received by filter$/m), droppedByKernel: n(/^(\d+) packets? dropped by kernel$/m) };
}

/** tcpdump's stderr without the wrapper's PID line. */
export function tcpdumpMessages(stderrFile: string): { pid?: number; text: string } {
  const m = PID_LINE.exec(stderrFile);
  return m ? { pid: Number(m[1]), text: stderrFile.replace(PID_LINE, '') } : { text: stderrFile };
}

/** Where tcpdump is while it starts: listening, ended with an error, or not there yet. */
export function startState(messages: string): 'listening' | 'failed' | 'waiting' {
  if (/^(?:tcpdump: )?listening on /m.test(messages)) return 'listening';
  const other = messages
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/verbose output suppressed|warning/i.test(l));
  return other.length ? 'failed' : 'waiting';
}
