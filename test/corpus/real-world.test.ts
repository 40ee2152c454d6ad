import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agrees, loadPack, readRealWorld, repoRoot, scoreCases } from '../../scripts/corpus.js';

// The real-world corpus (corpus/real-world/index.tsv): every case scanned as `mapmortem scan
// <case>` would, its verdict compared with the label or an accepted alternative. The floors are
// what the pack reached when they were set; raise them as the rules and the diagnosis improve.

const DIR = path.join(repoRoot(), 'corpus', 'real-world');
const AGREEMENT_FLOOR = 0.97;
const HIGH_CONFIDENCE_FLOOR = 0.95;

describe.skipIf(!existsSync(path.join(DIR, 'index.tsv')))('real-world corpus', () => {
  it('agrees with the labels at the floor, raises no alarm on a negative, and high confidence is right', async () => {
    const cases = readRealWorld(DIR);
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const score = await scoreCases(cases, await loadPack());
    const falseAlarms = score.falseAlarms.map((r) => `${r.id}: ${r.got} [${r.rules.join(',')}]`);
    expect(falseAlarms).toEqual([]);
    expect(score.agree / score.rows.length).toBeGreaterThanOrEqual(AGREEMENT_FLOOR);
    expect(score.high.right / Math.max(score.high.total, 1)).toBeGreaterThanOrEqual(HIGH_CONFIDENCE_FLOOR);
    // Every limit check in the corpus is recognised as one.
    const limits = score.rows.filter((r) => r.expected === 'map-count-limit-low');
    expect(limits.filter((r) => !agrees(r)).map((r) => r.id)).toEqual([]);
  }, 600_000);
});
