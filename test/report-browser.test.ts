/// <reference lib="dom" />
/**
 * The batch HTML report in a real browser (Debian's chromium, driven by playwright-core): links
 * open a student's details, statuses read without colour, diffs are coloured markup, right-to-left
 * names keep their line in order, the page fits 360 px, no line repeats, the per-mistake view
 * lists who made each mistake. Full-page screenshots land in .cache/screenshots/ for a human look.
 * Skips cleanly without chromium (.ci/run installs it).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { grade } from '../grader/api';
import { runBatch } from '../grader/batch/run';
import { PACKAGE_ROOT } from '../grader/paths';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures', 'submissions');
export const SCREENSHOTS = join(PACKAGE_ROOT, '.cache', 'screenshots');
const RTL = 'عمر الفاروق';

describe.skipIf(!HAS_CHROMIUM)('report.html in chromium', () => {
  let root: string;
  let reportUrl: string;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bpg-browser-'));
    const folder = join(root, 'class');
    for (const id of ['stub', 'mistake-reg-includes-bias', 'correct-vectorized', 'throws', 'wrong-numerical-gradient']) cpSync(join(FIXTURES, id), join(folder, id), { recursive: true });
    cpSync(join(FIXTURES, 'mistake-reg-includes-bias'), join(folder, RTL), { recursive: true });
    const limits = { timeoutMs: 5000, heapMb: 256, outputCapBytes: 16 * 1024 };
    await runBatch({ folder, out: join(root, 'out'), grade, seed: 42, jobs: 2, gradeOptions: { limits }, similarity: true });
    reportUrl = `file://${join(root, 'out', 'report.html')}`;

    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(join(root, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(reportUrl);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** The submission's details section (by id) and whether its body shows. */
  const section = (id: string) => page.locator(`section.student[data-id="${id}"]`);
  const shown = (id: string) => section(id).locator('.body').isVisible();

  it('loads nothing but itself (no scripts, fonts or images)', () => {
    expect(requests).toEqual([reportUrl]);
  });

  it('a gradebook link opens that student, and only that one; "show all" and "hide all" work', async () => {
    expect(await shown('stub')).toBe(false);
    await page.locator('table.gradebook a', { hasText: 'stub' }).click();
    expect(await shown('stub')).toBe(true);
    expect(await shown('throws')).toBe(false);
    await page.locator('table.gradebook a', { hasText: 'throws' }).click();
    expect([await shown('throws'), await shown('stub')]).toEqual([true, false]);
    await page.locator('a[href="#all-students"]').click();
    for (const id of ['stub', 'throws', 'correct-vectorized', RTL]) expect(await shown(id), id).toBe(true);
    await page.locator('p a[href="#students"]').click();
    expect(await shown('stub')).toBe(false);
  });

  it('the per-mistake view lists who made each mistake with the hint to send, and links to them', async () => {
    const mistake = page.locator('section.mistake[data-diagnosis="reg-includes-bias"]');
    expect(await mistake.locator('.who a').allInnerTexts()).toEqual(['mistake-reg-includes-bias', RTL]);
    expect(await mistake.locator('.hint').innerText()).toMatch(/Regularization skips the first column of each Theta/);
    await mistake.locator('.who a', { hasText: RTL }).click();
    expect(await shown(RTL)).toBe(true);
  });

  it('every status has an icon and a word (a legend explains them), not colour alone', async () => {
    expect(await page.locator('.legend li').allInnerTexts()).toEqual([
      '✓ passed: every case right',
      '✗ failed: the code ran and an answer was wrong',
      '⚠ errored: no answer: it threw, timed out, ran out of memory or did not compile',
      '○ not implemented: still the stub',
      'expected → got',
    ]);
    const cells = await page.locator('table.gradebook td[data-status]').evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-status'), td.textContent!.trim()[0]]));
    const icon = { passed: '✓', failed: '✗', errored: '⚠', 'not-implemented': '○' } as Record<string, string>;
    expect(new Set(cells.map(([s]) => s))).toEqual(new Set(['passed', 'failed', 'errored', 'not-implemented']));
    for (const [status, first] of cells) expect(first, status!).toBe(icon[status!]);
  });

  it('diffs are coloured <del>/<ins>, never raw [-…-]{+…+} markup; code spans are <code>, never literal backticks', async () => {
    await page.goto(`${reportUrl}#all-students`);
    const diff = section('mistake-reg-includes-bias').locator('.diff').first();
    expect(await diff.locator('del').count()).toBeGreaterThan(0);
    expect(await diff.locator('ins').count()).toBeGreaterThan(0);
    const colours = await diff.evaluate((d) => [getComputedStyle(d.querySelector('del')!).backgroundColor, getComputedStyle(d.querySelector('ins')!).backgroundColor]);
    expect(colours[0]).not.toBe(colours[1]);
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/\[-|-\]|\{\+|\+\}/);
    expect(text).not.toContain('`');
    expect(await section('stub').locator('code', { hasText: 'nnCostFunction' }).count()).toBeGreaterThan(0);
  });

  it('no line of a part repeats (a stub says "not implemented" once per part)', async () => {
    for (const id of ['stub', 'mistake-reg-includes-bias', 'throws']) {
      const parts = section(id).locator('.part');
      for (let i = 0; i < (await parts.count()); i++) {
        const lines = await parts.nth(i).locator('ul.notes > li').allInnerTexts();
        expect(new Set(lines).size, `${id} part ${i}`).toBe(lines.length);
      }
    }
    const stubFirst = await section('stub').locator('.part').first().locator('ul.notes > li').allInnerTexts();
    expect(stubFirst).toHaveLength(2);
    expect(stubFirst[0]).toMatch(/^nnCostFunction is not implemented yet/);
  });

  it('a right-to-left name stays isolated: its score stays after it, the page stays left-to-right', async () => {
    const h = section(RTL).locator('h3');
    expect(await h.locator('bdi').innerText()).toBe(RTL);
    const name = (await h.locator('a').boundingBox())!;
    const score = (await h.locator('.muted').boundingBox())!;
    expect(score.x).toBeGreaterThanOrEqual(name.x + name.width - 1);
    // Every occurrence of the name in the page is inside a <bdi>.
    const outside = await page.evaluate((rtl) => {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      let n = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) if (node.textContent!.includes(rtl) && !node.parentElement!.closest('bdi')) n++;
      return n;
    }, RTL);
    expect(outside).toBe(0);
  });

  it('fits a 360 px screen with every section open: only wide tables scroll, inside their own box', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${reportUrl}#all-students`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const gradebookBox = await page.locator('table.gradebook').evaluate((t) => t.parentElement!.scrollWidth > t.parentElement!.clientWidth);
    expect(gradebookBox).toBe(true);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'report-360.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(SCREENSHOTS, 'report-1280.png'), fullPage: true });
    await page.goto(`${reportUrl}#${await section('mistake-reg-includes-bias').getAttribute('id')}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-student-1280.png') });
    for (const f of ['report-360.png', 'report-1280.png', 'report-student-1280.png']) {
      const png = readFileSync(join(SCREENSHOTS, f));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(f.includes('360') ? 360 : 1280); // IHDR width
      expect(statSync(join(SCREENSHOTS, f)).size).toBeGreaterThan(20_000);
    }
  });
});
