// Every registered log format carries samples, and each sample is detected as its format and
// parses into the event it states; the registry holds exactly the formats of core's word list.
import { describe, expect, it } from 'vitest';
import { LOG_FORMATS } from '../../src/core/index.js';
import { detectFormat, parseEvent } from '../../src/formats/index.js';
import { logFormats } from '../../src/formats/registry.js';

describe('log-format registry', () => {
  it('holds one entry per word of LOG_FORMATS and exactly one fallback', () => {
    expect(
      logFormats()
        .map((f) => f.name)
        .sort(),
    ).toEqual([...LOG_FORMATS].sort());
    expect(
      logFormats()
        .filter((f) => f.fallback === true)
        .map((f) => f.name),
    ).toEqual(['plain']);
  });

  for (const def of logFormats()) {
    it(`${def.name}: its samples are detected as ${def.name} and parse into their events`, () => {
      expect(def.samples.length).toBeGreaterThan(0);
      for (const s of def.samples) {
        expect(detectFormat(s.lines).format).toBe(def.name);
        const ev = parseEvent(s.lines[0]!, def.name);
        expect(ev).not.toBeNull();
        if (s.event) expect(ev).toMatchObject(s.event);
      }
    });
  }
});
