// Golden and behaviour tests of the view model and the HTML report for every sample: the
// banner names the README's verdict, file:line links land on shown lines, nothing external
// is referenced, and the embedded JSON turns back into the same Report.

import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/index.js';
import { CAUSE_LABEL } from '../../src/core/words.js';
import { extractEmbeddedReport } from '../../src/render/embedded.js';
import { renderHtml, templatesDir } from '../../src/render/html.js';
import { buildViewModel } from '../../src/render/view-model.js';
import { expectedVerdict, sampleNames, scanSample } from './helpers.js';

const reports = new Map<string, Promise<Report>>();
function report(name: string): Promise<Report> {
  let r = reports.get(name);
  if (!r) {
    r = scanSample(name);
    reports.set(name, r);
  }
  return r;
}

function bodyOf(html: string): string {
  return html.slice(html.indexOf('<body'), html.indexOf('<script type="application/json"'));
}

describe('templatesDir', () => {
  it('finds the repository templates', () => {
    expect(templatesDir()).toMatch(/templates$/);
  });
});

describe.each(sampleNames())('sample %s', (name) => {
  it('view model: verdict, anchors and golden file', async () => {
    const r = await report(name);
    const view = buildViewModel(r, {});
    expect(view.verdict.cause).toBe(expectedVerdict(name));
    for (const inc of view.incidents) {
      expect(inc.excerpts.length).toBeLessThanOrEqual(20);
      const first = inc.locations[0];
      if (first) expect(first.link.href).toMatch(/^#L-[0-9a-f]{12}$/);
    }
    await expect(`${JSON.stringify(view, null, 1)}\n`).toMatchFileSnapshot(`./__golden__/${name}.view.json`);
  });

  it('html: banner, links, no external reference, embedded JSON', async () => {
    const r = await report(name);
    const html = renderHtml(r);
    const cause = expectedVerdict(name) ?? '';
    expect(html).toContain(`data-verdict="${cause}">${cause}</span>`);
    if (cause !== 'none') expect(html).toContain(CAUSE_LABEL[cause as keyof typeof CAUSE_LABEL].replace(/'/g, '&#x27;').replace(/=/g, '&#x3D;'));
    const body = bodyOf(html);
    // every in-page link lands on an element of the page
    const ids = new Set([...body.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    const hrefs = [...body.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1] ?? '');
    for (const h of hrefs) {
      expect(h.startsWith('#'), h).toBe(true);
      expect(ids.has(h.slice(1)), h).toBe(true);
    }
    const f = r.incidents[0]?.findings[0];
    if (f) expect(body).toMatch(new RegExp(`<a class="ref" href="#L-[0-9a-f]{12}">${f.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${f.line}</a>`));
    // no external resource of any kind
    expect(html).not.toMatch(/\s(?:src|srcset|action|poster|xlink:href)\s*=/i);
    expect(html).not.toMatch(/url\(|@import|<link(?![^>]*href="data:)/i);
    expect(html.match(/<script\b/g)?.length).toBe(1);
    expect(extractEmbeddedReport(html)).toEqual(r);
    await expect(body).toMatchFileSnapshot(`./__golden__/${name}.body.html`);
  });
});

describe('excerpt cap', () => {
  it('shows at most N excerpts per incident and says how many were left out', async () => {
    const r = await report('cortex-ingester-crashloop');
    const inc = r.incidents[0];
    expect(inc && inc.findings.length).toBeGreaterThan(2);
    const view = buildViewModel(r, { maxExcerptsPerIncident: 2 });
    expect(view.incidents[0]?.excerpts).toHaveLength(2);
    const left = (inc?.findings.length ?? 0) - 2 + (inc?.omittedFindings ?? 0);
    expect(view.incidents[0]?.excerptsOmitted).toMatch(new RegExp(`^${left} more findings`));
    const html = renderHtml(r, { maxExcerptsPerIncident: 2 });
    expect(html).toContain(`${left} more findings of this incident not shown here`);
    expect(html.match(/<figure class="excerpt"/g)).toHaveLength(2);
  });

  it('highlights the matched text of each finding', async () => {
    const r = await report('cortex-ingester-crashloop');
    const f = r.incidents[0]?.findings[0];
    const span = f?.span;
    expect(span).toBeDefined();
    const matched = f && span ? f.text.slice(span[0], span[1]) : '';
    expect(renderHtml(r)).toContain(`<mark>${matched}</mark>`);
  });
});
