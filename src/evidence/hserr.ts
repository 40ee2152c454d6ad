// A whole JVM fatal error log (hs_err_pid*.log) read as evidence: the out-of-memory header, the
// Memory: / meminfo / rlimit / /proc/sys lines, the container section, thread lists, heap mode,
// and the Dynamic libraries section (a /proc/self/maps copy, often trimmed). Every fact keeps
// its 1-based line. The log side of the same file (the failure lines) is the formats' job.

import type { EventTime, Fact, MapsBreakdown, NumericFact, NumericFactKey, Problem } from '../core/index.js';
import { monthNumber, offsetMinutes, timeFromParts } from '../core/time.js';
import { parseContainerSection } from './cgroup.js';
import { parseMaps, summarizeRegions } from './maps.js';
import { parseMeminfoLines } from './meminfo.js';
import { FactPicker, flag, isBlank, num, parseSize, text } from './util.js';
import type { EvidenceParserDef } from './parser.js';

export interface HsErrEvidence {
  readonly facts: Fact[];
  readonly maps?: MapsBreakdown;
  readonly problems: Problem[];
}

const HEADER_MARKS = [
  /^#\s*A fatal error has been detected by the Java Runtime Environment/,
  /^#\s*There is insufficient memory for the Java Runtime Environment to continue/,
  /^#\s*JRE version:/,
  /^#\s*Java VM:/,
  /^-{5,}\s+T H R E A D\s+-{5,}/,
  /^-{5,}\s+S Y S T E M\s+-{5,}/,
];

/** Whether the first lines are those of an hs_err file (its `#` header or a section banner). */
export function detectHsErr(head: readonly string[]): boolean {
  return head.some((l) => HEADER_MARKS.some((re) => re.test(l.trim())));
}

const FAILED_REQUEST = /Native memory allocation \((mmap|malloc)\) failed to (?:map|allocate) (\d+) bytes/;
const THREAD_FAILED = /Cannot create (?:[\w ]+ )?thread|pthread_create|unable to create (?:new )?native thread/i;
const JAVA_VM = /^#\s*Java VM:\s*(.*)$/;
const PLATFORM = /\b(linux|windows|solaris|bsd|macosx|darwin|aix)-([a-z0-9_]+)/;
const ARCH_32 = new Set(['x86', 'i386', 'i486', 'i586', 'i686', 'arm', 'aarch32', 'ppc', 'sparc', 's390']);
const MEMORY_K = /^Memory: \d+k page, physical (\d+)k\((\d+)k free\)(?:, swap (\d+)k\((\d+)k free\))?/;
const MEMORY_M = /^Memory: \d+k page, system-wide physical (\d+)M \((\d+)M free\)/;
const PAGE_FILE = /^TotalPageFile size (\d+)M \(AvailPageFile size (\d+)M\)/;
const RLIMIT = /^rlimit(?: \(soft\/hard\))?:\s*(.*)$/;
const PROC_SYS = /^\/proc\/sys\/(vm|kernel)\/([\w-]+)(?:\s*\([^)]*\))?:\s*(.*?)\s*$/;
const HEAP_ADDRESS = /^heap address: (0x[0-9a-f]+), size: (\d+) MB, Compressed Oops mode: ([^,:]+)/i;
const SMR_LIST = /^_java_thread_list=0x[0-9a-f]+, length=(\d+), elements=\{/;
const THREAD_ENTRY = /^(?:=>)?\s*(0x[0-9a-f]+)\s+\S/;
const MAPS_LINE = /^[0-9a-f]+-[0-9a-f]+\s+[r-][w-][x-][psS-]\s/;
const MODULE_LINE = /^0x[0-9a-f]+(?:\s+-\s+0x[0-9a-f]+)?\s+\S/;
const TOTAL_MAPPINGS = /^Total number of mappings:\s*(\d+)\s*$/;
const THREAD_POINTER = /(?:Current thread \(|Thread |^(?:=>)?\s*)(0x[0-9a-f]{8,16})\b/g;

const PROC_SYS_KEYS: Record<string, NumericFactKey> = {
  'vm/max_map_count': 'max-map-count',
  'vm/overcommit_memory': 'overcommit-memory',
  'vm/overcommit_ratio': 'overcommit-ratio',
  'kernel/threads-max': 'threads-max',
  'kernel/pid_max': 'pid-max',
};

const RLIMIT_KEYS: Record<string, NumericFactKey> = {
  AS: 'rlimit-as',
  DATA: 'rlimit-data',
  NPROC: 'rlimit-nproc',
  NOFILE: 'rlimit-nofile',
};

/** Priorities when two places of the file give the same fact. */
const PRIO_MEMINFO = 2;
const PRIO_MEMORY_LINE = 1;

interface Section {
  /** 0-based index of the first line after the header. */
  readonly start: number;
  /** 0-based index one past the last line of the section. */
  readonly end: number;
  /** True when the file ended inside the section. */
  readonly eof: boolean;
}

/** The section under a header line: lines up to the first blank one or the first not accepted. */
function sectionAfter(lines: readonly string[], header: number, accept: (l: string) => boolean): Section {
  let i = header + 1;
  while (i < lines.length && !isBlank(lines[i]) && accept(lines[i] ?? '')) i++;
  // A final '' element is the split after the last newline, not a blank line in the file.
  const eof = i >= lines.length || (i === lines.length - 1 && lines[i] === '');
  return { start: header + 1, end: i, eof };
}

function hex(s: string): bigint {
  return BigInt(s);
}

export function parseHsErr(file: string, rawLines: readonly string[]): HsErrEvidence {
  const lines = rawLines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const picker = new FactPicker<Fact>();
  const problems: Problem[] = [];
  const add = (f: Fact, prio = 0): void => picker.add(f, prio);

  // Platform first: the Memory line means something else on Windows.
  let windows = false;
  let solaris = false;
  let bits32 = false;
  let platformLine = 0;
  lines.forEach((line, i) => {
    if (platformLine !== 0) return;
    const vm = JAVA_VM.exec(line) ?? /^vm_info:\s*(.*)$/.exec(line);
    if (!vm) return;
    const p = PLATFORM.exec(vm[1] ?? '');
    if (!p) return;
    platformLine = i + 1;
    windows = p[1] === 'windows';
    solaris = p[1] === 'solaris';
    bits32 = !/64-Bit/.test(vm[1] ?? '') && ARCH_32.has(p[2] ?? '');
  });
  if (windows) add(flag('os-windows', file, platformLine, 'hs_err Java VM platform'));
  if (solaris) add(flag('os-solaris', file, platformLine, 'hs_err Java VM platform'));
  if (bits32) add(flag('jvm-32bit', file, platformLine, 'hs_err Java VM platform (32-bit)'));

  let oomHeader = false;
  let sizeLimitHint = 0;
  let unscaledHint = 0;
  let heapBase: bigint | undefined;
  let oops32Line = 0;
  let javaThreadsList: { count: number; line: number; complete: boolean } | undefined;
  let otherThreads: { count: number; line: number; complete: boolean } | undefined;
  let mapsSeen = false;
  let maps: MapsBreakdown | undefined;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const ln = i + 1;

    if (line.startsWith('#')) {
      if (/There is insufficient memory for the Java Runtime Environment/.test(line)) oomHeader = true;
      const fr = FAILED_REQUEST.exec(line);
      if (fr) add(num('failed-request-bytes', Number(fr[2]), file, ln, { method: `hs_err header (${fr[1] ?? ''})` }));
      if (THREAD_FAILED.test(line) && !/Decrease|Possible/.test(line)) add(flag('thread-creation-failed', file, ln, 'hs_err header'));
      if (/In 32 bit mode, the process size limit was hit/.test(line)) sizeLimitHint = ln;
      if (/Unscaled Compressed Oops mode|placed in the first 4GB address space/.test(line) && unscaledHint === 0) unscaledHint = ln;
      const pid = /\bpid=(\d+)/.exec(line);
      if (pid) add(num('pid', Number(pid[1]), file, ln, { method: 'hs_err header' }));
      const jre = /^#\s*JRE version:\s*(.*?)\s*$/.exec(line);
      if (jre) {
        const build = /\(build ([^)]+)\)/.exec(jre[1] ?? '');
        const paren = /\(([^)]*\d[^)]*)\)/.exec(jre[1] ?? '');
        const v = build?.[1] ?? paren?.[1] ?? jre[1] ?? '';
        if (v !== '') add(text('jvm-version', v, file, ln));
      }
      continue;
    }

    const mk = MEMORY_K.exec(line);
    if (mk) {
      const method = 'hs_err Memory line';
      add(num('mem-total', Number(mk[1]) * 1024, file, ln, { method }), PRIO_MEMORY_LINE);
      add(num('mem-free', Number(mk[2]) * 1024, file, ln, { method }), PRIO_MEMORY_LINE);
      if (mk[3] !== undefined && mk[4] !== undefined) {
        const total = Number(mk[3]) * 1024;
        const free = Number(mk[4]) * 1024;
        if (windows) {
          // JDK 8 on Windows prints the page file (the commit limit, RAM included) as "swap".
          const wm = 'hs_err Memory line (Windows: swap is the page file, i.e. the commit limit)';
          add(num('commit-limit', total, file, ln, { method: wm }), PRIO_MEMORY_LINE);
          add(num('committed-as', total - free, file, ln, { method: wm }), PRIO_MEMORY_LINE);
        } else {
          add(num('swap-total', total, file, ln, { method }), PRIO_MEMORY_LINE);
          add(num('swap-free', free, file, ln, { method }), PRIO_MEMORY_LINE);
        }
      }
      continue;
    }
    const mm = MEMORY_M.exec(line);
    if (mm) {
      const method = 'hs_err Memory line';
      add(num('mem-total', Number(mm[1]) * 1024 ** 2, file, ln, { method }), PRIO_MEMORY_LINE);
      add(num('mem-free', Number(mm[2]) * 1024 ** 2, file, ln, { method }), PRIO_MEMORY_LINE);
      continue;
    }
    const pf = PAGE_FILE.exec(line);
    if (pf) {
      const method = 'hs_err TotalPageFile (Windows commit limit)';
      const total = Number(pf[1]) * 1024 ** 2;
      add(num('commit-limit', total, file, ln, { method }), PRIO_MEMINFO);
      add(num('committed-as', total - Number(pf[2]) * 1024 ** 2, file, ln, { method }), PRIO_MEMINFO);
      continue;
    }

    if (/^\/proc\/meminfo:\s*$/.test(line)) {
      const s = sectionAfter(lines, i, () => true);
      for (const f of parseMeminfoLines(file, lines.slice(s.start, s.end), s.start + 1, 'hs_err /proc/meminfo')) add(f, PRIO_MEMINFO);
      i = s.end - 1;
      continue;
    }

    if (/^container \(cgroup\) information:\s*$/.test(line)) {
      const s = sectionAfter(lines, i, () => true);
      for (const f of parseContainerSection(file, lines.slice(s.start, s.end), s.start + 1)) add(f);
      i = s.end - 1;
      continue;
    }

    const rl = RLIMIT.exec(line);
    if (rl) {
      for (const part of (rl[1] ?? '').split(',')) {
        const m = /^\s*([A-Z]+)\s+(\S+?)(?:\/\S+)?\s*$/.exec(part);
        const key = m ? RLIMIT_KEYS[m[1] ?? ''] : undefined;
        if (!m || key === undefined) continue;
        const v = parseSize(m[2] ?? '');
        if (v !== null) add(num(key, v, file, ln, { method: 'hs_err rlimit line (soft)' }));
      }
      continue;
    }

    const ps = PROC_SYS.exec(line);
    if (ps) {
      const key = PROC_SYS_KEYS[`${ps[1] ?? ''}/${ps[2] ?? ''}`];
      let value = ps[3] ?? '';
      let valueLine = ln;
      if (value === '' && /^\s*\d+\s*$/.test(lines[i + 1] ?? '')) {
        value = (lines[i + 1] ?? '').trim();
        valueLine = ln + 1;
      }
      if (key !== undefined && /^\d+$/.test(value)) add(num(key, Number(value), file, valueLine, { method: 'hs_err header line' }));
      continue;
    }

    const ha = HEAP_ADDRESS.exec(line);
    if (ha) {
      heapBase = hex(ha[1] ?? '0');
      const mode = (ha[3] ?? '').trim();
      add(num('heap-base', Number(heapBase), file, ln, { method: 'hs_err heap address' }));
      add(text('compressed-oops-mode', mode, file, ln));
      if (mode === '32-bit') oops32Line = ln;
      continue;
    }

    const smr = SMR_LIST.exec(line);
    if (smr) {
      add(num('java-threads', Number(smr[1]), file, ln, { method: 'hs_err Threads class SMR info length' }), 2);
      continue;
    }

    if (/^Java Threads: \( => current thread \)/.test(line) || /^Other Threads:\s*$/.test(line)) {
      const s = sectionAfter(lines, i, (l) => THREAD_ENTRY.test(l));
      let count = 0;
      for (let j = s.start; j < s.end; j++) if (THREAD_ENTRY.test(lines[j] ?? '')) count++;
      const entry = { count, line: ln, complete: !s.eof };
      if (line.startsWith('Java')) javaThreadsList = entry;
      else otherThreads = entry;
      i = s.end - 1;
      continue;
    }

    if (/^Dynamic libraries:\s*$/.test(line) && !mapsSeen) {
      mapsSeen = true;
      const s = sectionAfter(lines, i, (l) => MAPS_LINE.test(l) || MODULE_LINE.test(l));
      const section = lines.slice(s.start, s.end);
      const linux = section.filter((l) => MAPS_LINE.test(l));
      if (linux.length > 0 && linux.length === section.length) {
        const parsed = parseMaps(file, s.eof ? section : [...section, ''], s.start + 1);
        const reason = trimmedReason(section, s.eof);
        const complete = reason === null && parsed.breakdown.complete;
        maps = summarizeRegions(file, 'hs-err', parsed.regions, complete, ln);
        add(num('map-count', parsed.regions.length, file, ln, { complete, method: 'hs_err Dynamic libraries (lines of /proc/self/maps)' }), 1);
        for (const p of parsed.problems) problems.push(p);
        if (reason !== null) problems.push({ code: 'evidence-cut', file, line: ln, args: { what: 'the hs_err Dynamic libraries section', reason } });
      }
      i = s.end - 1;
      continue;
    }

    const tm = TOTAL_MAPPINGS.exec(line);
    if (tm) {
      add(num('map-count', Number(tm[1]), file, ln, { complete: true, method: 'hs_err Total number of mappings' }), 2);
      continue;
    }

    if (/^OS:/.test(line) && !picker.has('os')) {
      let v = line.slice(3).trim();
      let vl = ln;
      if (v === '' && !isBlank(lines[i + 1])) {
        v = (lines[i + 1] ?? '').trim();
        vl = ln + 1;
      }
      if (v !== '') add(text('os', v, file, vl));
      continue;
    }
    const when = picker.has('crash-time') ? null : hsErrTime(line);
    if (when !== null) {
      add(text('crash-time', when.iso, file, ln));
      continue;
    }
    const cl = /^Command Line:\s*(.*?)\s*$/.exec(line);
    if (cl && (cl[1] ?? '') !== '') {
      add(text('command-line', cl[1] ?? '', file, ln), 2);
      continue;
    }
    const ja = /^jvm_args:\s*(.*?)\s*$/.exec(line);
    if (ja && (ja[1] ?? '') !== '') {
      const cmd = /^java_command:\s*(.*?)\s*$/.exec(lines[i + 1] ?? '');
      const v = cmd && cmd[1] !== '<unknown>' ? `${ja[1] ?? ''} ${cmd[1] ?? ''}`.trim() : (ja[1] ?? '');
      add(text('command-line', v, file, ln), 1);
      continue;
    }
    const vi = /^vm_info:\s*(.*?)\s*$/.exec(line);
    if (vi) {
      const jre = /\bJRE \(([^)]*\d[^)]*)\)/.exec(vi[1] ?? '');
      if (jre) add(text('jvm-version', jre[1] ?? '', file, ln), -1);
    }
  }

  if (javaThreadsList !== undefined) {
    add(num('java-threads', javaThreadsList.count, file, javaThreadsList.line, { complete: javaThreadsList.complete, method: 'hs_err Java Threads list' }), 1);
  }
  if (otherThreads !== undefined || javaThreadsList !== undefined) {
    const java = picker.facts().find((f): f is NumericFact => f.key === 'java-threads');
    const javaCount = java?.value ?? 0;
    const other = otherThreads?.count ?? 0;
    const javaComplete = java?.method === 'hs_err Threads class SMR info length' || (javaThreadsList?.complete ?? false);
    const complete = javaComplete && (otherThreads?.complete ?? false);
    const line = otherThreads?.line ?? javaThreadsList?.line ?? 0;
    add(num('threads', javaCount + other, file, line, { complete, method: 'hs_err Java Threads + Other Threads lists (JVM-known threads only)' }));
  }

  // The JVM prints "In 32 bit mode, the process size limit was hit" as a generic hint (JDK 8
  // before u1xx prints it on 64-bit too): only a 32-bit JVM makes it a finding.
  if (sizeLimitHint !== 0 && bits32) add(flag('process-size-limit-hit', file, sizeLimitHint, 'hs_err header hint on a 32-bit JVM'));

  // "The Java Heap base address is the maximum limit for the native heap growth" is a hint the
  // JVM prints for every unscaled or zero-based compressed-oops run, whatever the cause. It is
  // a finding only with unscaled (32-bit) oops: the heap then sits below 4 GiB and caps the
  // native heap under it. Zero-based runs are left to the native-heap-top vs heap-base check.
  if (oomHeader && (unscaledHint !== 0 || oops32Line !== 0)) {
    const at = unscaledHint !== 0 ? unscaledHint : oops32Line;
    add(flag('compressed-oops-heap-base-limit', file, at, 'unscaled (32-bit) compressed oops: the Java heap below 4 GiB caps native heap growth'));
  }

  if (heapBase !== undefined) {
    const top = nativeHeapTop(lines, heapBase);
    if (top !== undefined) {
      add(num('native-heap-top', Number(top.value), file, top.line, { method: 'highest C-heap thread pointer below the Java heap base' }));
    }
  }

  const result: HsErrEvidence = maps === undefined ? { facts: picker.facts(), problems } : { facts: picker.facts(), maps, problems };
  return result;
}

/**
 * Why a Linux Dynamic libraries section is not the whole /proc/self/maps, or null when it is.
 * A real JVM map always has a [heap] and a [stack] line and is sorted by address; support
 * engineers and anonymising tools often keep only the libjvm line.
 */
function trimmedReason(section: readonly string[], eof: boolean): string | null {
  if (eof) return 'the file ends inside the section';
  const paths = section.map((l) => l.trim().split(/\s+/).slice(5).join(' '));
  if (!paths.includes('[heap]') || !paths.includes('[stack]')) return `trimmed: ${section.length} line(s), no [heap] or [stack] mapping`;
  let prev = -1n;
  for (const l of section) {
    const start = BigInt(`0x${l.split('-')[0] ?? '0'}`);
    if (start < prev) return 'trimmed: addresses out of order';
    prev = start;
  }
  return null;
}

/**
 * JavaThread objects live in the C heap, so the highest thread pointer below the Java heap base
 * shows how far the native heap has grown toward it (pointers above the base are in mmap'd
 * arenas and say nothing about that gap).
 */
function nativeHeapTop(lines: readonly string[], heapBase: bigint): { value: bigint; line: number } | undefined {
  let best: { value: bigint; line: number } | undefined;
  lines.forEach((line, i) => {
    if (!/JavaThread|Thread|=>/.test(line)) return;
    for (const m of line.matchAll(THREAD_POINTER)) {
      const v = hex(m[1] ?? '0x0');
      if (v === 0n || v >= heapBase) continue;
      if (best === undefined || v > best.value) best = { value: v, line: i + 1 };
    }
  });
  return best;
}

const TIME_LINE = /^[Tt]ime:\s+[A-Z][a-z]{2}\s+([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d\d):(\d\d):(\d\d)\s+(\d{4})(?:\s+(UTC|GMT|[+-]\d\d:?\d\d)\b)?/;

/**
 * The crash time of an hs_err `Time:` line (JDK 9+: `Time: Tue Jun  3 14:07:42 2025 UTC elapsed time: …`; JDK 8: `time: Tue Jun  3
 * 14:07:42 2025`), normalised as every log time is (a zone makes it UTC); a named zone other than UTC/GMT (CEST, PST) leaves it
 * without an offset, placed as written.
 */
export function hsErrTime(line: string): EventTime | null {
  const m = TIME_LINE.exec(line);
  if (!m) return null;
  const month = monthNumber(m[1] ?? '');
  if (month === undefined) return null;
  const zone = m[7] === undefined ? undefined : m[7] === 'UTC' || m[7] === 'GMT' ? 'Z' : m[7];
  const n = (i: number): number => Number(m[i] ?? '');
  return timeFromParts(n(6), month, n(2), n(3), n(4), n(5), undefined, offsetMinutes(zone)) ?? null;
}

export const hsErrEvidence: EvidenceParserDef = {
  name: 'hs-err',
  kinds: ['hs-err'],
  description: 'a JVM hs_err crash file',
  detect: (head) => (detectHsErr(head) ? 'hs-err' : null),
  parse: (kind, file, lines) => {
    const parsed = parseHsErr(file, lines);
    const evidence = parsed.maps === undefined ? { file, kind, facts: parsed.facts } : { file, kind, facts: parsed.facts, maps: parsed.maps };
    return { evidence, problems: parsed.problems };
  },
  facts: [
    'crash-time',
    'map-count',
    'max-map-count',
    'rlimit-as',
    'rlimit-data',
    'rlimit-nproc',
    'threads',
    'java-threads',
    'mem-total',
    'commit-limit',
    'committed-as',
    'failed-request-bytes',
    'heap-base',
    'jvm-32bit',
    'thread-creation-failed',
    'jvm-version',
    'os',
  ],
  samples: [
    {
      name: 'hs_err_pid4242.log',
      lines: [
        '#',
        '# There is insufficient memory for the Java Runtime Environment to continue.',
        '# Native memory allocation (mmap) failed to map 12288 bytes for committing reserved memory.',
        '#',
      ],
      kind: 'hs-err',
      facts: { 'failed-request-bytes': 12288 },
    },
  ],
};
