// Property-based fuzzing (fast-check) over every parser a hostile input reaches: format detection,
// wrappers, event parsing, each evidence parser, the archive reader, the report reader and the
// renderers, and the CLI on random and mutated real lines. No uncaught exception, no hang (each
// run has a time bound), the same output twice. FUZZ_RUNS=N runs longer (default: a CI share).

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOG_FORMATS as FORMATS, WRAPPERS, type EvidenceKind } from '../../src/core/index.js';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';
import { harvestEmbedded } from '../../src/evidence/embedded.js';
import { detectFormat, detectWrapper, parseEvent, ruleText, unwrap } from '../../src/formats/index.js';
import { DEFAULT_ARCHIVE_LIMITS, readArchive } from '../../src/io/archive.js';
import { detectUtf16, decodeUtf16 } from '../../src/io/decode.js';
import { looksBinary } from '../../src/io/sniff.js';
import { ownReportFormat } from '../../src/discover/own-report.js';
import { tarBuffer } from '../../src/capture/tar.js';
import { reportShapeError } from '../../src/pipeline/report-shape.js';
import { validateReportDocument } from '../../src/core/schema.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import { REPO, runCli } from '../helpers/cli.js';
import { GOOD_LOG, tmpDir } from './helpers.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 0) || undefined;
const runs = (ci: number): number => RUNS ?? ci;
/**
 * The suite's share runs on a fixed seed, so CI is reproducible and a red run is a change's
 * doing; FUZZ_RUNS=N explores with fresh seeds (FUZZ_SEED=S replays one), and what it finds is
 * fixed and kept below as an `examples` regression case.
 */
const SEED = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : RUNS ? undefined : 20261202;
if (SEED !== undefined) fc.configureGlobal({ seed: SEED });
/** Vitest's bound on one property (all its runs); long runs get an hour. */
const TEST_MS = RUNS ? 3_600_000 : 120_000;
/** Each single run must end within this (a hang fails the property instead of the suite). */
const PER_RUN_MS = 10_000;

const EVIDENCE: readonly EvidenceKind[] = [
  'maps',
  'smaps',
  'pmap',
  'hs-err',
  'maps-count',
  'sysctl',
  'meminfo',
  'limits',
  'status',
  'cgroup',
  'prometheus-startup',
  'capture-manifest',
];

/** Real lines from the bundled samples, to mutate. */
function sampleLines(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.md')) {
        let b = readFileSync(p);
        if (b[0] === 0x1f && b[1] === 0x8b) b = zlib.gunzipSync(b);
        out.push(...b.toString('utf8').split('\n').slice(0, 200));
      }
    }
  };
  walk(path.join(REPO, 'samples'));
  return out.filter((l) => l.length > 0 && l.length < 2000);
}
const REAL = sampleLines();

/** A real line, mutated: characters replaced, inserted, cut; control bytes and odd Unicode. */
const mutatedLine: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...REAL), fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 6 }))
  .map(([line, edits]) => {
    let s = line;
    for (const [at, kind, ins] of edits) {
      const i = s.length === 0 ? 0 : at % s.length;
      if (kind === 0) s = s.slice(0, i) + ins + s.slice(i + 1);
      else if (kind === 1) s = s.slice(0, i) + ins + s.slice(i);
      else if (kind === 2) s = s.slice(0, i);
      else s = s.slice(0, i) + '\u001b[2J\u0000\r\u2028' + s.slice(i);
    }
    return s;
  });
const anyLine = fc.oneof(mutatedLine, fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(...REAL));
const lines = fc.array(anyLine, { maxLength: 40 });

describe('fuzz: parsers never throw on hostile text', () => {
  it(
    'format detection, wrappers and event parsing',
    () => {
      fc.assert(
        fc.property(lines, fc.constantFrom(...FORMATS), fc.constantFrom(...WRAPPERS), (ls, format, wrapper) => {
          const d = detectFormat(ls);
          expect(detectFormat(ls)).toEqual(d);
          detectWrapper(ls);
          for (const l of ls) {
            unwrap(l, wrapper);
            parseEvent(l, format);
            ruleText(l, format);
          }
        }),
        { numRuns: runs(300) },
      );
    },
    TEST_MS,
  );

  it(
    'every evidence parser, and evidence detection',
    () => {
      fc.assert(
        fc.property(lines, fc.constantFrom(...EVIDENCE), fc.constantFrom('maps', 'status', 'limits', 'meminfo', 'x.log', 'manifest.json'), (ls, kind, name) => {
          detectEvidence(ls, name);
          const a = parseEvidence(kind, 'f', ls);
          expect(parseEvidence(kind, 'f', ls)).toEqual(a);
        }),
        { numRuns: runs(400) },
      );
    },
    TEST_MS,
  );

  it(
    'the embedded-evidence harvester: facts on real lines, finite values, the same twice',
    () => {
      const shaped = fc.constantFrom(
        '$ free -m',
        '              total        used        free      shared  buff/cache   available',
        'Mem:          64298       21018        1203          12       42076       42600',
        '-/+ buffers/cache:      21018      43280',
        'MemAvailable:   43622400 kB',
        'max memory size         (kbytes, -m) unlimited',
        'Max address space         unlimited            unlimited            bytes',
        'vm.max_map_count = 262144',
        '$ cat /proc/sys/vm/max_map_count',
        '65530',
        '65512 /proc/4242/maps',
        '$ grep -c deleted /proc/4242/maps',
        'We saw 41,230 of the 65,512 maps were deleted files and 3,000 threads.',
        'ulimit -v 8388608',
        '7f3a0000-7f3a1000 r--s 00000000 fd:01 12 /data/x.idx (deleted)',
        '...',
        '    resources:',
        '      limits:',
        '        memory: 2Gi',
        'Threads:\t4093',
        'goroutine 1 [running]:',
        'sp=0x1f2e3d4c fp=0x1f2e3d60',
      );
      const harvestLines = fc.array(fc.oneof(shaped, mutatedLine, anyLine), { maxLength: 60 });
      fc.assert(
        fc.property(harvestLines, fc.integer({ min: 1, max: 5000 }), (ls, first) => {
          const facts = harvestEmbedded('t.log', ls, first);
          expect(harvestEmbedded('t.log', ls, first)).toEqual(facts);
          for (const f of facts) {
            expect(f.source.line).toBeGreaterThanOrEqual(first);
            expect(f.source.line).toBeLessThan(first + Math.max(ls.length, 1));
            if (typeof f.value === 'number') expect(Number.isNaN(f.value) || f.value < 0).toBe(false);
          }
        }),
        { numRuns: runs(400) },
      );
    },
    TEST_MS,
  );

  it(
    'sniffing: binary, UTF-16, own reports',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 9000 }), async (u) => {
          const b = Buffer.from(u);
          looksBinary(b);
          ownReportFormat(b);
          const enc = detectUtf16(b);
          if (enc) for await (const _ of decodeUtf16(enc, Readable.from([b.subarray(0, 7), b.subarray(7)]))) void _;
        }),
        { numRuns: runs(300) },
      );
    },
    TEST_MS,
  );
});

async function drainArchive(bytes: Buffer, name: string): Promise<string[]> {
  const seen: string[] = [];
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 1 << 20, maxMembers: 50 };
  for await (const item of readArchive(null, Readable.from([bytes]), name, limits)) {
    if (item.type === 'problem') seen.push(`${item.problem.code} ${item.problem.file}`);
    else {
      let n = 0;
      for await (const c of item.member.chunks) n += c.length;
      seen.push(`${item.member.name} ${n} ${item.member.stored().sha256}`);
    }
  }
  return seen;
}

const TAR = tarBuffer([
  { name: 'b/', mtime: new Date(0) },
  { name: 'b/server.log', data: Buffer.from(GOOD_LOG), mtime: new Date(0) },
  { name: 'b/inner.tar', data: tarBuffer([{ name: 'x.log', data: Buffer.from('x\n'), mtime: new Date(0) }]), mtime: new Date(0) },
]);
const SEEDS_ARCHIVE = [TAR, zlib.gzipSync(TAR)];

describe('fuzz: the archive reader contains broken archives', () => {
  it(
    'mutated tar and tar.gz: problems, never a throw or a hang, same items twice',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...SEEDS_ARCHIVE),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
          fc.option(fc.nat(), { nil: undefined }),
          async (seed, flips, cut) => {
            const b = Buffer.from(seed);
            for (const [at, v] of flips) b[at % b.length] = v;
            const bytes = cut === undefined ? b : b.subarray(0, cut % b.length);
            const name = seed === TAR ? 'f.tar' : 'f.tgz';
            const a = await drainArchive(bytes, name);
            expect(await drainArchive(bytes, name)).toEqual(a);
          },
        ),
        { numRuns: runs(150), timeout: PER_RUN_MS },
      );
    },
    TEST_MS,
  );
});

/** A real report to mutate: the bundled Cortex sample. */
async function sampleReport(): Promise<any> {
  const r = await runCli(['scan', path.join(REPO, 'samples', 'cortex-ingester-crashloop'), '-j', '1', '--format', 'json']);
  return JSON.parse(r.stdout);
}

/** Sets one randomly chosen path of a JSON value to a hostile value. */
function mutate(value: any, pathSel: number[], replacement: unknown): any {
  const copy = structuredClone(value);
  let cur: any = copy;
  for (let depth = 0; depth < pathSel.length; depth++) {
    if (cur === null || typeof cur !== 'object') break;
    const keys = Object.keys(cur);
    if (keys.length === 0) break;
    const k = keys[pathSel[depth]! % keys.length]!;
    if (depth === pathSel.length - 1 || cur[k] === null || typeof cur[k] !== 'object') {
      cur[k] = replacement;
      break;
    }
    cur = cur[k];
  }
  return copy;
}

const hostile = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.constant({}),
  fc.constant([]),
  fc.constant([null]),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant('unlimited'),
  fc.constant({ file: 1, line: 'x' }),
);

describe('fuzz: the report reader', () => {
  it(
    'a damaged report is either rejected with a field named, or renders in every format',
    async () => {
      const base = await sampleReport();
      expect(reportShapeError(base)).toBeUndefined();
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 7 }), hostile, async (sel, v) => {
          const damaged = JSON.parse(JSON.stringify(mutate(base, sel, v)) ?? 'null');
          const shipped = validateReportDocument(damaged);
          const bad = shipped.ok ? reportShapeError(damaged) : shipped.errors[0];
          if (bad !== undefined) {
            expect(bad).toMatch(/\S/);
            return;
          }
          renderText(damaged, { color: false });
          renderMarkdown(damaged);
          renderJson(damaged);
          const { renderHtml } = await import('../../src/render/html.js');
          renderHtml(damaged);
        }),
        {
          numRuns: runs(300),
          timeout: PER_RUN_MS,
          // Values that once failed, kept as regression cases: `roots` removed crashed every renderer;
          // a finding without `recordLines` crashed the text renderer (CI, stop 15).
          examples: [
            [[3], undefined],
            [[1066715955, 0, 787381732, 0, 2011495814], undefined],
          ],
        },
      );
    },
    TEST_MS,
  );
});

describe('fuzz: the CLI on random and mutated real lines', () => {
  it(
    'scan exits 0 (3 when nothing was read) with a report, never an internal error, and twice gives the same output',
    async () => {
      const dir = tmpDir('fuzz-cli');
      let n = 0;
      await fc.assert(
        fc.asyncProperty(lines, fc.boolean(), async (ls, gz) => {
          const f = path.join(dir, `in-${n++}.log${gz ? '.gz' : ''}`);
          const body = Buffer.from(ls.join('\n'));
          (await import('node:fs')).writeFileSync(f, gz ? zlib.gzipSync(body) : body);
          const a = await runCli(['scan', f, '-j', '1', '--format', 'json', '--no-color'], { cwd: dir });
          expect(a.stderr).not.toContain('internal error');
          // A fuzzed file that is binary or empty reads as nothing-read, which exits 3 by design.
          expect(a.code).toBe(JSON.parse(a.stdout).verdict === 'nothing-read' ? 3 : 0);
          const b = await runCli(['scan', f, '-j', '1', '--format', 'json', '--no-color'], { cwd: dir });
          expect(b.stdout).toBe(a.stdout);
          const t = await runCli(['scan', f, '-j', '1', '--no-color'], { cwd: dir });
          expect(t.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
        }),
        { numRuns: runs(40), timeout: PER_RUN_MS * 3 },
      );
    },
    TEST_MS,
  );
});
