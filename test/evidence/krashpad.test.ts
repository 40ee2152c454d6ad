// Every file of the krashpad hs_err corpus (/work/shared/corpus/krashpad, 97 real JVM fatal
// error logs) goes through detection and parsing; a few numbers were checked by hand.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { EvidenceFile, Fact, Problem } from '../../src/core/index.js';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';

const DIR = fileURLToPath(new URL('../../../shared/corpus/krashpad/', import.meta.url));
// The corpus lives in ../shared beside the repository (as in CI); without it this suite is skipped.
const PRESENT = existsSync(DIR);
const FILES = (PRESENT ? readdirSync(DIR) : []).filter((f) => /^dataset\d+\.txt$/.test(f)).sort((a, b) => Number(a.slice(7, -4)) - Number(b.slice(7, -4)));

interface Parsed {
  lines: string[];
  kind: ReturnType<typeof detectEvidence>;
  evidence?: EvidenceFile;
  problems: Problem[];
}

const parsed = new Map<string, Parsed>();
for (const f of FILES) {
  const lines = readFileSync(`${DIR}${f}`, 'utf8').split('\n');
  const kind = detectEvidence(lines.slice(0, 40), f);
  if (kind === null) {
    parsed.set(f, { lines, kind, problems: [] });
    continue;
  }
  const r = parseEvidence(kind, f, lines);
  parsed.set(f, { lines, kind, evidence: r.evidence, problems: r.problems });
}

function file(n: number): Parsed {
  const p = parsed.get(`dataset${n}.txt`);
  if (p === undefined) throw new Error(`dataset${n}.txt missing`);
  return p;
}

function fact(n: number, key: string): Fact | undefined {
  return file(n).evidence?.facts.find((f) => f.key === key);
}

function value(n: number, key: string): unknown {
  return fact(n, key)?.value;
}

/** expected.tsv: dataset → header line. */
const HEADERS = new Map(
  (PRESENT ? readFileSync(`${DIR}expected.tsv`, 'utf8') : '')
    .split('\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => {
      const cols = l.split('\t');
      return [cols[0] ?? '', cols[3] ?? ''] as const;
    }),
);

const KIB = 1024;

describe.skipIf(!PRESENT)('krashpad hs_err corpus', () => {
  it('has all 97 files', () => {
    expect(FILES).toHaveLength(97);
  });

  it('detects every file with a header as hs-err and the header-less fragments as nothing', () => {
    for (const f of FILES) {
      const header = HEADERS.get(f);
      const p = parsed.get(f);
      if (header === '(no header)') {
        // Fragment 91 keeps the "# JRE version" banner lines, so it still reads as an hs_err.
        expect(p?.kind, f).toBe(f === 'dataset91.txt' ? 'hs-err' : null);
      } else {
        expect(p?.kind, f).toBe('hs-err');
      }
    }
  });

  it('gives every fact a source line inside its file', () => {
    for (const f of FILES) {
      const p = parsed.get(f);
      for (const x of p?.evidence?.facts ?? []) {
        expect(x.source.file).toBe(f);
        expect(x.source.line, `${f} ${x.key}`).toBeGreaterThanOrEqual(1);
        expect(x.source.line, `${f} ${x.key}`).toBeLessThanOrEqual(p?.lines.length ?? 0);
      }
    }
  });

  it('reads the failed request size of every native allocation header', () => {
    let checked = 0;
    for (const [f, header] of HEADERS) {
      const m = /Native memory allocation \((?:mmap|malloc)\) failed to (?:map|allocate) (\d+) bytes/.exec(header);
      const got = parsed.get(f)?.evidence?.facts.find((x) => x.key === 'failed-request-bytes');
      if (m) {
        const line = (parsed.get(f)?.lines ?? []).findIndex((l) => l.includes('Native memory allocation')) + 1;
        expect(line, f).toBeLessThanOrEqual(3);
        expect(got, f).toMatchObject({ value: Number(m[1]), source: { line } });
        checked++;
      } else {
        expect(got, f).toBeUndefined();
      }
    }
    expect(checked).toBe(30);
  });

  it('flags thread creation failures only where the header says so', () => {
    const flagged = FILES.filter((f) => parsed.get(f)?.evidence?.facts.some((x) => x.key === 'thread-creation-failed'));
    expect(flagged).toEqual(['dataset10.txt', 'dataset30.txt', 'dataset66.txt']);
  });

  it('sets the heap-base-limit flag only for native OOMs in unscaled (32-bit) compressed oops mode', () => {
    const flagged = FILES.filter((f) => parsed.get(f)?.evidence?.facts.some((x) => x.key === 'compressed-oops-heap-base-limit'));
    expect(flagged).toEqual(['dataset48.txt', 'dataset58.txt', 'dataset88.txt']);
    // The generic "In 32 bit mode" hint of 64-bit JDK 8 builds is not a finding.
    expect(FILES.filter((f) => parsed.get(f)?.evidence?.facts.some((x) => x.key === 'process-size-limit-hit' || x.key === 'jvm-32bit'))).toEqual([]);
  });

  it('dataset30: GC thread creation failed with NPROC 4096 and memory available', () => {
    expect(fact(30, 'rlimit-nproc')).toMatchObject({ value: 4096, source: { line: 82 } });
    expect(fact(30, 'thread-creation-failed')?.source.line).toBe(3);
    expect(fact(30, 'mem-available')).toMatchObject({ value: 15213508 * KIB, source: { line: 88 } });
    expect(value(30, 'rlimit-as')).toBe(Infinity);
    expect(value(30, 'rlimit-nofile')).toBe(655360);
    expect(value(30, 'pid')).toBe(30601);
  });

  it('dataset58: 32-bit compressed oops with the heap at 0xa0000000', () => {
    expect(fact(58, 'compressed-oops-mode')).toMatchObject({ value: '32-bit', source: { line: 102 } });
    expect(value(58, 'heap-base')).toBe(0xa0000000);
    expect(fact(58, 'compressed-oops-heap-base-limit')?.source.line).toBe(15);
    expect(value(58, 'failed-request-bytes')).toBe(450560);
  });

  it('dataset27: meminfo values (MemAvailable 166460 kB, SwapFree 4 kB)', () => {
    expect(fact(27, 'mem-available')).toMatchObject({ value: 166460 * KIB, source: { line: 94 } });
    expect(fact(27, 'swap-free')).toMatchObject({ value: 4 * KIB, source: { line: 107 } });
  });

  it('dataset90 (JDK 21): total mappings, sysctls, cgroup and the full map breakdown', () => {
    expect(fact(90, 'map-count')).toMatchObject({ value: 181, complete: true, source: { line: 683 } });
    expect(fact(90, 'max-map-count')).toMatchObject({ value: 65530, source: { line: 824 } });
    expect(value(90, 'threads-max')).toBe(254608);
    expect(value(90, 'pid-max')).toBe(4194304);
    expect(value(90, 'cgroup-pids-current')).toBe(155);
    expect(value(90, 'rlimit-nproc')).toBe(127304);
    expect(value(90, 'java-threads')).toBe(10);
    expect(value(90, 'threads')).toBe(17);
    expect(file(90).evidence?.maps).toMatchObject({ kind: 'hs-err', regions: 181, complete: true });
    expect(file(90).problems).toEqual([]);
  });

  it('dataset32 (JDK 11): /proc/sys values printed on the next line', () => {
    expect(fact(32, 'max-map-count')).toMatchObject({ value: 65530, source: { line: 617 } });
    expect(fact(32, 'threads-max')).toMatchObject({ value: 255838, source: { line: 613 } });
    expect(fact(32, 'pid-max')).toMatchObject({ value: 32768, source: { line: 621 } });
  });

  it('dataset47: cgroup v1 memory limit from the container section', () => {
    expect(fact(47, 'cgroup-memory-limit')).toMatchObject({ value: 4294967296, source: { line: 290 } });
    expect(value(47, 'cgroup-memory-usage')).toBe(4282966016);
  });

  it('dataset83 (Windows): 8,508 Java threads and 7.6 MiB of commit left', () => {
    expect(value(83, 'java-threads')).toBe(8508);
    expect(value(83, 'os-windows')).toBe(true);
    expect(value(83, 'commit-limit')).toBe(29819568 * KIB);
    expect(value(83, 'committed-as')).toBe((29819568 - 7756) * KIB);
    expect(fact(83, 'swap-free')).toBeUndefined();
  });

  it('dataset49 (Windows, CRLF): the JDK 8 swap pair is the page file, i.e. the commit limit', () => {
    expect(value(49, 'os-windows')).toBe(true);
    expect(fact(49, 'commit-limit')).toMatchObject({ value: 20970784 * KIB, source: { line: 242 } });
    expect(value(49, 'committed-as')).toBe((20970784 - 5252) * KIB);
    expect(fact(49, 'swap-free')).toBeUndefined();
    expect(value(49, 'jvm-version')).toBe('1.8.0_191-b12');
  });

  it('dataset13 (Windows, JDK 11): system-wide physical and the page file', () => {
    expect(value(13, 'mem-total')).toBe(16383 * KIB * KIB);
    expect(value(13, 'commit-limit')).toBe(20479 * KIB * KIB);
    expect(value(13, 'committed-as')).toBe((20479 - 7532) * KIB * KIB);
  });

  it('datasets 65 and 42 (Solaris): native heap top from C-heap thread pointers below the heap base', () => {
    expect(value(65, 'os-solaris')).toBe(true);
    expect(value(65, 'heap-base')).toBe(0x1c0000000);
    expect(value(65, 'native-heap-top')).toBe(0x1b6787000);
    expect(value(42, 'heap-base')).toBe(0x300000000);
    expect(value(42, 'native-heap-top')).toBe(0x1237ae000);
  });

  it('dataset63: a whole Dynamic libraries section is complete; trimmed ones are cut', () => {
    expect(fact(63, 'map-count')).toMatchObject({ value: 104, complete: true });
    expect(file(63).problems).toEqual([]);
    expect(fact(81, 'map-count')).toMatchObject({ value: 11, complete: false });
    expect(file(81).problems).toMatchObject([{ code: 'evidence-cut', line: 80 }]);
    expect(fact(30, 'map-count')).toMatchObject({ value: 1, complete: false, source: { line: 70 } });
  });
});
