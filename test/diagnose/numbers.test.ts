// One source of truth for the numbers: conflicting sources fed through the real pipeline must
// show the same map limit on the HTML gauge, in the decision trail, in the fix and in the JSON
// numbers, with a caveat naming both lines; and the numbers carry origins and requests.

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/render/html.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderText } from '../../src/render/text.js';
import { buildViewModel } from '../../src/render/view-model.js';
import { REPO, scanPaths } from '../render/helpers.js';

function dir(files: Record<string, string>, copies: Record<string, string> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'mapmortem-numbers-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  for (const [name, from] of Object.entries(copies)) copyFileSync(join(REPO, from), join(d, name));
  return d;
}

describe('incident numbers', () => {
  it('an hs_err limit read at the crash beats a one-line sysctl.conf, and gauge, trail, fix, text, md and JSON agree', async () => {
    const d = dir(
      { 'sysctl.conf': 'vm.max_map_count=262144\n' },
      { 'hs_err_pid2423.log.gz': 'samples/kafka-jvm-hs-err/hs_err_pid2423.log.gz', 'kafkaServer.out': 'samples/kafka-jvm-hs-err/kafkaServer.out' },
    );
    const report = await scanPaths([d], d);
    const inc = report.incidents[0]!;
    expect(inc.cause).toBe('map-count-exhaustion');
    expect(inc.numbers.mapLimit.value).toBe(65530);
    expect(inc.numbers.mapLimit.origin).toBe('at-failure');
    expect(inc.numbers.mapLimit.source?.file).toMatch(/hs_err_pid2423\.log\.gz$/);
    expect(inc.numbers.mapLimit.overruled).toEqual([{ value: 262144, source: { file: expect.stringMatching(/sysctl\.conf$/), line: 1 }, origin: 'config' }]);
    expect(inc.numbers.mapCount?.value).toBe(65527);
    const caveat = inc.caveats.find((c) => c.startsWith('vm.max_map_count differs'))!;
    expect(caveat).toMatch(/65,530 at .*hs_err_pid2423\.log\.gz:\d+ .*262,144 at .*sysctl\.conf:1 .*used 65,530/);
    const trail = inc.trail.find((t) => t.step === 'map count vs limit')!;
    expect(trail.fact).toContain('against vm.max_map_count 65,530');
    expect(inc.remediation.summary).toContain('from 65,530');
    const gauge = buildViewModel(report).incidents[0]!.gauge!;
    expect(gauge.limitLabel).toBe('vm.max_map_count 65,530');
    expect(gauge.countLabel).toContain('65,527');
    const html = renderHtml(report);
    expect(html).toContain('vm.max_map_count 65,530');
    expect(html).toContain('262,144 at ');
    const text = renderText(report, { color: false, verbose: true });
    expect(text).toContain('against vm.max_map_count 65,530');
    expect(text).toContain('vm.max_map_count differs between sources');
    expect(renderMarkdown(report)).toContain('against vm.max\\_map\\_count 65,530: **99.99%**');
  });

  it('a live sysctl capture and a Cortex log: the gauge shows the captured limit, not the default', async () => {
    const d = dir({
      'ingester.log': 'level=error ts=2024-03-01T10:00:00Z caller=head.go:1 msg="error" err="mmap, size 31301: cannot allocate memory"\n',
      'sysctl.txt': 'vm.max_map_count = 1048576\nvm.overcommit_memory = 0\n',
      'maps-count.txt': '1048570 /proc/4242/maps\n',
    });
    const report = await scanPaths([d], d);
    const inc = report.incidents[0]!;
    expect(inc.numbers.mapLimit).toMatchObject({ value: 1048576, origin: 'live' });
    expect(inc.numbers.mapCount?.value).toBe(1048570);
    expect(inc.numbers.requests).toEqual([expect.objectContaining({ bytes: 31301 })]);
    expect(buildViewModel(report).incidents[0]!.gauge!.limitLabel).toBe('vm.max_map_count 1,048,576');
  });
});
