import { describe, expect, it } from 'vitest';
import type { CandidateWindow, Problem, RawLine } from '../../src/core/index.js';
import { scanChunks, type ScanItem, type ScanOptions } from '../../src/scan/scanner.js';

const PREFILTER = /Map failed|cannot allocate memory|errno=12|max_map_count|native thread/gi;

async function* pieces(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield Buffer.from(data.subarray(i, i + size));
}

async function scan(data: Buffer | string, opts: Partial<ScanOptions> = {}, piece = 1 << 20): Promise<ScanItem[]> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  const items: ScanItem[] = [];
  const full: ScanOptions = { prefilter: PREFILTER, lookBehind: 3, lookAhead: 2, ...opts };
  for await (const it of scanChunks(pieces(buf, piece), 'f.log', full)) items.push(it);
  return items;
}

/** Windows as plain data (the scanner's windows read their lines lazily). */
const windows = (items: ScanItem[]): CandidateWindow[] =>
  items.flatMap((i) => (i.type === 'window' ? [{ hit: i.window.hit, before: i.window.before, after: i.window.after, byteOffset: i.window.byteOffset }] : []));
const problems = (items: ScanItem[]): Problem[] => items.flatMap((i) => (i.type === 'problem' ? [i.problem] : []));
const endLines = (items: ScanItem[]): number => {
  const last = items[items.length - 1];
  if (last?.type !== 'end') throw new Error('no end item last');
  return last.lines;
};

/** The reference: split the text into lines and cut windows naively. */
function reference(text: string, re: RegExp, back: number, ahead: number): CandidateWindow[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const offsets: number[] = [];
  let off = 0;
  for (const l of lines) {
    offsets.push(off);
    off += Buffer.byteLength(l) + 1;
  }
  const raw = (i: number): RawLine => ({ lineNo: i + 1, text: (lines[i] as string).replace(/\r$/, '') });
  const out: CandidateWindow[] = [];
  lines.forEach((l, i) => {
    re.lastIndex = 0;
    if (!re.test(l)) return;
    const from = Math.max(0, i - back);
    const to = Math.min(lines.length, i + 1 + ahead);
    out.push({
      hit: raw(i),
      before: Array.from({ length: i - from }, (_, k) => raw(from + k)),
      after: Array.from({ length: to - i - 1 }, (_, k) => raw(i + 1 + k)),
      byteOffset: offsets[i] as number,
    });
  });
  return out;
}

/** A deterministic log with needles at known places, some lines empty, some non-ASCII. */
function generated(lines: number, eol = '\n'): string {
  const needles = ['java.lang.OutOfMemoryError: Map failed', "error='Cannot allocate memory' (errno=12)", 'max_map_count 65530'];
  const out: string[] = [];
  for (let i = 1; i <= lines; i++) {
    if (i % 37 === 0) out.push(`2024-01-01 ERROR [t-${i}] ${needles[i % 3]} at step ${i}`);
    else if (i % 11 === 0) out.push('');
    else if (i % 13 === 0) out.push(`2024-01-01 INFO 지연 ${i}µs 카프카 브로커`);
    else out.push(`2024-01-01 INFO line ${i} ${'x'.repeat(i % 90)}`);
  }
  return out.join(eol) + eol;
}

describe('scanChunks windows', () => {
  const text = generated(2000);
  const expected = reference(text, PREFILTER, 3, 2);

  it('finds every hit line with exact line numbers, offsets and context', async () => {
    expect(expected.length).toBe(54);
    const items = await scan(text);
    expect(windows(items)).toEqual(expected);
    expect(endLines(items)).toBe(2000);
    expect(problems(items)).toEqual([]);
  });

  it.each([
    [1, 1],
    [3, 7],
    [17, 64],
    [4096, 100],
    [5, 1 << 20],
  ])('gives the same windows with input pieces of %i bytes and chunkBytes %i', async (piece, chunkBytes) => {
    const items = await scan(text, { chunkBytes }, piece);
    expect(windows(items)).toEqual(expected);
    expect(endLines(items)).toBe(2000);
  });

  it('keeps look-behind and look-ahead across chunk boundaries', async () => {
    const wide = reference(text, PREFILTER, 40, 40);
    for (const chunkBytes of [10, 300, 5000]) {
      const items = await scan(text, { lookBehind: 40, lookAhead: 40, chunkBytes }, 13);
      expect(windows(items)).toEqual(wide);
    }
  });

  it('finds a needle that straddles every input piece boundary', async () => {
    const line = 'prefix java.lang.OutOfMemoryError: Map failed suffix';
    const data = `a\nb\n${line}\nc\n`;
    for (let piece = 1; piece < data.length; piece++) {
      const w = windows(await scan(data, { chunkBytes: 3 }, piece));
      expect(w.map((x) => [x.hit.lineNo, x.byteOffset, x.hit.text])).toEqual([[3, 4, line]]);
      expect(w[0]?.before.map((l) => l.text)).toEqual(['a', 'b']);
      expect(w[0]?.after.map((l) => l.text)).toEqual(['c']);
    }
  });

  it('strips CR of CRLF lines but counts their bytes in offsets', async () => {
    const crlf = generated(300, '\r\n');
    const items = await scan(crlf, { chunkBytes: 50 }, 7);
    const got = windows(items);
    expect(got).toEqual(reference(crlf, PREFILTER, 3, 2));
    expect(got[0]?.hit.text.endsWith('\r')).toBe(false);
    const first = got[0] as CandidateWindow;
    expect(
      Buffer.from(crlf)
        .subarray(first.byteOffset, first.byteOffset + 10)
        .toString(),
    ).toBe(first.hit.text.slice(0, 10));
  });

  it('gives one window for a line with several hits', async () => {
    const w = windows(await scan('x\nMap failed errno=12 max_map_count native thread\ny\n'));
    expect(w.map((x) => x.hit.lineNo)).toEqual([2]);
  });

  it('decodes UTF-8 (Korean) hit and context lines exactly', async () => {
    const data = '카프카 브로커 시작\n맵 실패: java.lang.OutOfMemoryError: Map failed (지연 5µs)\n끝 ✓\n';
    for (const piece of [1, 2, 5, 100]) {
      const [w] = windows(await scan(data, { chunkBytes: 4 }, piece));
      expect(w?.hit).toEqual({ lineNo: 2, text: '맵 실패: java.lang.OutOfMemoryError: Map failed (지연 5µs)' });
      expect(w?.before).toEqual([{ lineNo: 1, text: '카프카 브로커 시작' }]);
      expect(w?.after).toEqual([{ lineNo: 3, text: '끝 ✓' }]);
      expect(w?.byteOffset).toBe(Buffer.byteLength('카프카 브로커 시작\n'));
    }
  });

  it('counts a final line without newline and finds a hit in it', async () => {
    const items = await scan('a\nb\nmmap: cannot allocate memory', { chunkBytes: 2 }, 3);
    expect(endLines(items)).toBe(3);
    expect(windows(items).map((w) => [w.hit.lineNo, w.hit.text, w.after.length])).toEqual([[3, 'mmap: cannot allocate memory', 0]]);
  });

  it('yields no windows without a prefilter, but head and line count', async () => {
    const items = await scan(text, { prefilter: null, headLines: 2 });
    expect(windows(items)).toEqual([]);
    expect(items[0]).toEqual({
      type: 'head',
      lines: [
        { lineNo: 1, text: '2024-01-01 INFO line 1 x' },
        { lineNo: 2, text: '2024-01-01 INFO line 2 xx' },
      ],
    });
    expect(endLines(items)).toBe(2000);
  });

  it('rejects a prefilter without the g flag (a bug, not data)', async () => {
    await expect(scan('x\n', { prefilter: /Map failed/i })).rejects.toThrow(/global/);
  });
});

describe('scanChunks head and end', () => {
  it('emits the head first, once, with up to headLines lines even across tiny chunks', async () => {
    const data = generated(100);
    const items = await scan(data, { headLines: 64, chunkBytes: 8 }, 3);
    expect(items[0]?.type).toBe('head');
    expect(items.filter((i) => i.type === 'head')).toHaveLength(1);
    const head = items[0]?.type === 'head' ? items[0].lines : [];
    expect(head).toHaveLength(64);
    expect(head.map((l) => l.text)).toEqual(data.split('\n').slice(0, 64));
    expect(head[12]?.text).toBe('2024-01-01 INFO 지연 13µs 카프카 브로커');
  });

  it('emits a short head for a short file and 0 lines for an empty one', async () => {
    const short = await scan('one\ntwo', { headLines: 64 });
    expect(short[0]).toEqual({
      type: 'head',
      lines: [
        { lineNo: 1, text: 'one' },
        { lineNo: 2, text: 'two' },
      ],
    });
    expect(await scan('')).toEqual([
      { type: 'head', lines: [] },
      { type: 'end', lines: 0 },
    ]);
  });
});

describe('scanChunks long lines', () => {
  it('finds a needle near the end of a 20 MiB line once, cut, with a line-too-long problem', async () => {
    const len = 20 << 20;
    const giant = Buffer.alloc(len, 'a');
    const needle = 'java.lang.OutOfMemoryError: Map failed';
    giant.write(needle, len - 5000, 'latin1');
    const data = Buffer.concat([Buffer.from('before\n'), giant, Buffer.from('\nafter 1\nafter 2\nMap failed again\n')]);
    const items = await scan(data, { lookAhead: 2 });
    const w = windows(items);
    expect(w).toHaveLength(2);
    const [g, next] = w as [CandidateWindow, CandidateWindow];
    expect(g.hit.lineNo).toBe(2);
    expect(g.hit.cut).toBe(true);
    expect(g.hit.text).toContain(needle);
    expect(g.hit.text.length).toBeLessThanOrEqual(4096);
    expect(g.byteOffset).toBe(7);
    expect(g.before).toEqual([{ lineNo: 1, text: 'before' }]);
    expect(g.after).toEqual([
      { lineNo: 3, text: 'after 1' },
      { lineNo: 4, text: 'after 2' },
    ]);
    expect(next.hit).toEqual({ lineNo: 5, text: 'Map failed again' });
    expect(next.before.map((l) => [l.lineNo, l.cut ?? false, l.text.length])).toEqual([
      [2, true, 64 << 10],
      [3, false, 7],
      [4, false, 7],
    ]);
    expect(problems(items)).toEqual([{ code: 'line-too-long', file: 'f.log', line: 2, args: { limit: 1 << 20, length: len } }]);
    expect(endLines(items)).toBe(5);
  });

  it('finds a needle straddling the giant-line windows, whatever the chunking', async () => {
    const needle = 'max_map_count';
    for (const at of [5, 990, 995, 1000, 1490, 1500, 2500, 2985]) {
      const line = Buffer.alloc(3000, 'b');
      line.write(needle, at - 5, 'latin1');
      const data = Buffer.concat([Buffer.from('x\n'), line, Buffer.from('\ny\n')]);
      for (const [piece, chunkBytes] of [
        [7, 100],
        [1000, 1000],
        [64, 10],
      ] as const) {
        const items = await scan(data, { maxLineBytes: 1000, chunkBytes }, piece);
        const w = windows(items);
        expect(w.map((x) => [x.hit.lineNo, x.hit.cut, x.byteOffset, x.hit.text.includes(needle)])).toEqual([[2, true, 2, true]]);
        expect(w[0]?.after).toEqual([{ lineNo: 3, text: 'y' }]);
        expect(problems(items)).toEqual([{ code: 'line-too-long', file: 'f.log', line: 2, args: { limit: 1000, length: 3000 } }]);
        expect(endLines(items)).toBe(3);
      }
    }
  });

  it('reports every over-long line once with its exact length', async () => {
    const lens = [50, 120, 99, 100, 101, 250, 1000, 10];
    const data = lens.map((n, i) => (i === 5 ? 'Map failed'.padEnd(n, 'z') : 'q'.repeat(n))).join('\n') + '\n';
    for (const [piece, chunkBytes] of [
      [1, 1],
      [33, 64],
      [5000, 5000],
      [17, 300],
    ] as const) {
      const items = await scan(data, { maxLineBytes: 100, chunkBytes }, piece);
      const got = problems(items).map((p) => [p.line, p.args.length]);
      expect(got.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
        [2, 120],
        [5, 101],
        [6, 250],
        [7, 1000],
      ]);
      const w = windows(items);
      expect(w.map((x) => [x.hit.lineNo, x.hit.cut, x.hit.text.startsWith('Map failed')])).toEqual([[6, true, true]]);
      expect(endLines(items)).toBe(8);
    }
  });
});

describe('the mark at the end of a byte range', () => {
  // Every 3rd line is a hit; the mark must come after each window of a hit before its byte and
  // before each window at or after it, with the number of the line it starts, at any chunk size.
  const lines = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `${i + 1} Map failed here` : `${i + 1} ok`));
  const text = `${lines.join('\n')}\n`;
  const starts = lines.map((_, i) => Buffer.byteLength(lines.slice(0, i).join('\n')) + (i > 0 ? 1 : 0));

  it('sits between the windows before and after it, naming the line it starts', async () => {
    for (const markLine of [1, 2, 4, 30, 31, 59, 60]) {
      for (const [piece, chunkBytes] of [
        [1, 1],
        [7, 16],
        [64, 128],
        [1 << 20, 1 << 20],
      ] as const) {
        const items = await scan(text, { markAt: starts[markLine - 1]!, chunkBytes, lookAhead: 5 }, piece);
        const order = items.flatMap((i) => (i.type === 'window' ? [i.window.hit.lineNo] : i.type === 'mark' ? [-i.lineNo] : []));
        const at = order.findIndex((x) => x < 0);
        expect(order[at]).toBe(-markLine);
        expect(order.slice(0, at).every((l) => l < markLine)).toBe(true);
        expect(order.slice(at + 1).every((l) => l >= markLine)).toBe(true);
        expect(order.filter((x) => x > 0)).toHaveLength(20);
        // Every window before the mark already holds its look-ahead, even across the mark.
        const before = items.slice(
          0,
          items.findIndex((i) => i.type === 'mark'),
        );
        for (const w of windows(before)) expect(w.after).toHaveLength(Math.min(5, 60 - w.hit.lineNo));
      }
    }
  });

  it('is not yielded when the input ends before it', async () => {
    const items = await scan(text, { markAt: Buffer.byteLength(text) + 10 });
    expect(items.some((i) => i.type === 'mark')).toBe(false);
    expect(endLines(items)).toBe(60);
  });
});
