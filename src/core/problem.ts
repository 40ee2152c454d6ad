// Problems: data issues (unreadable, binary, truncated, too-long line…) carried as values
// beside the findings, never thrown. A problem is a code plus arguments; the words for each
// code live in one place (formatProblem), like publint's diagnostics.

export interface Problem {
  readonly code: ProblemCode;
  /** Display path of the input (relative to the scan root), or '-' for stdin. */
  readonly file: string;
  /** 1-based line number where the problem sits, when it has one. */
  readonly line?: number;
  readonly args: Readonly<Record<string, string | number>>;
}

export type ProblemSeverity = 'error' | 'warning' | 'info';

/** Every problem code and how bad it is: the one list of codes (their words are in formatProblem). */
const PROBLEM_SEVERITY = {
  'input-not-found': 'error',
  unreadable: 'error',
  'not-a-file': 'warning',
  binary: 'warning',
  empty: 'info',
  'truncated-gzip': 'warning',
  'corrupt-gzip': 'error',
  'line-too-long': 'warning',
  'unknown-format': 'info',
  'too-large': 'warning',
  'symlink-outside-root': 'info',
  'unsupported-compression': 'warning',
  'archive-broken': 'error',
  'evidence-cut': 'warning',
  'evidence-unparsed': 'warning',
  'evidence-harvest-cut': 'info',
  'findings-capped': 'info',
  'record-start-lost': 'info',
  'own-report': 'info',
  'duplicate-input': 'info',
  'symlink-loop': 'warning',
  'nul-bytes': 'info',
  transcoded: 'info',
  'shard-role-mismatch': 'warning',
  'shards-missing': 'warning',
  'shard-plans-differ': 'warning',
} as const satisfies Record<string, ProblemSeverity>;

export type ProblemCode = keyof typeof PROBLEM_SEVERITY;
export const PROBLEM_CODES = Object.keys(PROBLEM_SEVERITY) as readonly ProblemCode[];

export function problemSeverity(code: ProblemCode): ProblemSeverity {
  return PROBLEM_SEVERITY[code];
}

function arg(p: Problem, key: string): string {
  const v = p.args[key];
  return v === undefined ? '?' : String(v);
}

/** The compression a truncated-gzip/corrupt-gzip/too-large problem names ('format': gzip unless said). */
function compression(p: Problem): string {
  const f = p.args['format'];
  return f === undefined ? 'gzip' : String(f);
}

/** The one place where problem codes become words. */
export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  switch (p.code) {
    case 'input-not-found':
      return p.args['listed'] !== undefined
        ? `${where}: no such file or directory (listed at ${arg(p, 'listed')}); check the path (it was not scanned)`
        : `${where}: no such file or directory; check the path (it was not scanned)`;
    case 'unreadable':
      return `${where}: cannot be read (${arg(p, 'reason')}); nothing from it is in this report`;
    case 'not-a-file':
      return `${where}: not a regular file (${arg(p, 'kind')}); skipped`;
    case 'binary':
      return `${where}: looks binary (${arg(p, 'reason')}); skipped. If it is a compressed log, decompress it first`;
    case 'empty':
      return `${where}: empty file`;
    case 'truncated-gzip':
      return `${where}: ${compression(p)} stream ends early after ${arg(p, 'bytes')} decompressed bytes; what was read before the cut is scanned`;
    case 'corrupt-gzip':
      return `${where}: ${compression(p)} data is corrupt (${arg(p, 'reason')}) after ${arg(p, 'bytes')} decompressed bytes; what was read before is scanned`;
    case 'line-too-long':
      return `${where}: line longer than ${arg(p, 'limit')} bytes (${arg(p, 'length')} bytes); scanned in windows, shown cut`;
    case 'unknown-format':
      return `${where}: format not recognised; scanned as plain text`;
    case 'too-large': {
      if (p.args['what'] === 'archive members') {
        return `${where}: more than ${arg(p, 'limit')} archive members (the --max-archive-members cap); members after the first ${arg(p, 'limit')} were not read`;
      }
      if (p.args['ratio'] !== undefined) {
        const read = arg(p, 'read');
        return `${where}: ${compression(p)} data expands more than ${arg(p, 'ratio')}:1 (a decompression bomb, not a log); only the first ${read} decompressed bytes were read`;
      }
      const read = p.args['read'];
      const how = read === 0 ? 'nothing of it was read' : `only the first ${read === undefined ? arg(p, 'limit') : String(read)} bytes were read`;
      const member = p.args['member'] === undefined ? '' : ` (the cap was met in ${arg(p, 'member')}; later members were not read)`;
      return `${where}: ${arg(p, 'what')} larger than ${arg(p, 'limit')} bytes; ${how}${member}`;
    }
    case 'symlink-outside-root':
      return `${where}: symbolic link pointing outside the scanned root (${arg(p, 'target')}); not followed`;
    case 'unsupported-compression':
      return `${where}: ${arg(p, 'kind')} compressed; decompress it first (${arg(p, 'command')}) and scan the result`;
    case 'archive-broken':
      return `${where}: archive cut short or corrupt (${arg(p, 'reason')}); what was read before the break is in this report`;
    case 'evidence-cut':
      return `${where}: ${arg(p, 'what')} is cut short (${arg(p, 'reason')}); its count is a lower bound, not the full count`;
    case 'evidence-unparsed':
      return `${where}: looks like ${arg(p, 'what')} but could not be parsed (${arg(p, 'reason')})`;
    case 'evidence-harvest-cut':
      return (
        `${where}: evidence written into the log (meminfo, free, ulimit -a, sysctl, maps lines, counts in sentences) was read from its first ` +
        `${arg(p, 'limit')} only, through line ${arg(p, 'through')}; failures were matched in the whole file`
      );
    case 'findings-capped':
      return `${where}: ${arg(p, 'count')} more findings of rule ${arg(p, 'rule')} were counted but not listed`;
    case 'record-start-lost':
      return `${where}: the start of this record lies more than ${arg(p, 'limit')} lines earlier; shown from the hit`;
    case 'own-report':
      return `${where}: a mapmortem report (${arg(p, 'format')}), not a log; skipped so a scan never reads its own output back (merge reports with \`mapmortem report\`)`;
    case 'duplicate-input':
      return `${where}: the same file as ${arg(p, 'same')}; read once, as ${arg(p, 'same')}`;
    case 'symlink-loop':
      return `${where}: symbolic link loop (the link leads back to itself); not followed`;
    case 'nul-bytes':
      return `${where}: ${arg(p, 'count')} NUL bytes (${arg(p, 'where')}); read as text, not skipped as binary`;
    case 'transcoded':
      return `${where}: ${arg(p, 'encoding')} text, decoded to UTF-8 and scanned; line numbers and excerpts refer to the decoded text`;
    case 'shard-role-mismatch':
      return (
        `${where}: planned as ${arg(p, 'planned')} when the inputs were split into shards, read as ${arg(p, 'role')}: ` +
        'its host may be split across shards; scan its host without --shard to be sure'
      );
    case 'shards-missing': {
      const many = arg(p, 'missing').includes(',');
      return (
        `${where}: shard${many ? 's' : ''} ${arg(p, 'missing')} of this scan ${many ? 'are' : 'is'} not among the merged results: ` +
        `the hosts ${many ? 'they' : 'it'} scanned are not in this report; merge again with every shard's JSON`
      );
    }
    case 'shard-plans-differ':
      return (
        `${where}: shards planned over different inputs (${arg(p, 'plans')}): files appeared or changed between the shards' runs, ` +
        'so a host may be missing or counted twice; run every shard over the same inputs'
      );
  }
}
