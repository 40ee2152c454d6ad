// harvestEmbedded skips a line unless one of TRIGGERS matches it. That is exact only while every
// regex the loop tests a line with to start doing something is in that list: this test reads the
// loop's source and names any regex tested on `line` that is neither a trigger nor one of the
// regexes that only run inside a trigger's branch.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { harvestEmbedded, mayTrigger, TRIGGER_GATES, TRIGGERS } from '../../src/evidence/embedded.js';
import { realTextFiles } from '../helpers/text-files.js';

/** The plain form of mayTrigger: some trigger matches the line (each without 'g', whose test() would move lastIndex). */
const EACH_TRIGGER = TRIGGERS.map((r) => new RegExp(r.source, r.flags.replace('g', '')));
const anyTrigger = (line: string): boolean => EACH_TRIGGER.some((r) => r.test(line));

/** Every line of the repository's real and sample text (corpus/, samples/): the gates are checked on it. */
function realLines(): string[] {
  return realTextFiles().flatMap((f) => f.buf.toString('utf8').split(/\r?\n/));
}

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

  // The gates: a literal alternation lets a line reach the costly union of the gated triggers.
  // On every line of the corpus and samples, the two-step test says what the union of every
  // trigger says; and each trigger that matches a line finds one of its gate literals there.
  it('gates lose no line of the real-world corpus or the samples', () => {
    const lines = realLines();
    expect(lines.length).toBeGreaterThan(20000);
    const differ = lines.filter((l) => mayTrigger(l) !== anyTrigger(l));
    expect(differ).toEqual([]);
    const ungated: string[] = [];
    let matched = 0;
    for (const [re, gate] of TRIGGER_GATES) {
      const r = new RegExp(re.source, re.flags.replace('g', ''));
      for (const l of lines) {
        if (!r.test(l)) continue;
        matched++;
        if (!gate.some((g) => l.toLowerCase().includes(g))) ungated.push(`${re.source.slice(0, 40)}: ${l}`);
      }
    }
    expect(matched).toBeGreaterThan(1000);
    expect(ungated).toEqual([]);
  });

  it('gates every branch of the triggers they cover', () => {
    const branchLines = [
      'Current number of mappings (/proc/self/maps): 65000',
      'Limit on number of mappings (/proc/sys/vm/max_map_count): 65530',
      'number of memory mappings. current: 65000, maximum: 65530',
      'the /proc/self/maps now has 65,412 lines',
      'there were 65412 entries in /proc/self/maps',
      'Redis 7.0.5 (00000000/0) 32 bit, standalone mode',
      'Python 3.8.10 [MSC v.1928 32 bit (Intel)] on win32',
      'rustc 1.70.0 i686-unknown-linux-gnu',
      'build/linux-x86-server-release/images/jdk',
      'GOARCH=386 go build',
      'mmap2(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = -1 ENOMEM',
      'MemTotal:       16384000 kB',
      '              total        used        free      shared  buff/cache   available',
      'Limit                     Soft Limit           Hard Limit           Units',
      'cat /proc/sys/vm/max_map_count',
      'kernel.threads-max = 127293',
      '65530 /proc/1234/maps',
      'wc -l /proc/1234/maps',
      'ps -eLf | wc -l',
      'Threads:\t1024',
      'VmSize:\t 4194304 kB',
      '$ uname -m',
      'Linux host 5.10.0-21-686 #1 SMP Debian i686 GNU/Linux',
      'ii  libc6:i386  2.31-13  i386  GNU C Library',
      'openjdk-11-jre_11.0.16_armhf.deb',
      '/usr/lib/arm-linux-gnueabihf/libc.so.6',
      '/lib/ld-linux-armhf.so.3',
      'this is a 32-bit JVM',
      'goroutine 1 [running]: sp=0xc000123456 fp=0xc000123480',
      'docker run --memory=2g kafka',
      '  mem_limit: 2g',
      '    resources:',
      '      limits:',
      '        memory: 2Gi',
      '{"limits": {"memory": "2Gi"}}',
      'vm.max_map_count (262144) is too low',
      'the broker had 65,000 memory map areas when it died',
      'about 30k mmaps, 40000 VMAs, 65530 maps',
      'we reached the map count limit',
      'the max_map_count was reached again',
      'we hit the mapping limit',
      'the map-count limit was exceeded',
      'ran out of map areas',
      'it had 70,000 mmap regions',
      'MAX MAP COUNT (70000)',
      'it ran 12,000 native threads',
      'ulimit -v 4194304',
      'ulimit -u 4096',
      '40,112 of the 65,530 maps are deleted files',
      'grep -c deleted /proc/1234/maps',
    ];
    const missed = branchLines.filter((l) => !mayTrigger(l) || mayTrigger(l) !== anyTrigger(l));
    expect(missed).toEqual([]);
    // Every gated trigger matches at least one of these lines, and each line it matches holds its gate.
    const unsampled: string[] = [];
    for (const [re, gate] of TRIGGER_GATES) {
      const r = new RegExp(re.source, re.flags.replace('g', ''));
      const own = branchLines.filter((l) => r.test(l));
      if (own.length === 0) unsampled.push(re.source.slice(0, 60));
      for (const l of own)
        expect(
          gate.some((g) => l.toLowerCase().includes(g)),
          `${re.source}: ${l}`,
        ).toBe(true);
    }
    expect(unsampled).toEqual([]);
  });
});
