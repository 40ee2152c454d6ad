// Real-browser test: every sample's HTML report opened from disk in headless Debian Chromium
// (driven by playwright-core): the banner shows the README's verdict, the console stays clean,
// no request leaves the page, hostile log text runs no script, and the screenshot is not blank.
// Skipped, saying why, when /usr/bin/chromium or playwright-core is missing.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/render/html.js';
import { HOSTILE, REPO, expectedVerdict, hostileKafkaLog, sampleNames, scanPaths, scanSample } from '../render/helpers.js';
import { decodePng, distinctColours, pixel } from './png.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The sample whose report is the README screenshot (written when UPDATE_SCREENSHOT=1). */
export const SCREENSHOT_SAMPLE = 'cortex-ingester-crashloop';

interface Page {
  on(event: 'request', f: (r: { url(): string }) => void): void;
  on(event: 'console', f: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', f: (e: Error) => void): void;
  on(event: 'dialog', f: (d: { message(): string; dismiss(): Promise<void> }) => void): void;
  goto(url: string, o?: { waitUntil?: string }): Promise<unknown>;
  textContent(selector: string): Promise<string | null>;
  evaluate<T>(f: () => T): Promise<T>;
  screenshot(o: { path?: string; fullPage?: boolean }): Promise<Buffer>;
  close(): Promise<void>;
}
interface Context {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: { launchPersistentContext(dir: string, o: Record<string, unknown>): Promise<Context> };
}

async function loadPlaywright(): Promise<PlaywrightCore | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (apt-get install -y chromium)`;
  const name = 'playwright-core';
  try {
    return (await import(name)) as PlaywrightCore;
  } catch {
    return 'playwright-core is not installed';
  }
}

const pw = await loadPlaywright();
const skip = typeof pw === 'string' ? pw : undefined;
if (skip) console.warn(`browser tests skipped: ${skip}`);

interface Visit {
  readonly banner: string | null;
  readonly requests: string[];
  readonly errors: string[];
  readonly dialogs: string[];
  readonly png: Buffer;
}

let context: Context | undefined;
let profile = '';
let out = '';

async function visit(file: string, screenshot: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Visit & { images: number }> {
  if (!context) throw new Error('browser not started');
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await (page as unknown as { emulateMedia(o: { colorScheme: string }): Promise<void> }).emulateMedia({ colorScheme });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const banner = await page.textContent('.verdict-code');
  const images = await page.evaluate(() => (globalThis as unknown as { document: { images: { length: number } } }).document.images.length);
  const png = await page.screenshot({ path: screenshot, fullPage: false });
  await page.close();
  return { banner, requests, errors, dialogs, png, images };
}

function expectNotBlank(png: Buffer): void {
  expect(png.length).toBeGreaterThan(20_000);
  const img = decodePng(png);
  expect(img.width).toBe(1280);
  expect(distinctColours(img)).toBeGreaterThan(30);
  const [r, g, b] = pixel(img, 5, 5);
  expect(r === g && g === b && r > 240, 'the banner corner is coloured').toBe(false);
}

describe.skipIf(skip !== undefined)(skip ? `real browser (skipped: ${skip})` : 'real browser', () => {
  beforeAll(async () => {
    if (typeof pw === 'string') return;
    profile = mkdtempSync(join(tmpdir(), 'mapmortem-chromium-'));
    out = mkdtempSync(join(tmpdir(), 'mapmortem-shots-'));
    context = await pw.chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1000 },
      offline: true,
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it.each(sampleNames())('%s: verdict banner, clean console, no request, a real screenshot', async (name) => {
    const html = join(out, `${name}.html`);
    writeFileSync(html, renderHtml(await scanSample(name)));
    const v = await visit(html, join(out, `${name}.png`));
    expect(v.banner?.trim()).toBe(expectedVerdict(name));
    expect(v.errors).toEqual([]);
    expect(v.requests).toEqual([pathToFileURL(html).href]);
    expectNotBlank(v.png);
    if (name === SCREENSHOT_SAMPLE && process.env.UPDATE_SCREENSHOT === '1') writeFileSync(join(REPO, 'docs', 'screenshot.png'), v.png);
  });

  it('the dark scheme renders too', async () => {
    const html = join(out, 'dark.html');
    writeFileSync(html, renderHtml(await scanSample(SCREENSHOT_SAMPLE)));
    const v = await visit(html, join(out, 'dark.png'), 'dark');
    expect(v.errors).toEqual([]);
    expectNotBlank(v.png);
  });

  it('hostile log text runs no script and loads nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapmortem-hostile-'));
    try {
      writeFileSync(join(dir, 'server.log'), hostileKafkaLog());
      const html = join(out, 'hostile.html');
      writeFileSync(html, renderHtml(await scanPaths(['.'], dir)));
      const v = await visit(html, join(out, 'hostile.png'));
      expect(v.dialogs).toEqual([]);
      expect(v.images).toBe(0);
      expect(v.errors).toEqual([]);
      expect(v.requests).toEqual([pathToFileURL(html).href]);
      expect(v.banner?.trim()).toBe('unknown');
      expect(HOSTILE).toContain('onerror');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
