// The head harvest finds the lines holding a gate literal with the scanner's byte skip loop, all
// lines at once, instead of a caseless alternation per line: on every text file of corpus/ and
// samples/ it marks exactly the lines the alternation matches, and harvests the same facts.

import { describe, expect, it } from 'vitest';
import { GATE_LITERALS, holdsGateLiteral } from '../../src/evidence/embedded.js';
import { harvestEvidence } from '../../src/evidence/index.js';
import { harvestHead, splitLines } from '../../src/pipeline/log.js';
import { compilePrefilter } from '../../src/scan/prefilter.js';
import { escapeRegExp } from '../../src/core/index.js';
import { realTextFiles } from '../helpers/text-files.js';

describe('the head harvest gate as a byte search', () => {
  const files = realTextFiles();

  it('takes the skip loop, not a RegExp fallback', () => {
    expect(GATE_LITERALS.length).toBeGreaterThan(40);
    expect(compilePrefilter(new RegExp(GATE_LITERALS.map(escapeRegExp).join('|'), 'gi')).fast).toBe(true);
  });

  it('marks exactly the lines the caseless alternation matches', () => {
    const pf = compilePrefilter(new RegExp(GATE_LITERALS.map(escapeRegExp).join('|'), 'gi'));
    let marked = 0;
    const differ: string[] = [];
    for (const { name, buf } of files) {
      const hits: number[] = [];
      pf.lineHits(buf, buf.toString('latin1'), hits);
      const byBytes = new Set<number>();
      let line = 0;
      let h = 0;
      for (let p = 0; p < buf.length; line++) {
        let e = buf.indexOf(0x0a, p);
        if (e === -1) e = buf.length;
        while (h < hits.length && hits[h]! < p) h++;
        if (h < hits.length && hits[h]! < e) byBytes.add(line);
        p = e + 1;
      }
      splitLines(buf).forEach((l, i) => {
        if (byBytes.has(i) !== holdsGateLiteral(l)) differ.push(`${name}:${i + 1}: ${l.slice(0, 80)}`);
      });
      marked += byBytes.size;
    }
    expect(files.length).toBeGreaterThan(300);
    expect(marked).toBeGreaterThan(1500);
    expect(differ).toEqual([]);
  });

  it('harvests the same facts as the per-line test', () => {
    let withFacts = 0;
    for (const { name, buf } of files) {
      const fast = harvestHead(name, { buf, cut: false }, [], true);
      const slow = harvestEvidence(name, splitLines(buf));
      expect(fast).toEqual(slow ? [slow] : []);
      if (slow) withFacts++;
    }
    expect(withFacts).toBeGreaterThan(50);
  });
});
