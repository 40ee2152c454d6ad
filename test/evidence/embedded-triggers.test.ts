// harvestEmbedded skips a line unless one of TRIGGERS matches it. That is exact only while every
// regex the loop tests a line with to start doing something is in that list: this test reads the
// loop's source and names any regex tested on `line` that is neither a trigger nor one of the
// regexes that only run inside a trigger's branch.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { harvestEmbedded, mayTrigger } from '../../src/evidence/embedded.js';

const source = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/evidence/embedded.ts'), 'utf8');
const triggers = /const TRIGGERS: readonly RegExp\[\] = \[([\s\S]*?)\];/.exec(source)?.[1] ?? '';
const loop = source.slice(source.indexOf('export function harvestEmbedded'));

/** Regexes run on a line only after a trigger of the same branch matched it (each checked by hand). */
const INSIDE_A_BRANCH = new Set([
  'PROC_SYS_INLINE',
  'SELF_MAPS',
  'SHELL_LINE',
  'SYSCTL_SET',
  'SYSCTL_TRANSCRIPT',
  'RAISED',
  'NO_HEADER',
  'PERSISTS',
  'PROSE_LIMIT',
  'PROSE_LIMIT_NEAR',
  'GREP_COUNTS',
  'GREP_DELETED',
  'GREP_INVERT',
  'PROSE_DELETED',
]);

describe('harvestEmbedded triggers', () => {
  it('lists every named regex the loop tests a line with', () => {
    const named = new Set(
      [
        ...loop.matchAll(/\b([A-Z][A-Z0-9_]+)\.(?:test|exec)\(line\)/g),
        ...loop.matchAll(/line\.matchAll\(([A-Z][A-Z0-9_]+)\)/g),
        ...loop.matchAll(/\b([A-Z][A-Z0-9_]+)\.(?:some|find)\(\((\w+)\) => \2\.(?:test|exec)\(line\)\)/g),
      ].map((m) => m[1]!),
    );
    expect(named.size).toBeGreaterThan(20);
    const missing = [...named].filter((n) => !INSIDE_A_BRANCH.has(n) && !new RegExp(`\\b${n}\\b`).test(triggers));
    expect(missing).toEqual([]);
    // A list of regexes is a trigger when it is spread into TRIGGERS.
    for (const m of loop.matchAll(/\b([A-Z][A-Z0-9_]+)\.(?:some|find)\(/g)) expect(triggers).toContain(`...${m[1]!}`);
  });

  it("runs no regex literal on a line outside a trigger's branch but the listed ones", () => {
    const literals = [...loop.matchAll(/(\/(?:[^/\\\n]|\\.)+\/[a-z]*)\.(?:test|exec)\(line\)/g)].map((m) => m[1]!);
    const known = [
      '/>\\s*\\/proc\\//',
      '/\\becho\\b/',
      '/\\bls\\s+\\/proc/',
      '/max_map_count/i',
      "/\\b(?:not|never|no|n't|before|avoid|prevent|until|if|when|would)\\b[^.]{0,30}(?:reach|hit|exceed)/i",
    ];
    expect(literals.filter((l) => !known.includes(l))).toEqual([]);
  });

  it('skips nothing a trigger-free harvest would use: blocks, sentences and settings still give their facts', () => {
    const text = [
      'plain log line 1 with numbers 12345 and words',
      '$ cat /proc/sys/vm/max_map_count',
      '65530',
      'vm.overcommit_memory = 2',
      'MemTotal:       16384000 kB',
      'MemAvailable:    1024000 kB',
      'the broker had 65,000 memory map areas when it died',
      '    resources:',
      '      limits:',
      '        memory: 2Gi',
    ];
    const keys = harvestEmbedded('t.log', text).map((f) => f.key);
    expect(keys).toEqual(expect.arrayContaining(['max-map-count', 'overcommit-memory', 'mem-total', 'mem-available', 'map-count', 'cgroup-memory-limit']));
    expect(mayTrigger(text[0]!)).toBe(false);
    expect(
      text
        .slice(1)
        .filter((l) => l !== '65530')
        .every(mayTrigger),
    ).toBe(true);
  });
});
