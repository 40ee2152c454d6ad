import { describe, expect, it } from 'vitest';
import { buildPrefilter } from '../../src/rules/compile.js';
import { loadRules } from '../render/helpers.js';
import { compilePrefilter, literalsOfAlternation } from '../../src/scan/prefilter.js';
import { scanChunks } from '../../src/scan/scanner.js';
import type { Rule } from '../../src/core/index.js';

/** Shaped like the rule pack's literals: shared prefixes, punctuation, digits, one of 3 bytes. */
const LITERALS = [
  'Map failed',
  'Cannot allocate memory',
  'mmap: cannot allocate memory',
  'Out of memory',
  'Out of memory: Kill',
  'os::commit_memory(',
  'vm.max_map_count',
  'Errno 12',
  'oom-kill',
  'ENOMEM',
  'EINVAL',
  'SIGBUS',
  'GC thread',
  'native thread',
  'pthread_create',
  'mmap, size',
];

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const alternation = (lits: readonly string[], flags: string): RegExp => new RegExp(lits.map(esc).join('|'), flags);

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latin1 text of random bytes (letters of both cases, digits, punctuation, high bytes, '\n') with literals planted. */
function randomText(r: () => number, lits: readonly string[], length: number, density: number): string {
  const filler = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .:,-_()=\'"\t\r\xb5\xc3\xa9\xdf\xff\x80@`[{';
  let s = '';
  while (s.length < length) {
    const x = r();
    if (x < density) {
      const lit = lits[Math.floor(r() * lits.length)] as string;
      let v = lit;
      const mode = Math.floor(r() * 5);
      if (mode === 1) v = lit.toUpperCase();
      else if (mode === 2) v = lit.toLowerCase();
      else if (mode === 3) v = [...lit].map((c) => (r() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
      // Near misses: one byte changed, or cut short.
      else if (mode === 4) {
        const k = Math.floor(r() * lit.length);
        v = r() < 0.5 ? lit.slice(0, k) : lit.slice(0, k) + filler[Math.floor(r() * filler.length)] + lit.slice(k + 1);
      }
      s += v;
    } else if (x < density + 0.02) s += '\n';
    else s += filler[Math.floor(r() * filler.length)];
  }
  return s.slice(0, length);
}

/** The reference: the leftmost match of the naive alternation in every line. */
function naiveHits(s: string, re: RegExp): number[] {
  const out: number[] = [];
  let start = 0;
  for (const line of s.split('\n')) {
    const m = new RegExp(re.source, re.flags.replace('g', '')).exec(line);
    if (m) out.push(start + m.index);
    start += line.length + 1;
  }
  return out;
}

function hits(re: RegExp, s: string, stale = ''): number[] {
  const out: number[] = [];
  compilePrefilter(re).lineHits(Buffer.from(s + stale, 'latin1'), s, out);
  return out;
}

describe('literalsOfAlternation', () => {
  it('reads back what buildPrefilter writes', () => {
    const rule = { literals: ['os::commit_memory(', 'vm.max_map_count', 'oom-kill', 'a/b|c'] } as unknown as Rule;
    const re = buildPrefilter([rule])!;
    expect(literalsOfAlternation(re.source)?.sort()).toEqual(['a/b|c', 'oom-kill', 'os::commit_memory(', 'vm.max_map_count']);
  });
  it('refuses anything but escaped literals', () => {
    for (const src of ['\\bmmap', 'a.b', 'x|[ab]', 'a(?:b)', 'a\\d', 'ab*', 'a\\']) expect(literalsOfAlternation(src)).toBeNull();
  });
});

describe('compilePrefilter', () => {
  it('takes the skip loop only for plain literal alternations without u/y', () => {
    expect(compilePrefilter(alternation(LITERALS, 'gi')).fast).toBe(true);
    expect(compilePrefilter(alternation(LITERALS, 'g')).fast).toBe(true);
    expect(compilePrefilter(/\bmmap\b|Map failed/gi).fast).toBe(false);
    expect(compilePrefilter(/Map failed|ENOMEM/giu).fast).toBe(false);
    expect(compilePrefilter(/Map failed|Mémoire|页面文件太小/gi).fast).toBe(true);
    expect(compilePrefilter(/Map failed|ab/gi).fast).toBe(false);
  });

  // The chunk string is latin1 (a char per byte): a non-ASCII literal is found as its UTF-8 bytes,
  // by the skip loop and by the fallback alike (before, one such literal sent every scan to the
  // fallback, and the fallback never found it).
  it.each([
    ['skip loop', ['Map failed', '页面文件太小', 'Mémoire insuffisante']],
    ['fallback (a 2-byte literal beside it)', ['Map failed', '页面文件太小', 'Mémoire insuffisante', 'ab']],
  ])('finds non-ASCII literals by their UTF-8 bytes: %s', (_name, lits) => {
    const re = alternation(lits, 'gi');
    const text = 'OSError: [WinError 1455] 页面文件太小，无法完成操作。\nrien\nMÉMOIRE INSUFFISANTE\nmÉmoire insuffisante\nMémoire insuffisante ici\n';
    const latin1 = Buffer.from(text, 'utf8').toString('latin1');
    const found = hits(re, latin1).map((i) =>
      Buffer.from(latin1.slice(i, i + 9), 'latin1')
        .toString('utf8')
        .slice(0, 3),
    );
    // Case folds A-Z only: É is not é, so the two lines with the other É are not hits.
    expect(found).toEqual(['页面文', 'Mém']);
  });

  it("takes the skip loop for the bundled rule pack's literals (one literal it cannot take slows every scan 10x)", async () => {
    expect(compilePrefilter(buildPrefilter(await loadRules())!).fast).toBe(true);
  });

  it('finds the leftmost match of each line, one per line, in order', () => {
    const re = alternation(LITERALS, 'gi');
    const s = 'xx enomem yy MAP FAILED\nnothing here\nOut of memory: Kill process\nerrno 12 and os::commit_memory(\n';
    expect(hits(re, s)).toEqual([3, 37, 65]);
    expect(hits(re, s)).toEqual(naiveHits(s, re));
  });

  it('never matches across the end of the string, whatever bytes follow in the buffer', () => {
    const re = alternation(LITERALS, 'gi');
    expect(hits(re, 'abc Map fail', 'ed\n')).toEqual([]);
    expect(hits(re, 'abc Map failed', '\n')).toEqual([4]);
    expect(hits(re, 'ENOMEM')).toEqual([0]);
    expect(hits(re, 'ENOME', 'M')).toEqual([]);
  });

  // The property: on random text, the result equals the naive per-line alternation, for every
  // case variant and position, near misses included; long texts take the two-cursor path, whose
  // split point falls in random places.
  it.each([
    ['caseless', 'gi', LITERALS],
    ['case-sensitive', 'g', LITERALS],
    ['3-byte literals (shift 1)', 'gi', ['abc', 'x.y', 'ENOMEM', '12 ']],
    ['one literal', 'gi', ['max_map_count']],
    ['the regex fallback', 'gi', ['\\bmmap\\b', 'Map failed']],
  ])('equals the naive alternation on random text: %s', (_name, flags, lits) => {
    const re = _name === 'the regex fallback' ? new RegExp(lits.join('|'), flags) : alternation(lits, flags);
    const plant = _name === 'the regex fallback' ? ['mmap', 'Map failed'] : lits;
    const r = rng(7);
    let total = 0;
    for (let round = 0; round < 300; round++) {
      const len = round % 3 === 0 ? 9000 + Math.floor(r() * 30000) : Math.floor(r() * 400);
      const s = randomText(r, plant, len, r() * 0.05);
      const stale = randomText(r, plant, 40, 0.3);
      const expected = naiveHits(s, re);
      total += expected.length;
      expect(hits(re, s, stale)).toEqual(expected);
    }
    expect(total).toBeGreaterThan(300);
  });
});

describe('scanChunks with the literal prefilter', () => {
  it('reports exactly the lines the naive alternation finds, at every chunk size', async () => {
    const re = alternation(LITERALS, 'gi');
    const r = rng(11);
    const text = randomText(r, LITERALS, 200_000, 0.004) + '\n';
    const expectedLines: number[] = [];
    text.split('\n').forEach((l, i) => {
      if (new RegExp(re.source, 'i').test(l)) expectedLines.push(i + 1);
    });
    expect(expectedLines.length).toBeGreaterThan(100);
    const data = Buffer.from(text, 'latin1');
    for (const [chunkBytes, piece] of [
      [64, 7],
      [1000, 333],
      [4096, 4096],
      [50_000, 65536],
      [1 << 20, 1 << 20],
    ] as const) {
      const got: number[] = [];
      async function* pieces(): AsyncGenerator<Buffer> {
        for (let i = 0; i < data.length; i += piece) yield Buffer.from(data.subarray(i, i + piece));
      }
      for await (const item of scanChunks(pieces(), 'f.log', { prefilter: re, lookBehind: 0, lookAhead: 0, chunkBytes })) {
        if (item.type === 'window') got.push(item.window.hit.lineNo);
      }
      expect(got, `chunkBytes ${chunkBytes}`).toEqual(expectedLines);
    }
  });
});
