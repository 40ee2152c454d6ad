// What the HTML report shows beyond the verdict: the memory picture of a memory verdict (read
// from the incident's numbers only), the memory map rolled up by what the user controls, and a
// time axis whose ticks are round, distinct for a near-zero span, and not clipped at the right.

import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/index.js';
import { renderHtml } from '../../src/render/html.js';
import { buildViewModel, timeAxis } from '../../src/render/view-model.js';
import { scanSample as scanOnce } from './helpers.js';

const MiB = 1024 ** 2;
const scans = new Map<string, Promise<Report>>();
/** Each sample scanned once for the whole file. */
function scanSample(name: string): Promise<Report> {
  const hit = scans.get(name) ?? scanOnce(name);
  scans.set(name, hit);
  return hit;
}

describe('memory picture', () => {
  it('shows the request against MemAvailable, free swap, the commit limit and the cgroup, from incident.numbers', async () => {
    const r = await scanSample('jvm-memory-exhaustion');
    const inc = r.incidents[0]!;
    // Change one number the incident carries: the picture follows it (it never re-reads the evidence).
    const changed: Report = {
      ...r,
      incidents: [{ ...inc, numbers: { ...inc.numbers, facts: { ...inc.numbers.facts, 'mem-available': { ...inc.numbers.facts['mem-available']!, value: 123 * MiB } } } }],
    };
    const rows = buildViewModel(changed).incidents[0]?.memory?.rows ?? [];
    const row = (label: string): string | undefined => rows.find((x) => x.label === label)?.value;
    expect(row('MemAvailable')).toBe('123 MiB');
    expect(row('largest failed request')).toBe('4.00 GiB');
    expect(row('free swap')).toBe('0 B');
    expect(row('CommitLimit')).toBeDefined();
    expect(row('over the commit limit')).toMatch(/^−\d/);
    expect(row('cgroup memory limit')).toBe('unlimited');
    expect(rows[0]?.cls).toBe('request');
    const html = renderHtml(changed);
    expect(html).toMatch(/<figcaption>Memory at the failure<\/figcaption>/);
    expect(html).toContain('The request (4.00 GiB) is larger than the memory available with swap');
  });

  it('a cgroup verdict shows the cgroup limit; a map-count verdict has no memory picture', async () => {
    const cg = buildViewModel(await scanSample('cgroup-oom')).incidents[0]?.memory;
    expect(cg?.rows.map((x) => x.label)).toContain('cgroup memory limit');
    expect(cg?.caption).toMatch(/^The container used \d.* of its \d.* limit \(\d+(\.\d+)?%\) while the host had \d.* available with swap\.$/);
    expect(buildViewModel(await scanSample('cortex-ingester-crashloop')).incidents[0]?.memory).toBeUndefined();
  });
});

describe('memory map by what the user controls', () => {
  it('a Cortex ingester map reads as tenants × map areas, before the top groups, which are tenants rather than (anonymous)', async () => {
    const r = await scanSample('cortex-ingester-crashloop');
    const units = r.incidents[0]?.maps?.units ?? [];
    expect(units[0]?.unit).toBe('tenant');
    expect(units[0]!.count).toBeGreaterThan(1000);
    const view = buildViewModel(r).incidents[0]?.maps;
    expect(view?.units[0]?.phrase).toMatch(/^\d{1,3}(,\d{3})* tenants × \d+ map areas$/);
    expect(view?.top?.bars[0]?.label).toMatch(/^tenant\//);
    const html = renderHtml(r);
    const phrase = html.indexOf(`<strong class="unit-phrase">${view?.units[0]?.phrase ?? '?'}</strong>`);
    expect(phrase).toBeGreaterThan(0);
    expect(phrase).toBeLessThan(html.indexOf('Top files and groups by regions'));
  });

  it('a Kafka broker map reads as topic-partitions', async () => {
    const units = (await scanSample('kafka-jvm-hs-err')).incidents[0]?.maps?.units ?? [];
    expect(units.map((u) => u.unit)).toEqual(['partition']);
  });
});

describe('time axis', () => {
  const t0 = Date.parse('2025-03-11T09:41:19.120Z');
  it('a near-zero span gets distinct labels with milliseconds', () => {
    const a = timeAxis(t0, t0 + 300);
    const labels = a.ticks.map((t) => t.label);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(labels.length).toBeLessThanOrEqual(6);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels[1]).toMatch(/^09:41:19\.\d{3}$/);
    expect(a.from).toBeLessThanOrEqual(t0);
    expect(a.to).toBeGreaterThanOrEqual(t0 + 300);
  });

  it('a zero span still gets two distinct ticks around it', () => {
    const labels = timeAxis(t0, t0).ticks.map((t) => t.label);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('ticks are round: whole minutes for a six-minute span, dates where the day changes', () => {
    const a = timeAxis(Date.parse('2025-03-11T04:13:40Z'), Date.parse('2025-03-11T04:19:47Z'));
    for (const t of a.ticks) expect(t.t % 60_000).toBe(0);
    expect(a.ticks[0]?.label).toBe('2025-03-11 04:12');
    expect(a.ticks[1]?.label).toMatch(/^04:\d\d$/);
    const days = timeAxis(Date.parse('2025-03-10T22:00:00Z'), Date.parse('2025-03-11T02:00:00Z'));
    expect(days.ticks.map((t) => t.label)).toContain('2025-03-11 00:00');
  });

  it('the last tick label has room inside the chart', async () => {
    const tl = buildViewModel(await scanSample('cortex-ingester-crashloop')).timeline;
    const last = tl?.ticks[tl.ticks.length - 1];
    expect(last).toBeDefined();
    // half of a "2025-03-11 04:20" label at 11 px is about 55 units
    expect((tl?.width ?? 0) - (last?.x ?? 0)).toBeGreaterThanOrEqual(60);
  });

  it('an hs_err crash is placed at its Time: line, so nothing is left off the axis', async () => {
    const tl = buildViewModel(await scanSample('jvm-memory-exhaustion')).timeline;
    expect(tl?.untimed).toBeUndefined();
    expect(tl?.marks.filter((m) => m.kind === 'crash').length).toBeGreaterThan(0);
    expect(tl?.marks.find((m) => m.kind === 'crash')?.title).toMatch(/^2025-06-03 14:07:42 UTC /);
  });
});
