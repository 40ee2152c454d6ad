import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleRecord, detectFormat, parseEvent } from '../../src/formats/index.js';
import { windowAt } from './helpers.js';

const corpus = '/work/shared/corpus/krashpad';
const fragments = new Set([6, 25, 53, 64, 74, 85, 91, 96, 97]);
const files = readdirSync(corpus)
  .map((f) => /^dataset(\d+)\.txt$/.exec(f))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => Number(m[1]))
  .sort((a, b) => a - b);

function head(n: number): string[] {
  return readFileSync(join(corpus, `dataset${n}.txt`), 'utf8')
    .split(/\r?\n/)
    .slice(0, 40);
}

describe('hs-err', () => {
  it('has all 97 corpus files', () => {
    expect(files).toHaveLength(97);
  });

  it('detects every complete krashpad file as hs-err', () => {
    const wrong = files.filter((n) => !fragments.has(n)).filter((n) => detectFormat(head(n)).format !== 'hs-err');
    expect(wrong).toEqual([]);
  });

  it('reads the 9 fragments without throwing', () => {
    for (const n of fragments) {
      const lines = readFileSync(join(corpus, `dataset${n}.txt`), 'utf8').split(/\r?\n/);
      const detected = detectFormat(lines.slice(0, 40));
      const last = Math.min(lines.length, 30);
      for (let i = 1; i <= last; i++) {
        expect(() => assembleRecord(windowAt(lines, i, 20, 20), detected, `dataset${n}.txt`, 2)).not.toThrow();
      }
    }
  });

  it('makes each header line of dataset48 its own record', () => {
    const lines = readFileSync(join(corpus, 'dataset48.txt'), 'utf8').split(/\r?\n/);
    expect(lines[2]).toBe('# Native memory allocation (mmap) failed to map 12288 bytes for committing reserved memory.');
    const { record, problems } = assembleRecord(windowAt(lines, 3), { format: 'hs-err', wrapper: 'none' }, 'dataset48.txt', 1);
    expect(problems).toEqual([]);
    expect(record.startLine).toBe(3);
    expect(record.lines.map((l) => l.text)).toEqual([lines[2]]);
    expect(record.contextBefore.map((l) => l.lineNo)).toEqual([2]);
    expect(record.contextAfter.map((l) => l.lineNo)).toEqual([4]);
    expect(parseEvent('#', 'hs-err')).toEqual({ message: '#' });
  });

  it('detects an hs_err file behind a compose prefix', () => {
    const lines = head(48).map((l) => `kafka-1  | ${l}`);
    expect(detectFormat(lines)).toEqual({ format: 'hs-err', wrapper: 'compose' });
  });
});
