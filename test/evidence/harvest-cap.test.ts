// A log larger than the embedded-evidence harvest (16 MiB): evidence before the cap is used,
// evidence after it is not, failures anywhere in the file are found, and the report says where
// the harvest stopped so a missing number is never silent.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HARVEST_MAX_BYTES } from '../../src/evidence/index.js';
import { scanPaths } from '../render/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mm-harvest-cap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the embedded-evidence harvest cap', () => {
  it('reports the cut with the line it stopped at; the failure past it is still found', async () => {
    const filler = 'ts=2025-01-01T00:00:00Z level=info msg="compaction ok" blocks=3 took=12ms\n';
    const before = filler.repeat(300) + 'MemTotal:       65843212 kB\nMemAvailable:   43622400 kB\n';
    const fill = filler.repeat(Math.ceil(HARVEST_MAX_BYTES / filler.length));
    const after = '$ cat /proc/sys/vm/max_map_count\n1024\n' + 'ts=2025-01-01T01:00:00Z level=error msg="mmap, size 31301: cannot allocate memory"\n';
    writeFileSync(join(dir, 'ingester.log'), before + fill + after);
    const r = await scanPaths([dir], dir);
    const cut = r.problems.filter((p) => p.code === 'evidence-harvest-cut');
    expect(cut).toHaveLength(1);
    const through = Number(cut[0]!.args['through']);
    expect(through).toBeGreaterThan(302);
    expect(cut[0]!.message).toContain(`through line ${through}; failures were matched in the whole file`);
    const inc = r.incidents[0]!;
    expect(inc.findings[0]!.line).toBeGreaterThan(through);
    expect(inc.numbers.facts['mem-total']).toMatchObject({ value: 65843212 * 1024, source: { line: 301 } });
    expect(inc.numbers.facts['max-map-count']).toBeUndefined();
  });
});
