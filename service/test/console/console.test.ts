import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildConsole } from '../../console/build.js';
import { KeyStore } from '../../src/access/keys.js';
import { odp } from '../fixtures/cli.js';
import { Replica } from '../fixtures/replica.js';
import { bundledDatasets, ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

/** Screenshots of every page, kept after the run (the folder is ignored by Git). */
const SHOTS = path.resolve(import.meta.dirname, '../../test-results/console');
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Debian's Chromium (or the Chrome of a CI runner), as .ci/install.ts finds it. */
function browserBinary(): string {
  const binary = process.env.ODP_CHROMIUM ?? '/usr/lib/chromium/chromium';
  if (!existsSync(binary)) {
    throw new Error(
      `no Chromium at ${binary}: run 'node --import tsx .ci/install.ts chromium' (it installs Debian's chromium)`,
    );
  }
  return binary;
}

/** Serious or critical accessibility violations axe-core finds on the page as it is now. */
async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's Content-Security-Policy stays in force.
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
      }
    ).axe;
    return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.nodes})`);
}

/** The little of the DOM the page-side waits use (the test compiles without the DOM's types). */
interface ElementLike {
  textContent: string | null;
  value: string;
  querySelector(selector: string): ElementLike | null;
  querySelectorAll(selector: string): Iterable<ElementLike>;
}
type DocumentLike = ElementLike;

/**
 * The cells of the records table once it shows the page its caption starts with, filtered by `chip` when given.
 * Read in the page in one go with the caption, so the rows are those the caption describes.
 */
async function shownRecords(page: Page, caption: string, chip?: string): Promise<string[][]> {
  const shown = await page.waitForFunction(
    ({ caption, chip }) => {
      const doc = (globalThis as unknown as { document: DocumentLike }).document;
      const table = doc.querySelector('table.records.page');
      const chips = doc.querySelector('.chips')?.textContent ?? '';
      if (!table?.querySelector('caption')?.textContent?.startsWith(caption)) return null;
      if (chip !== undefined && !chips.includes(chip)) return null;
      const rows = [...table.querySelectorAll('tbody tr')];
      return rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? ''));
    },
    { caption, chip },
  );
  return (await shown.jsonValue()) as string[][];
}

describe('the web console, in a real browser', function () {
  this.timeout(240_000);
  let sandbox: Sandbox;
  let server: Replica;
  let browser: Browser;
  let readKey: string;
  let adminKey: string;
  const report: string[] = [];

  before(async () => {
    const built = await buildConsole();
    sandbox = await Sandbox.create();
    await cp(bundledDatasets, sandbox.datasetsDir, { recursive: true });
    // A dataset with bad input: negative values break its rule and are quarantined, in two runs.
    await sandbox.write('readings.yaml', readingsDataset());
    const readings = (v: number, label: string) =>
      ndjson([
        ...Array.from({ length: 60 }, (_, i) => ({ id: `r${i}`, v, value: i, label })),
        ...Array.from({ length: 3 }, (_, i) => ({ id: `bad${i}`, v, value: -1 - i, label })),
      ]);
    for (const [v, label] of [
      [1, 'old'],
      [2, 'new'],
    ] as const) {
      await sandbox.write('readings.ndjson', readings(v, label));
      const run = await odp(['ingest', 'readings'], sandbox.env).done;
      expect(run.code, run.stderr).to.equal(0);
    }
    for (const name of ['earthquakes', 'flights', 'physics', 'catalogo', 'pagamenti', 'farmacie']) {
      const run = await odp(['ingest', name], sandbox.env).done;
      expect(run.code, run.stderr).to.equal(0);
    }
    // The definition is fixed after the fact (negative values are allowed now): a re-drive stores the records.
    await sandbox.write('readings.yaml', readingsDataset().replace(/rules:\n.*\n/, 'rules: []\n'));
    const keysFile = path.join(sandbox.dir, 'api-keys.json');
    const keys = new KeyStore(keysFile);
    readKey = (await keys.create('console reader', 'read')).key;
    adminKey = (await keys.create('console operator', 'admin')).key;
    server = await Replica.start({ ...sandbox.env, ODP_API_KEYS_FILE: keysFile });
    browser = await chromium.launch({ executablePath: browserBinary(), args: ['--log-level=3'] });
    await mkdir(SHOTS, { recursive: true });

    const bytes = async (file: string) => {
      const content = await readFile(path.join(built, file));
      return `${file} ${Math.round((await stat(path.join(built, file))).size / 1024)} KiB (${Math.round(gzipSync(content).length / 1024)} KiB gzip)`;
    };
    report.push(
      `page weight: ${await bytes('console.js')}, ${await bytes('style.css')}, ${await bytes('index.html')}`,
    );
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await sandbox?.close();
    if (report.length) console.log(report.map((line) => `      ${line}`).join('\n'));
  });

  async function signedIn(key: string, width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    (page as Page & { problems: string[] }).problems = problems;
    await page.goto(server.url);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    return page;
  }
  const shot = async (page: Page, name: string) => {
    const file = path.join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    report.push(`screenshot: ${path.relative(process.cwd(), file)}`);
  };
  const problemsOf = (page: Page) => (page as Page & { problems: string[] }).problems;

  it('tells a wrong key clearly, and keeps nothing of it', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await page.getByLabel('API key').fill('odp_000000000000_notakey');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).to.match(/not known or has been revoked/);
    expect(await page.evaluate(() => sessionStorage.length)).to.equal(0);
    await shot(page, 'sign-in-wrong-key');
    await page.close();
  });

  it('signs in and shows every dataset fresh, with its size and quarantine, first rendered quickly', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await page.getByLabel('API key').fill(readKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('table').waitFor();
    const rows = page.getByRole('row');
    for (const name of [
      'earthquakes',
      'flights',
      'physics',
      'catalogo',
      'pagamenti',
      'farmacie',
      'readings',
    ]) {
      const row = rows.filter({ has: page.getByRole('link', { name, exact: true }) });
      expect(await row.locator('.badge').textContent(), name).to.equal('fresh');
    }
    const readingsRow = rows.filter({ has: page.getByRole('link', { name: 'readings', exact: true }) });
    expect(await readingsRow.getByRole('link', { name: '6' }).count(), 'quarantined in two runs').to.equal(1);
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await shot(page, 'datasets');

    // Time to first render: a reload with the key kept for the tab, until the datasets table shows.
    const started = Date.now();
    await page.reload();
    await page.getByRole('table').waitFor();
    const firstRender = Date.now() - started;
    const paint = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
    );
    report.push(
      `time to first render (reload to the datasets table): ${firstRender} ms; first contentful paint ${Math.round(paint)} ms`,
    );
    expect(problemsOf(page) ?? []).to.deep.equal([]);

    const phone = await signedIn(readKey, 390);
    const width = await phone.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
          .documentElement.scrollWidth,
    );
    expect(width, 'nothing wider than a phone').to.be.at.most(390);
    await shot(phone, 'datasets-phone');
    await phone.context().close();
    await page.close();
  });

  it('charts the flights runs, filters records by origin and pages twice', async () => {
    const page = await signedIn(readKey);
    await page.getByRole('link', { name: 'flights', exact: true }).click();
    await page.getByRole('heading', { name: 'flights', level: 1 }).waitFor();
    // The charts are drawn after the page renders: wait for both, then read their titles.
    await page.locator('.chart canvas').nth(1).waitFor({ state: 'attached' });
    expect(await page.locator('.chart .u-title').allTextContents()).to.deep.equal([
      'Records per run',
      'Run duration (s)',
    ]);

    const filters = page.getByRole('form', { name: 'Filter records' });
    await filters.getByLabel('Column').selectOption('origin');
    await filters.getByLabel('Operator').selectOption('eq');
    await filters.getByLabel('Value').fill('SFO');
    await filters.getByRole('button', { name: 'Add filter' }).click();
    const seen = new Set<string>();
    for (const pageNumber of [1, 2, 3]) {
      if (pageNumber > 1) await page.getByRole('button', { name: 'Next page' }).click();
      const rows = await shownRecords(page, `Page ${pageNumber} at snapshot`, 'origin eq SFO');
      expect(rows.map((cells) => cells[3])).to.have.length(25);
      expect(new Set(rows.map((cells) => cells[3]))).to.deep.equal(new Set(['SFO']));
      for (const cells of rows) seen.add(cells.join('|'));
    }
    expect(seen.size, 'three different pages').to.equal(75);
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await shot(page, 'dataset-flights');
    expect(problemsOf(page)).to.deep.equal([]);
    await page.context().close();
  });

  it('reads an older snapshot with the as-of picker and sees the older data', async () => {
    const page = await signedIn(readKey);
    await page.goto(`${server.url}/#/datasets/readings`);
    const now = await shownRecords(page, 'Page 1 at snapshot');
    expect(new Set(now.map((cells) => cells[3]))).to.deep.equal(new Set(['new']));
    const options = await page.getByLabel('As of').locator('option').allTextContents();
    const older = options.at(-1) as string;
    await page.getByLabel('As of').selectOption({ label: older });
    const then = await shownRecords(page, `Page 1 at snapshot ${/snapshot (\d+)/.exec(older)?.[1]}`);
    expect(new Set(then.map((cells) => cells[3]))).to.deep.equal(new Set(['old']));
    await page.context().close();
  });

  it('shows no re-drive to a read key, and lets an operator open a quarantined record and re-drive it', async () => {
    const reader = await signedIn(readKey);
    await reader.goto(`${server.url}/#/quarantine?dataset=readings`);
    await reader.getByText('needs an admin key').waitFor();
    expect(await reader.getByRole('button', { name: /Re-drive/ }).count()).to.equal(0);
    await reader.context().close();

    const page = await signedIn(adminKey);
    await page.goto(`${server.url}/#/quarantine?dataset=readings`);
    await page.getByRole('heading', { name: 'Reasons' }).waitFor();
    expect(await page.locator('.reasons li').first().textContent()).to.match(/: 6$/);
    const record = page.getByRole('button', { name: /^Record \d+ of run / }).first();
    await record.click();
    expect(await page.getByRole('region', { name: 'Reason' }).textContent()).to.match(
      /value must not be negative/,
    );
    expect(await page.getByRole('region', { name: 'Record as received' }).textContent()).to.match(
      /"id":\s*"bad\d"/,
    );
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await shot(page, 'quarantine');
    await page.getByRole('button', { name: /^Re-drive the records of run / }).click();
    await page.getByText(/Re-drive run \S+: succeeded, 3 inserted/).waitFor({ timeout: 60_000 });
    // The dataset picker counts what still waits: the other run's 3 records.
    await page.locator('select option', { hasText: 'readings (3)' }).waitFor({ state: 'attached' });
    expect(await page.getByText(/Re-drive run \S+: succeeded, 3 inserted/).count()).to.equal(1);
    await shot(page, 'quarantine-redriven');
    await page.context().close();
  });

  it('lists runs of every dataset, filtered, with the run record and its increments', async () => {
    const page = await signedIn(readKey);
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.getByLabel('Dataset').selectOption('readings');
    await page.getByLabel('Status').selectOption('succeeded');
    // The runs listed once the list for both choices has loaded (a list loaded for other choices is never shown).
    const runs = await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: DocumentLike }).document;
      const chosen = [...doc.querySelectorAll('form.filters select')].map((s) => s.value).join(' ');
      const rows = [...doc.querySelectorAll('tbody tr')];
      if (chosen !== 'readings succeeded' || doc.querySelector('.loading') || rows.length === 0) return null;
      return rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? ''));
    });
    const listed = (await runs.jsonValue()) as string[][];
    expect(new Set(listed.map((cells) => cells[1]))).to.deep.equal(new Set(['readings']));
    expect(new Set(listed.map((cells) => cells[2]))).to.deep.equal(new Set(['succeeded']));
    await page.locator('tbody tr button.link').first().click();
    expect(await page.locator('dl.record').textContent()).to.match(/Increments.*readings\//s);
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await shot(page, 'runs');
    await page.context().close();
    await writeFile(
      path.join(SHOTS, 'README.txt'),
      'Screenshots of the console, from test/console/console.test.ts.\n',
    );
  });
});
