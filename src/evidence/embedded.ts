// Evidence blocks embedded in logs and pasted text: meminfo, `free` (both layouts), `ulimit -a`,
// /proc/<pid>/limits, sysctl lines, `cat /proc/sys/vm/max_map_count` + its number, `wc -l`
// of a maps file, `ps -eLf | wc -l`, a status block's Threads:, maps excerpts (elisions make the
// count a lower bound), uname, 32-bit markers, `docker run --memory=`, Kubernetes
// resources.limits.memory, a program's own report of its map count and limit (ClickHouse,
// ArangoDB, a sentence about its /proc/self/maps), and counts written in prose (lower weight, cited to their sentence).

import { escapeRegExp, type Fact, type FlagFactKey, type NumericFactKey } from '../core/index.js';
import { parseLimits } from './limits.js';
import { parseFree, parseMeminfoLines } from './meminfo.js';
import { flag, num, parseSize } from './util.js';

/** Only the first this many bytes of a big log are searched for embedded evidence (start-up banners sit at the head). */
export const HARVEST_MAX_BYTES = 16 * 1024 * 1024;

const MEMINFO_ROW = /\b(MemTotal|MemFree|MemAvailable|SwapTotal|SwapFree|CommitLimit|Committed_AS|Buffers|Cached):\s+\d+\s*kB\b/;
const FREE_HEADER = /\btotal\s+used\s+free\s+shared\s+(?:buff\/cache|buffers)/;
const FREE_ROW = /(?:\b(?:Mem|Swap)|-\/\+ buffers\/cache):/;
const ULIMIT_ROW = /\((?:[^,()]+,\s*)?-\w\)\s+\S+\s*$/;
const LIMITS_HEADER = /\bLimit\s+Soft Limit\s+Hard Limit/;
const LIMITS_ROW = /\bMax [a-z ]+?\s{2,}\S+\s+\S+/;
const SYSCTL_KEYS: Record<string, NumericFactKey> = {
  'vm.max_map_count': 'max-map-count',
  'vm.overcommit_memory': 'overcommit-memory',
  'vm.overcommit_ratio': 'overcommit-ratio',
  'kernel.threads-max': 'threads-max',
  'kernel.pid_max': 'pid-max',
};
const SYSCTL_LINE = /\b(vm\.max_map_count|vm\.overcommit_memory|vm\.overcommit_ratio|kernel\.threads-max|kernel\.pid_max)\s*[=:]\s*(\d+)\b/;
/** Only a prompt, `sysctl` or `sudo` may precede a transcript setting; anything else makes it prose. */
const SYSCTL_TRANSCRIPT = /^[\s>|]*(?:[$#]\s*)?(?:sudo\s+)?(?:sysctl\s+)?(?:vm|kernel)\.[\w-]+\s*[=:]\s*\d+\s*$/;
const SYSCTL_SET = /\bsysctl\s+(?:-\w+\s+)*-w\b|\bsysctl\.conf\b|\bsysctl\.d\b|>>?\s*\/etc\//;
const PROC_SYS_CMD = /\/proc\/sys\/(vm|kernel)\/(max_map_count|overcommit_memory|overcommit_ratio|threads-max|pid_max)\b/;
const PROC_SYS_KEYS: Record<string, NumericFactKey> = {
  max_map_count: 'max-map-count',
  overcommit_memory: 'overcommit-memory',
  overcommit_ratio: 'overcommit-ratio',
  'threads-max': 'threads-max',
  pid_max: 'pid-max',
};
const PROC_SYS_INLINE = /\/proc\/sys\/(?:vm|kernel)\/([\w-]+)\s*[:=]\s*(\d+)\s*$/;
const BARE_NUMBER = /^[\s>|]*(\d+)\s*$/;
/** A program's own report of its map count and limit, read at the failure (ClickHouse, ArangoDB): not a transcript of another process. */
const SELF_REPORT_COUNT = /\bCurrent number of mappings \(\/proc\/self\/maps\): (\d+)\b/;
const SELF_REPORT_LIMIT = /\bLimit on number of mappings \(\/proc\/sys\/vm\/max_map_count\): (\d+)\b/;
const SELF_REPORT_PAIR = /\bnumber of memory mappings\. current: (\d+), maximum: (\d+)\b/;
/** A program's own sentence about its /proc/self/maps ("/proc/self/maps now has N lines", "N lines in /proc/self/maps"): its count, not a shell's. */
const SELF_MAPS_SENTENCE = new RegExp(
  String.raw`\/proc\/self\/maps\)?:?\s+(?:now\s+)?(?:has|contains|holds)\s+(\d{1,3}(?:,\d{3})+|\d+)\s+(?:lines|entries|mappings|regions)\b|` +
    String.raw`(?<![\w.,-])(\d{1,3}(?:,\d{3})+|\d+)\s+(?:lines|entries|mappings|regions)\s+in\s+\/proc\/self\/maps\b`,
);
const SHELL_LINE = /\bwc\b|\||^[\s>]*(?:\S*[$#]\s|\$\s*$)/;
const WC_OUTPUT = /(?:^|\s)(\d+)\s+(\S*\/proc\/([\w$(){}]+)\/(?:task\/\d+\/)?maps)\s*$/;
const WC_COMMAND = /\bwc\s+-l\b.*\/proc\/(\$\([^)]*\)|`[^`]*`|[\w${}-]+)\/maps|\/proc\/(\$\([^)]*\)|`[^`]*`|[\w${}-]+)\/maps\b.*\|\s*wc\s+-l/;
const PS_HOST = /\bps\s+(?:-eLf|-eL|-efL|-Lef|axms|-e\s+-L\s*\S*|-eT)\b[^|]*\|\s*wc\s+-l/;
const PS_PROCESS = /\bps\s+(?:-T|-L|huH|-Lf|-o\s+nlwp=?)\b.*\bp(?:id)?\b|\bls\s+\/proc\/\S+\/task\s*\|\s*wc\s+-l/;
const NO_HEADER = /--no-headers?|\bh\w*H\b|nlwp=/;
const STATUS_THREADS = /^[\s>|]*Threads:\s+(\d+)\s*$/;
const STATUS_VMSIZE = /^[\s>|]*VmSize:\s+(\d+)\s*kB\s*$/;
const STATUS_NEIGHBOUR = /^[\s>|]*(Name|Umask|State|Tgid|Ngid|Pid|PPid|VmPeak|VmSize|VmRSS|voluntary_ctxt_switches):\s/;
const MAPS_LINE = /^[\s>|]*[0-9a-f]{8,16}-[0-9a-f]{8,16}\s+[r-][w-][x-][psS-]\s+[0-9a-f]+\s+[0-9a-f]+:[0-9a-f]+\s+\d+/;
const ELISION = new RegExp(
  String.raw`^[\s>|]*(?:\.{3,}|…|<snip(?:ped)?>|\[snip(?:ped)?\]|\[\.\.\.\]|\(\.\.\.\)|-+\s*snip\s*-+|\.\.\.\s*\(?\d+ (?:more )?(?:lines?|entries|` +
    String.raw`mappings)|\(?\d+ (?:more )?(?:lines?|entries|mappings) (?:omitted|removed|skipped|elided)\)?)[\s.…)\]]*$`,
  'i',
);
const SELF_MAPS = /\/proc\/(?:self|thread-self)\/maps/;
const UNAME_CMD = /\buname\s+-[a-z]*m[a-z]*\s*$/;
const UNAME_A = /\bLinux\s+\S+\s+\d+\.\d+\S*\s.*?\b(i[3-6]86|armv[5-7]\w*|armhf|x86_64|aarch64|ppc64le|s390x)\b/;
const ARCH_32 = /^(i[3-6]86|armv[5-7]\w*|armhf|arm|mips|mipsel|ppc)$/;
const ARCH_WORD = /^[\s>|]*(i[3-6]86|armv[5-7]\w*|armhf|x86_64|aarch64|ppc64le|s390x|mips\w*)\s*$/;
const PKG_32 = new RegExp(
  String.raw`\b[\w.+-]+:(?:i386|armhf|armel)\b|[_.-](?:i386|i686|armhf|armv7l|armv7hl)\.(?:deb|rpm)\b|\/(?:usr\/)?lib\/(?:i386-linux-gnu|` +
    String.raw`arm-linux-gnueabihf)\/|\/lib\/ld-linux(?:-armhf)?\.so\.[23]\b`,
);
const TEXT_32 = new RegExp(
  String.raw`\b32-bit\s+(?:userland|user ?space|process|binary|build|JVM|JRE|JDK|java|OS|system|Raspbian|Raspberry|ARM|arm|x86|Linux|kernel|Windows|` +
    String.raw`version)\b|\b(?:userland|user ?space|binary|process|build|JVM|JDK|OS|java)\s+is\s+32-bit\b`,
  'i',
);
/** Build banners that state a 32-bit process: Redis/KeyDB/Valkey start-up, Python on Windows, Rust i686 toolchains, OpenJDK x86 build dirs. */
const BANNER_32 = [
  /\)\s+32 bit, (?:standalone|cluster|sentinel) mode\b/,
  /\[MSC v\.\d+ 32 bit \((?:Intel|ARM)\)\]/,
  /\bi[3-6]86-(?:pc|unknown)-(?:windows|linux)-\w+/,
  /\b(?:linux|windows)-x86-(?:server|client|minimal|zero)-(?:release|fastdebug|slowdebug)\b/,
];
/** A 32-bit target named in a build or trace: Go's GOARCH, and strace's mmap2 (a syscall only 32-bit ABIs have). */
const TARGET_32 = /\bGOARCH=(?:386|arm|mips|mipsle)\b|^[\s>|]*(?:\[pid\s+\d+\]\s*)?mmap2\(/;
const GO_FRAME_PTR = /\b(?:sp|fp)=0x([0-9a-f]+)\b/g;
const DOCKER_MEMORY = /\bdocker\s+(?:container\s+)?(?:run|create|update)\b.*?(?:--memory(?:=|\s+)|\s-m\s*)"?(\d+(?:\.\d+)?)([bkmg])?\b/i;
const COMPOSE_MEMORY = /^\s*mem_limit:\s*["']?(\d+(?:\.\d+)?)([bkmg])?b?["']?\s*$/i;
const K8S_LIMITS = /^(\s*)(?:-\s*)?limits:\s*$/;
const K8S_RESOURCES = /^(\s*)(?:-\s*)?resources:\s*$/;
const K8S_MEMORY = /^(\s*)memory:\s*["']?(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|k|E|Ei)?["']?\s*$/;
const K8S_JSON = /"limits"\s*:\s*\{[^}]*"memory"\s*:\s*"(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|k)?"/;
const PROSE_MAPS = new RegExp(
  String.raw`(?<![\w.-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*([kK]\b)?\s*(?:memory[- ]map(?:ped|ping)?\s+(?:areas|regions)|` +
    String.raw`(?:memory[- ])?map(?:ping)?\s+areas|mappings|mmaps|memory maps|mmap(?:ped)? regions|vmas|VMAs|maps)\b`,
);
/** "40,112 of the 65,530 maps are deleted files", "30k mappings point to (deleted) files", "12,000 deleted mappings". */
const PROSE_DELETED = new RegExp(
  String.raw`(?<![\w.-])(\d{1,3}(?:,\d{3})+|\d+)\s*([kK]\b)?\s+(?:(?:of|out of)\s+(?:the\s+|its\s+)?(?:\d{1,3}(?:,\d{3})+|\d+)\s*(?:[kK]\b)?\s+)?` +
    String.raw`(?:(?:memory[- ])?map(?:ping)?s|map areas|regions|vmas|maps entries|entries)\s+(?:\w+\s+){0,3}?\(?deleted\b|` +
    String.raw`(?<![\w.-])(\d{1,3}(?:,\d{3})+|\d+)\s*([kK]\b)?\s+\(?deleted\)?\s+(?:file\s+)?(?:maps|mappings|map areas|regions|vmas)\b`,
  'i',
);
/** The sysctl's name anywhere in a line: a sentence about it may set or report it. */
const MAX_MAP_COUNT_WORD = /max_map_count/i;
/** Every PROSE_DELETED match holds this word: the cheap trigger that lets the sentence regex run only where it can match. */
const DELETED_WORD = /deleted/i;
/** `grep -c deleted /proc/<pid>/maps`, `grep '(deleted)' /proc/<pid>/maps | wc -l`: its output counts deleted-file areas only. */
const GREP_MAPS = /\bgrep\b.*\/proc\/(\$\([^)]*\)|[\w${}-]+)\/maps\b|\/proc\/(\$\([^)]*\)|[\w${}-]+)\/maps\b.*\|\s*grep\b/;
/** Inside a GREP_MAPS line: it prints a count (grep -c, | wc -l), greps for deleted areas, or inverts the match. */
const GREP_COUNTS = /\bgrep\s+(?:-\w*c\b|--count\b)|\|\s*wc\s+-l\b/;
const GREP_DELETED = /deleted/;
const GREP_INVERT = /\bgrep\s+(?:-\w*v|--invert-match)\b/;
const PROSE_LIMIT = /max_map_count\)?\s*(?:\(|,|is|was|of|=|:|to|at|set to|limit|limit of|value|of only|the)?[\s(]*(?:\w+\s){0,2}?(\d{1,3}(?:,\d{3})+|\d{4,})\b/i;
const PROSE_LIMIT_NEAR = /\b(?:the\s+)?(\d{1,3}(?:,\d{3})+|\d{4,})\s+(?:map(?:s|ping)?\s+)?limit\b|\blimit\s+(?:of\s+|is\s+|=\s*)?(\d{1,3}(?:,\d{3})+|\d{4,})\b/i;
const PROSE_THREADS = /(?<![\w.-])(\d{1,3}(?:,\d{3})+|\d+)\s*([kK]\b)?\s+(?:live\s+|java\s+|native\s+|os\s+)?threads\b/i;
const PROSE_ULIMIT_V = /\bulimit\s+-v\s+(unlimited|\d+)\b/;
const PROSE_ULIMIT_U = /\bulimit\s+-u\s+(unlimited|\d+)\b/;
/** Words before a number that make it a requirement or a bound, not a count ("at least 262,144 areas"). */
const REQUIREMENT_BEFORE = new RegExp(
  String.raw`(?:at least|at most|minimum(?: of)?|maximum(?: of)?|up to|more than|fewer than|less than|no more than|>=|≥|require[sd]?|recommend\w*|` +
    String.raw`default(?: of| is)?|limit(?: of| is)?|set (?:it )?to|to be)\s*(?:a\s+)?$`,
  'i',
);
/** A sentence that mentions map counts at all: only then is "the N limit" a map limit. */
const MAP_TOPIC = /max[_ ]map[_ ]count|map[- ]count|map areas|mappings|\bmaps\b|mmap regions/i;
const PROSE_LIMIT_NAMED = /max[_ ]map[_ ]count\)?\s*\(\s*(\d{1,3}(?:,\d{3})+|\d{4,})\s*\)/i;
/** "the limit was reached / we hit max_map_count": a person's conclusion, kept as a flag of origin prose. */
const LIMIT_HIT = new RegExp(
  String.raw`(?:max[_ ]map[_ ]count|map[- ]count(?: limit)?|map(?:ping)? limit|mmap limit)\b[^.;]{0,60}?\b(?:being reached|was reached|reached|hit|` +
    String.raw`exceeded|exhausted|maxed out|ran out)\b|\b(?:reached|hit|exceeded|exhausted|ran out of)\b[^.;]{0,40}?\b(?:max[_ ]map[_ ]count|` +
    String.raw`map[- ]count limit|map(?:ping)? limit|map areas)\b`,
  'i',
);
const RAISED = /\b(?:raised|increased|bumped|set|changed|upped)\b.*\bmax_map_count\b|\bmax_map_count\b.*\b(?:raised|increased|bumped|already)\b/i;
const PERSISTS = /\b(?:still|again|persists?|same (?:error|issue|problem)|keeps? (?:failing|crashing)|didn'?t help|did not help|no effect|not help)/i;

/**
 * Every regex the loop below tests a line with to decide that the line does something (starts a
 * block, gives a fact or a flag, moves the Kubernetes state). A line none of them matches does
 * nothing, so one test of their union skips it: most lines of a big log. A new trigger must be
 * added here (test/evidence/embedded-triggers.test.ts checks the list against the loop's regexes).
 */
export const TRIGGERS: readonly RegExp[] = [
  SELF_REPORT_COUNT,
  SELF_REPORT_LIMIT,
  SELF_REPORT_PAIR,
  SELF_MAPS_SENTENCE,
  ...BANNER_32,
  TARGET_32,
  MEMINFO_ROW,
  FREE_HEADER,
  ULIMIT_ROW,
  LIMITS_HEADER,
  PROC_SYS_CMD,
  SYSCTL_LINE,
  WC_OUTPUT,
  WC_COMMAND,
  PS_HOST,
  PS_PROCESS,
  STATUS_THREADS,
  STATUS_VMSIZE,
  MAPS_LINE,
  UNAME_CMD,
  UNAME_A,
  PKG_32,
  TEXT_32,
  GO_FRAME_PTR,
  DOCKER_MEMORY,
  COMPOSE_MEMORY,
  K8S_RESOURCES,
  K8S_LIMITS,
  K8S_MEMORY,
  K8S_JSON,
  PROSE_LIMIT_NAMED,
  MAX_MAP_COUNT_WORD,
  PROSE_MAPS,
  MAP_TOPIC,
  LIMIT_HIT,
  PROSE_THREADS,
  PROSE_ULIMIT_V,
  DELETED_WORD,
  GREP_MAPS,
  PROSE_ULIMIT_U,
];

/**
 * Literals, one of which (in any case) is in every line a trigger matches: read off each regex by
 * hand, every branch. A line with none of a trigger's literals cannot match it, so the costly
 * union of those triggers runs only on lines one cheap literal alternation lets through (most log
 * lines hold none). Triggers not listed here (anchored or starting with a fixed character) stay in
 * the ungated union. test/evidence/embedded-triggers.test.ts checks each gate on real text.
 */
export const TRIGGER_GATES: ReadonlyMap<RegExp, readonly string[]> = new Map<RegExp, readonly string[]>([
  [SELF_REPORT_COUNT, ['number of']],
  [SELF_REPORT_LIMIT, ['number of']],
  [SELF_REPORT_PAIR, ['number of']],
  [SELF_MAPS_SENTENCE, ['/maps']],
  ...BANNER_32.map((r): [RegExp, readonly string[]] => [r, ['32 bit', '86-']]),
  [TARGET_32, ['goarch=', 'mmap2(']],
  [MEMINFO_ROW, ['memtotal', 'memfree', 'memavailable', 'swaptotal', 'swapfree', 'commitlimit', 'committed_as', 'buffers', 'cached']],
  [FREE_HEADER, ['total']],
  [LIMITS_HEADER, ['soft limit']],
  [PROC_SYS_CMD, ['/proc/sys/']],
  [SYSCTL_LINE, ['vm.', 'kernel.']],
  [WC_OUTPUT, ['/maps']],
  [WC_COMMAND, ['/maps']],
  [PS_HOST, ['wc']],
  [STATUS_THREADS, ['threads:']],
  [STATUS_VMSIZE, ['vmsize:']],
  [UNAME_CMD, ['uname']],
  [UNAME_A, ['linux']],
  [PKG_32, ['i386', 'i686', 'armhf', 'armel', 'armv7', 'gnueabihf', 'ld-linux']],
  [TEXT_32, ['32-bit']],
  [GO_FRAME_PTR, ['p=0x']],
  [DOCKER_MEMORY, ['docker']],
  [COMPOSE_MEMORY, ['mem_limit']],
  [K8S_RESOURCES, ['resources:']],
  [K8S_LIMITS, ['limits:']],
  [K8S_MEMORY, ['memory:']],
  [K8S_JSON, ['"limits"']],
  [PROSE_LIMIT_NAMED, ['map_count', 'map count']],
  [MAX_MAP_COUNT_WORD, ['max_map_count']],
  [PROSE_MAPS, ['areas', 'regions', 'mappings', 'maps', 'vmas']],
  [MAP_TOPIC, ['map_count', 'map count', 'map-count', 'map areas', 'mappings', 'maps', 'mmap regions']],
  [LIMIT_HIT, ['map_count', 'map count', 'map-count', 'map limit', 'mapping limit', 'map areas']],
  [PROSE_THREADS, ['threads']],
  [PROSE_ULIMIT_V, ['ulimit']],
  [DELETED_WORD, ['deleted']],
  [GREP_MAPS, ['/maps']],
  [PROSE_ULIMIT_U, ['ulimit']],
]);

/** The unions of `regexes`, one per case mode that has any (none for an empty list: an empty union costs a call per line). */
function unions(regexes: readonly RegExp[]): RegExp[] {
  const out: RegExp[] = [];
  for (const caseless of [false, true]) {
    const parts = regexes.filter((r) => r.flags.includes('i') === caseless).map((r) => `(?:${r.source})`);
    if (parts.length > 0) out.push(new RegExp(parts.join('|'), caseless ? 'i' : ''));
  }
  return out;
}
const UNGATED = unions(TRIGGERS.filter((r) => !TRIGGER_GATES.has(r)));
const GATED = unions(TRIGGERS.filter((r) => TRIGGER_GATES.has(r)));
const GATE_WORDS = [...new Set([...TRIGGER_GATES.values()].flat())];
/**
 * The gate literals of 4 bytes or more: a caller may find the lines holding them with a byte search
 * (the scanner's skip loop, which a 3-byte literal leaves no skip). The shorter ones are tested per line.
 */
export const GATE_LITERALS: readonly string[] = GATE_WORDS.filter((w) => Buffer.byteLength(w) >= 4);
/** A caseless alternation of `words`, or null for none (nothing to test). */
const alternation = (words: readonly string[]): RegExp | null => (words.length > 0 ? new RegExp(words.map(escapeRegExp).join('|'), 'i') : null);
const LONG_GATE = alternation(GATE_LITERALS);
const SHORT_GATE = alternation(GATE_WORDS.filter((w) => !GATE_LITERALS.includes(w)));

/** Whether a line holds one of GATE_LITERALS, in any case (what a byte search of them finds). */
export function holdsGateLiteral(line: string): boolean {
  return LONG_GATE !== null && LONG_GATE.test(line);
}

/** Can this line do anything in harvestEmbedded? Exactly "some trigger matches it", tested in two steps. */
export function mayTrigger(line: string): boolean {
  return passes(line, undefined);
}

/** mayTrigger, told by the caller whether the line holds one of GATE_LITERALS (found for all lines at once), or not told. */
function passes(line: string, longGate: boolean | undefined): boolean {
  for (const r of UNGATED) if (r.test(line)) return true;
  if (!((longGate ?? holdsGateLiteral(line)) || (SHORT_GATE !== null && SHORT_GATE.test(line)))) return false;
  for (const r of GATED) if (r.test(line)) return true;
  return false;
}

/** Minimum values read from prose: smaller numbers in a sentence rarely are map or thread counts. */
const PROSE_MIN_MAPS = 1000;
const PROSE_MIN_THREADS = 50;

function proseNumber(raw: string, k: string | undefined): number {
  const n = Number(raw.replace(/,/g, ''));
  return Math.round(k ? n * 1000 : n);
}

/** Kubernetes quantities: K/M/G are decimal, Ki/Mi/Gi binary. */
function k8sQuantity(n: string, unit: string | undefined): number {
  const mult: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Ei: 1024 ** 6 };
  return Math.round(Number(n) * (mult[unit ?? ''] ?? 1));
}

/** The 0-based end (exclusive) of a run of lines satisfying `accept`, starting at i. */
function runEnd(lines: readonly string[], i: number, accept: (l: string) => boolean, maxGap = 0): number {
  let j = i;
  let gap = 0;
  let end = i;
  while (j < lines.length) {
    if (accept(lines[j] ?? '')) {
      end = j + 1;
      gap = 0;
    } else if (++gap > maxGap) break;
    j++;
  }
  return end;
}

/** The next non-blank line after i, within `within` lines. */
function nextValue(lines: readonly string[], i: number, within = 2): number {
  for (let j = i + 1; j < lines.length && j <= i + within; j++) if ((lines[j] ?? '').trim() !== '') return j;
  return -1;
}

/**
 * Facts from evidence embedded in text. `lines` are the file's lines (lines[0] is line
 * `firstLineNo`). Transcripts get origin 'transcript', configuration 'config', sentences 'prose'.
 */
export function harvestEmbedded(file: string, lines: readonly string[], firstLineNo = 1, gated?: ArrayLike<number>): Fact[] {
  const facts: Fact[] = [];
  const at = (i: number): number => firstLineNo + i;
  const n = (key: NumericFactKey, value: number, i: number, method: string, origin: 'at-failure' | 'transcript' | 'config' | 'prose', complete?: boolean): void => {
    facts.push(num(key, value, file, at(i), { method, origin, ...(complete !== undefined ? { complete } : {}) }));
  };
  const f = (key: FlagFactKey, i: number, method: string): void => {
    facts.push({ ...flag(key, file, at(i), method), origin: 'transcript' });
  };
  const taken = new Set<number>();
  const take = (from: number, to: number): void => {
    for (let k = from; k < to; k++) taken.add(k);
  };
  let goSmall = 0;
  let goLarge = 0;
  let goFirst = -1;
  let k8sLimits: { indent: number; line: number } | undefined;
  let k8sResources: { indent: number; line: number } | undefined;

  for (let i = 0; i < lines.length; i++) {
    if (taken.has(i)) continue;
    const line = lines[i] ?? '';
    if (!passes(line, gated ? gated[i] === 1 : undefined)) continue;

    // meminfo block: two or more rows close together.
    if (MEMINFO_ROW.test(line)) {
      const end = runEnd(lines, i, (l) => MEMINFO_ROW.test(l) || /^\s*[\w()]+:\s+\d+(?:\s*kB)?\s*$/.test(l.replace(/^.*?(?=\b[A-Z][\w()]*:\s+\d)/, '')), 1);
      const block = lines.slice(i, end).map((l) => l.replace(/^.*?(?=\b[A-Z][\w()]*:\s+\d)/, ''));
      const got = parseMeminfoLines(file, block, at(i), 'meminfo block in text');
      if (got.length >= 2) {
        for (const g of got) facts.push({ ...g, origin: 'transcript' });
        take(i, end);
        i = end - 1;
        continue;
      }
    }

    // free: the header and its Mem:/Swap:/-/+ rows.
    if (FREE_HEADER.test(line)) {
      const end = runEnd(lines, i + 1, (l) => FREE_ROW.test(l));
      const block = [line.slice(Math.max(0, line.search(/\btotal\s+used/))), ...lines.slice(i + 1, end).map((l) => l.slice(Math.max(0, l.search(FREE_ROW))))];
      const got = parseFree(file, block, at(i), 'free output in text');
      if (got.length > 0) {
        for (const g of got) facts.push({ ...g, origin: 'transcript' });
        take(i, end);
        i = end - 1;
        continue;
      }
    }

    // ulimit -a (bash rows with "(kbytes, -v)") and the /proc/<pid>/limits table.
    if (ULIMIT_ROW.test(line) || LIMITS_HEADER.test(line)) {
      const table = LIMITS_HEADER.test(line);
      const end = runEnd(lines, i + (table ? 1 : 0), (l) => (table ? LIMITS_ROW.test(l) : ULIMIT_ROW.test(l)));
      if (table || end - i >= 3) {
        const strip = (l: string): string => (table ? l.slice(Math.max(0, l.search(/\b(?:Limit|Max )/))) : l.replace(/^.*?(?=\b[a-z][a-z ]+\s+\()/, ''));
        const block = lines.slice(i, end).map(strip);
        const got = parseLimits(file, block);
        for (const g of got)
          facts.push({ ...g, source: { file, line: at(i) + g.source.line - 1 }, method: table ? '/proc/pid/limits table in text' : 'ulimit -a in text', origin: 'transcript' });
        take(i, end);
        i = end - 1;
        continue;
      }
    }

    // A program's own map count and limit, printed when an allocation failed or by its own check.
    const selfCount = SELF_REPORT_COUNT.exec(line);
    const selfLimit = SELF_REPORT_LIMIT.exec(line);
    const selfPair = SELF_REPORT_PAIR.exec(line);
    if (selfCount || selfLimit || selfPair) {
      const count = selfCount?.[1] ?? selfPair?.[1];
      const limit = selfLimit?.[1] ?? selfPair?.[2];
      if (count !== undefined) n('map-count', Number(count), i, "the program's own count of its /proc/self/maps", 'at-failure', true);
      if (limit !== undefined) n('max-map-count', Number(limit), i, "the program's own reading of vm.max_map_count", 'at-failure');
      continue;
    }

    const own = SELF_MAPS_SENTENCE.exec(line);
    if (own && !SHELL_LINE.test(line)) {
      n('map-count', proseNumber(own[1] ?? own[2] ?? '0', undefined), i, "the program's own count of its /proc/self/maps in text", 'transcript', true);
      continue;
    }

    // `cat /proc/sys/vm/max_map_count` then its number; `/proc/sys/vm/x: N` (grep . output).
    const ps = PROC_SYS_CMD.exec(line);
    if (ps) {
      const inline = PROC_SYS_INLINE.exec(line);
      const key = PROC_SYS_KEYS[ps[2] ?? ''];
      if (inline && key) {
        n(key, Number(inline[2]), i, `/proc/sys/${ps[1] ?? ''}/${ps[2] ?? ''} in text`, 'transcript');
        continue;
      }
      const j = nextValue(lines, i);
      const v = j >= 0 ? BARE_NUMBER.exec(lines[j] ?? '') : null;
      if (key && v && !/>\s*\/proc\//.test(line) && !/\becho\b/.test(line)) {
        n(key, Number(v[1]), j, `cat /proc/sys/${ps[1] ?? ''}/${ps[2] ?? ''} in text`, 'transcript');
        take(j, j + 1);
        continue;
      }
    }

    // sysctl lines: output (transcript), a command that sets it or a config file line (config), or in a sentence (prose).
    const sc = SYSCTL_LINE.exec(line);
    if (sc) {
      const key = SYSCTL_KEYS[sc[1] ?? ''];
      if (key) {
        const origin = SYSCTL_SET.test(line) ? 'config' : SYSCTL_TRANSCRIPT.test(line) ? 'transcript' : 'prose';
        n(
          key,
          Number(sc[2]),
          i,
          origin === 'config' ? 'sysctl setting in text (a command or config line)' : origin === 'transcript' ? 'sysctl output in text' : 'sysctl setting written in a sentence',
          origin,
        );
        if (key === 'max-map-count' && RAISED.test(line)) f('map-limit-raised', i, 'text says vm.max_map_count was raised');
        continue;
      }
    }

    // `wc -l /proc/<pid>/maps` output: the count of that process's maps (never /proc/self: that counts wc).
    const wc = WC_OUTPUT.exec(line);
    if (wc && !SELF_MAPS.test(wc[2] ?? '')) {
      n('map-count', Number(wc[1]), i, `wc -l ${wc[2] ?? ''} in text`, 'transcript', true);
      continue;
    }
    // A grep over maps counts a subset: the deleted-file areas when it greps for them, else nothing this reads.
    const gm = GREP_MAPS.exec(line);
    if (gm && GREP_COUNTS.test(line)) {
      const j = nextValue(lines, i);
      const v = j >= 0 ? BARE_NUMBER.exec(lines[j] ?? '') : null;
      if (v) take(j, j + 1);
      if (v && GREP_DELETED.test(line) && !GREP_INVERT.test(line) && !SELF_MAPS.test(line))
        n('deleted-maps', Number(v[1]), j, `deleted-file areas of /proc/${gm[1] ?? gm[2] ?? ''}/maps in text`, 'transcript', true);
      continue;
    }
    const wcc = WC_COMMAND.exec(line);
    if (wcc) {
      const j = nextValue(lines, i);
      const v = j >= 0 ? BARE_NUMBER.exec(lines[j] ?? '') : null;
      if (v) {
        take(j, j + 1);
        if (!SELF_MAPS.test(line)) n('map-count', Number(v[1]), j, `map count of /proc/${wcc[1] ?? wcc[2] ?? ''}/maps in text`, 'transcript', true);
        continue;
      }
    }

    // Thread counts: `ps -eLf | wc -l` (every task on the host, minus the header) and per-process forms.
    if (PS_HOST.test(line) || PS_PROCESS.test(line)) {
      const j = nextValue(lines, i);
      const v = j >= 0 ? BARE_NUMBER.exec(lines[j] ?? '') : null;
      if (v) {
        const header = NO_HEADER.test(line) || /\bls\s+\/proc/.test(line) ? 0 : 1;
        const value = Math.max(0, Number(v[1]) - header);
        if (PS_HOST.test(line)) n('host-threads', value, j, `ps thread count of the whole host in text${header ? ' (minus the header line)' : ''}`, 'transcript');
        else n('threads', value, j, `thread count of one process in text${header ? ' (minus the header line)' : ''}`, 'transcript');
        take(j, j + 1);
        continue;
      }
    }

    // A status block: Threads: and VmSize: count only beside other status rows.
    const th = STATUS_THREADS.exec(line) ?? STATUS_VMSIZE.exec(line);
    if (th) {
      const near = lines.slice(Math.max(0, i - 30), i + 30).filter((l) => STATUS_NEIGHBOUR.test(l)).length;
      if (near >= 2) {
        if (STATUS_THREADS.test(line)) n('threads', Number(th[1]), i, 'Threads: of a /proc/pid/status block in text', 'transcript');
        else n('vm-size', Number(th[1]) * 1024, i, 'VmSize: of a /proc/pid/status block in text', 'transcript');
        continue;
      }
    }

    // Maps excerpts: a run of maps lines, elisions allowed (the count is then a lower bound).
    if (MAPS_LINE.test(line)) {
      let end = i;
      let count = 0;
      let elided = false;
      let heapStack = 0;
      for (let j = i; j < lines.length; j++) {
        const l = lines[j] ?? '';
        if (MAPS_LINE.test(l)) {
          count++;
          end = j + 1;
          if (/\[(?:heap|stack)\]\s*$/.test(l)) heapStack++;
        } else if (ELISION.test(l)) {
          elided = true;
          end = j + 1;
        } else break;
      }
      const before = lines.slice(Math.max(0, i - 3), i).join('\n');
      if (count >= 2 && !SELF_MAPS.test(before)) {
        const complete = !elided && heapStack >= 2;
        n(
          'map-count',
          count,
          i,
          `maps excerpt in text (${count} ` +
            `line${count === 1 ? '' : 's'}${elided ? ', elided: at least this many' : complete ? '' : ', no [heap]/[stack]: probably trimmed, at least this many'})`,
          'transcript',
          complete,
        );
      }
      take(i, end);
      i = end - 1;
      continue;
    }

    // uname and 32-bit markers (weighed only next to an allocation failure).
    if (UNAME_CMD.test(line)) {
      const j = nextValue(lines, i);
      const a = j >= 0 ? ARCH_WORD.exec(lines[j] ?? '') : null;
      if (a && ARCH_32.test(a[1] ?? '')) f('arch-32bit-marker', j, `uname -m says ${a[1] ?? ''} (a 32-bit kernel runs only 32-bit processes)`);
      if (a) take(j, j + 1);
      continue;
    }
    const ua = UNAME_A.exec(line);
    if (ua && ARCH_32.test(ua[1] ?? '')) {
      f('arch-32bit-marker', i, `uname says ${ua[1] ?? ''} (a 32-bit kernel runs only 32-bit processes)`);
      continue;
    }
    if (PKG_32.test(line)) f('arch-32bit-marker', i, '32-bit package or library path');
    else if (TEXT_32.test(line)) f('arch-32bit-marker', i, 'the text says 32-bit');
    else if (BANNER_32.some((b) => b.test(line))) f('arch-32bit-marker', i, 'a build banner or target names a 32-bit process');
    else if (TARGET_32.test(line)) f('arch-32bit-marker', i, 'a 32-bit target: GOARCH, or the mmap2 syscall of a 32-bit ABI in a trace');
    for (const m of line.matchAll(GO_FRAME_PTR)) {
      if (goFirst < 0) goFirst = i;
      if ((m[1] ?? '').length <= 8) goSmall++;
      else goLarge++;
    }

    // Container memory limits as configured: docker run --memory, compose mem_limit, a pod spec.
    const dm = DOCKER_MEMORY.exec(line) ?? COMPOSE_MEMORY.exec(line);
    if (dm) {
      const v = parseSize(`${dm[1] ?? ''}${(dm[2] ?? '').toLowerCase()}`);
      if (v !== null && v > 0) n('cgroup-memory-limit', v, i, DOCKER_MEMORY.test(line) ? 'docker --memory in text' : 'compose mem_limit in text', 'config');
      continue;
    }
    const kr = K8S_RESOURCES.exec(line);
    if (kr) k8sResources = { indent: (kr[1] ?? '').length, line: i };
    const kl = K8S_LIMITS.exec(line);
    if (kl) {
      const indent = (kl[1] ?? '').length;
      k8sLimits = k8sResources && k8sResources.indent < indent && i - k8sResources.line <= 8 ? { indent, line: i } : undefined;
      continue;
    }
    const km = K8S_MEMORY.exec(line);
    if (km && k8sLimits && (km[1] ?? '').length > k8sLimits.indent && i - k8sLimits.line <= 4) {
      n('cgroup-memory-limit', k8sQuantity(km[2] ?? '0', km[3]), i, 'Kubernetes resources.limits.memory in text', 'config');
      k8sLimits = undefined;
      continue;
    }
    const kj = K8S_JSON.exec(line);
    if (kj) {
      n('cgroup-memory-limit', k8sQuantity(kj[1] ?? '0', kj[2]), i, 'Kubernetes resources.limits.memory in text', 'config');
      continue;
    }

    // Prose: counts and limits written in a sentence.
    const named = PROSE_LIMIT_NAMED.exec(line);
    const pl = named ?? (/max_map_count/i.test(line) ? PROSE_LIMIT.exec(line) : null);
    if (
      pl &&
      !REQUIREMENT_BEFORE.test(
        line
          .slice(0, pl.index + pl[0].indexOf(pl[1] ?? ''))
          .replace(/\s+$/, ' ')
          .slice(-30)
          .trimEnd() + ' ',
      )
    ) {
      n('max-map-count', proseNumber(pl[1] ?? '0', undefined), i, 'vm.max_map_count written in a sentence', 'prose');
      if (RAISED.test(line)) f('map-limit-raised', i, 'text says vm.max_map_count was raised');
    }
    const pd = DELETED_WORD.test(line) ? PROSE_DELETED.exec(line) : null;
    const pm = PROSE_MAPS.exec(line);
    // "30k mappings point to deleted files" counts the deleted ones, not all of them.
    if (pm && pm.index !== pd?.index && !SELF_MAPS.test(line) && !REQUIREMENT_BEFORE.test(line.slice(0, pm.index))) {
      const v = proseNumber(pm[1] ?? '0', pm[2]);
      if (v >= PROSE_MIN_MAPS) n('map-count', v, i, 'map count written in a sentence', 'prose', false);
    }
    if (!pl && MAP_TOPIC.test(line)) {
      const near = PROSE_LIMIT_NEAR.exec(line);
      const lv = near ? proseNumber(near[1] ?? near[2] ?? '0', undefined) : 0;
      if (near && lv >= PROSE_MIN_MAPS && lv !== (pm ? proseNumber(pm[1] ?? '0', pm[2]) : -1)) n('max-map-count', lv, i, 'map limit written in a sentence', 'prose');
    }
    if (LIMIT_HIT.test(line) && !/\b(?:not|never|no|n't|before|avoid|prevent|until|if|when|would)\b[^.]{0,30}(?:reach|hit|exceed)/i.test(line))
      f('text-says-map-limit-hit', i, 'the text says the map-count limit was reached');
    if (pd) {
      const v = pd[1] !== undefined ? proseNumber(pd[1], pd[2]) : proseNumber(pd[3] ?? '0', pd[4]);
      if (v >= PROSE_MIN_MAPS) n('deleted-maps', v, i, 'map areas of deleted files written in a sentence', 'prose', false);
    }
    const pt = PROSE_THREADS.exec(line);
    if (pt) {
      const v = proseNumber(pt[1] ?? '0', pt[2]);
      if (v >= PROSE_MIN_THREADS) n('threads', v, i, 'thread count written in a sentence', 'prose');
    }
    const pu = PROSE_ULIMIT_V.exec(line);
    if (pu) n('rlimit-as', pu[1] === 'unlimited' ? Infinity : Number(pu[1]) * 1024, i, 'ulimit -v written in text', 'prose');
    const pn = PROSE_ULIMIT_U.exec(line);
    if (pn) n('rlimit-nproc', pn[1] === 'unlimited' ? Infinity : Number(pn[1]), i, 'ulimit -u written in text', 'prose');
    if (PERSISTS.test(line) && /max_map_count/i.test(line) && RAISED.test(line)) f('failure-persists-after-raise', i, 'text says the failure persisted after the limit was raised');
  }
  // Go stack traces whose frame pointers all fit in 8 hex digits come from a 32-bit process.
  if (goSmall >= 3 && goLarge === 0) f('arch-32bit-marker', goFirst, 'Go stack trace frame pointers all fit in 32 bits');
  return facts;
}
