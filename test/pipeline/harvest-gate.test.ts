// The head harvest finds the lines holding a gate literal with the scanner's byte skip loop, all
// lines at once, instead of a caseless alternation per line: on every text file of corpus/ and
// samples/ it marks exactly the lines the alternation matches, and harvests the same facts.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GATE_LITERALS, holdsGateLiteral } from '../../src/evidence/embedded.js';
import { harvestEvidence } from '../../src/evidence/index.js';
import { harvestHead, splitLines } from '../../src/pipeline/log.js';
import { compilePrefilter } from '../../src/scan/prefilter.js';
import { escapeRegExp } from '../../src/core/index.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');

function textFiles(): { name: string; buf: Buffer }[] {
  const out: { name: string; buf: Buffer }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.size < 2 << 20) {
        const buf = readFileSync(p);
        if (!buf.subarray(0, 8192).includes(0)) out.push({ name: path.relative(root, p), buf });
      }
    }
  };
  walk(path.join(root, 'corpus'));
  walk(path.join(root, 'samples'));
  return out;
}

describe('the head harvest gate as a byte search', () => {
  const files = textFiles();

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
