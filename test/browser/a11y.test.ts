// Accessibility of the HTML report in a real browser: axe-core finds no violation in any
// sample's report (light and dark), the first Tab stop is a skip link to the report, at a
// phone's 390 px the inputs table keeps whole words and chart text stays readable, and the
// printed report is short. Skipped, saying why, without Chromium.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/render/html.js';
import { sampleNames, scanSample } from '../render/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Page {
  goto(url: string, o?: { waitUntil?: string }): Promise<unknown>;
  evaluate<T>(f: string | (() => T | Promise<T>)): Promise<T>;
  keyboard: { press(key: string): Promise<void> };
  setViewportSize(s: { width: number; height: number }): Promise<void>;
  emulateMedia(o: { colorScheme?: string; media?: string }): Promise<void>;
  pdf(o: { format: string; margin?: Record<string, string> }): Promise<Buffer>;
  close(): Promise<void>;
}
interface Context {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

async function load(): Promise<{ chromium: { launchPersistentContext(d: string, o: object): Promise<Context> } } | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (apt-get install -y chromium)`;
  try {
    return (await import('playwright-core')) as never;
  } catch {
    return 'playwright-core is not installed';
  }
}

const pw = await load();
const skip = typeof pw === 'string' ? pw : undefined;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  nodes: string[];
}

describe.skipIf(skip !== undefined)(skip ? `accessibility (skipped: ${skip})` : 'accessibility', () => {
  let context: Context | undefined;
  let profile = '';
  let out = '';
  beforeAll(async () => {
    if (typeof pw === 'string') return;
    profile = mkdtempSync(join(tmpdir(), 'mapmortem-a11y-'));
    out = mkdtempSync(join(tmpdir(), 'mapmortem-a11y-out-'));
    context = await pw.chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 1000 }, offline: true });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  async function open(name: string, scheme = 'light', width = 1280): Promise<Page> {
    const html = join(out, `${name}.html`);
    if (!existsSync(html)) writeFileSync(html, renderHtml(await scanSample(name)));
    const page = await context!.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    return page;
  }

  async function axe(page: Page): Promise<Violation[]> {
    // Evaluated through the DevTools protocol, which the report's CSP does not govern.
    await page.evaluate(readFileSync(AXE, 'utf8'));
    return page.evaluate(async () => {
      const run = (globalThis as unknown as { axe: { run(d: unknown, o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const r = await run.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
  }

  it.each(sampleNames())(
    '%s: axe-core reports no violation, light and dark',
    async (name) => {
      for (const scheme of ['light', 'dark']) {
        const page = await open(name, scheme);
        expect(await axe(page), `${name} (${scheme})`).toEqual([]);
        await page.close();
      }
    },
    120_000,
  );

  it('the first Tab stop is a skip link to the report', async () => {
    const page = await open('cortex-ingester-crashloop');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { textContent: string; getAttribute(n: string): string } } }).document.activeElement;
      return { text: el.textContent, href: el.getAttribute('href') };
    });
    expect(focused).toEqual({ text: 'Skip to the report', href: '#main' });
    await page.close();
  });

  it('at 390 px the inputs table keeps whole words and the page does not scroll sideways', async () => {
    const page = await open('cortex-ingester-crashloop', 'light', 390);
    const m = await page.evaluate(() => {
      const d = (
        globalThis as unknown as {
          document: { documentElement: { scrollWidth: number }; querySelectorAll(s: string): ArrayLike<{ getBoundingClientRect(): { width: number }; textContent: string }> };
        }
      ).document;
      const cells = Array.from(d.querySelectorAll('#inputs td'));
      return { scroll: d.documentElement.scrollWidth, narrowest: Math.min(...cells.filter((c) => c.textContent.trim().length > 3).map((c) => c.getBoundingClientRect().width)) };
    });
    expect(m.scroll).toBeLessThanOrEqual(390);
    // one character per line would be a column about 10 px wide
    expect(m.narrowest).toBeGreaterThan(40);
    await page.close();
  });

  it('at 390 px the chart text stays readable: bar labels, gauge labels and the timeline at 10 px or more', async () => {
    const page = await open('jvm-memory-exhaustion', 'light', 390);
    const sizes = await page.evaluate(() => {
      type El = { getBoundingClientRect(): { height: number; width: number }; textContent: string };
      const d = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } }).document;
      const shown = (sel: string): number[] =>
        Array.from(d.querySelectorAll(sel))
          .map((e) => e.getBoundingClientRect())
          .filter((r) => r.width > 0)
          .map((r) => r.height);
      return { bars: shown('.hbars .b-label'), memory: shown('.memory .b-value'), gauge: shown('.gauge svg text'), timeline: shown('.timeline text') };
    });
    expect(sizes.bars.length).toBeGreaterThan(5);
    expect(sizes.memory.length).toBeGreaterThan(3);
    expect(sizes.timeline.length).toBeGreaterThan(2);
    // a text box's height is about 1.2 times its font size
    for (const [what, hs] of Object.entries(sizes)) for (const h of hs) expect(h, what).toBeGreaterThanOrEqual(12);
    await page.close();
  });

  it('printed on A4, the report is a short document', async () => {
    const page = await open('cortex-ingester-crashloop');
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4' });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g)?.length ?? 0;
    expect(pages).toBeGreaterThan(1);
    // 11 pages before the print stylesheet kept headings with their text and let big cards split (8 after)
    expect(pages).toBeLessThanOrEqual(9);
    await page.close();
  });
});
