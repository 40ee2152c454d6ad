import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreCorpus } from '../../scripts/corpus.js';
import { SHARED } from '../helpers/cli.js';

const DIR = path.join(SHARED, 'corpus', 'krashpad');

describe.skipIf(!existsSync(path.join(DIR, 'expected.tsv')))('krashpad hs_err corpus', () => {
  it('agrees with at least 95% of expected.tsv and raises no alarm on a `none` file', async () => {
    const rows = await scoreCorpus(DIR);
    expect(rows).toHaveLength(97);
    const agree = rows.filter((r) => r.got === r.expected).length;
    // krashpad labels a SIGBUS crash `none` (not an allocation failure); mapmortem reports a SIGBUS on a
    // mapped file as other-mmap-error by design, which is no ENOMEM alarm. Anything else is one.
    const sigbus = (f: string): boolean => /\bSIGBUS\b/.test(readFileSync(path.join(DIR, f), 'utf8'));
    const falseAlarms = rows.filter((r) => r.expected === 'none' && r.got !== 'none' && !(r.got === 'other-mmap-error' && sigbus(r.file))).map((r) => r.file);
    expect(falseAlarms).toEqual([]);
    expect(agree / rows.length).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it('decides the map-count-free memory cases with the numbers from the file', async () => {
    const rows = await scoreCorpus(DIR);
    const by = new Map(rows.map((r) => [r.file, r]));
    expect(by.get('dataset30.txt')?.got).toBe('thread-limit');
    expect(by.get('dataset66.txt')?.got).toBe('memory-exhaustion');
    expect(by.get('dataset58.txt')?.got).toBe('address-space-limit');
    expect(by.get('dataset21.txt')?.got).toBe('unknown');
  }, 120_000);
});
