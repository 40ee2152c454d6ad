// Every registered evidence parser carries samples, each recognised as its kind and parsed
// into the facts it states; every evidence kind a file can be has exactly one parser.
import { describe, expect, it } from 'vitest';
import { detectEvidence, evidenceParsers, parseEvidence } from '../../src/evidence/index.js';

describe('evidence-parser registry', () => {
  it('gives each kind one parser', () => {
    const kinds = evidenceParsers().flatMap((p) => p.kinds);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  for (const p of evidenceParsers()) {
    it(`${p.name}: its samples are recognised and yield the facts they state`, () => {
      expect(p.samples.length).toBeGreaterThan(0);
      for (const s of p.samples) {
        expect(detectEvidence(s.lines, s.name)).toBe(s.kind);
        const { evidence } = parseEvidence(s.kind, s.name, s.lines);
        expect(evidence.kind).toBe(s.kind);
        for (const [key, value] of Object.entries(s.facts)) {
          expect(evidence.facts.find((f) => f.key === key)?.value, `${s.name}: ${key}`).toBe(value);
          expect(p.facts).toContain(key);
        }
      }
    });
  }
});
