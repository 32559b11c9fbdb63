/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core)
 * while the embedded exchange runs its simulated market: a crowd of leveraged
 * traders enters, then a −12% index gap liquidates them (book closes, fund
 * takeovers, ADL once the small fund is spent). The page is opened with the
 * operator token before the gap; the test waits until the depth chart, the price
 * chart and the liquidation feed have drawn real data (the data attributes the page
 * sets when it has), saves a screenshot to test-output/dashboard.png and checks the
 * page raised no error. Without the token the page shows only its login form.
 *
 * Chromium comes from scripts/ensure-chromium.mjs (run-tests installs it as root);
 * where it cannot be had the test skips loudly, except under CI, where it fails.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { EmbeddedExchange } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { type EmbeddedGateway, startEmbeddedGateway } from '../embedded-gateway.js';

const TOKEN = 'browser-test-operator-token-0123456789';
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const OUTPUT_DIR = join(REPO_ROOT, 'test-output');
/** The machine notes' flags: no sandbox as root, and nothing that reaches for the (closed) network. */
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOCK_AT_S = 400;
const STEP_NS = 20_000_000;

function chromiumPath(): string | undefined {
  const path = process.env.PERPCORE_CHROMIUM ?? '/usr/bin/chromium';
  return existsSync(path) ? path : undefined;
}

const executablePath = chromiumPath();
const missing = executablePath === undefined ? (process.env.PERPCORE_CHROMIUM_MISSING ?? '/usr/bin/chromium is absent (run node scripts/ensure-chromium.mjs as root)') : undefined;
if (missing !== undefined && process.env.CI) throw new Error(`dashboard browser test: chromium is required under CI: ${missing}`);
if (missing !== undefined) process.stderr.write(`\n!!!!! dashboard browser test SKIPPED: ${missing}\n\n`);

describe('the dashboard in headless chromium on the running embedded exchange', { skip: missing, timeout: 240_000 }, () => {
  let exchange: EmbeddedExchange;
  let gw: EmbeddedGateway;
  let browser: Browser;
  let stepper: NodeJS.Timeout | undefined;

  before(async () => {
    exchange = await EmbeddedExchange.create({
      logger: createLogger('test', 'silent'),
      // the liquidation test's scenario (embedded-liquidation.test.ts): book closes, takeovers and ADL once the 2,000 USDT fund is spent
      seed: 11,
      scenario: { crowdAccounts: 150, crowdEntryEndS: 300, shockAtS: SHOCK_AT_S, insuranceFundSeedUnits: 2_000 * 1_000_000 },
    });
    gw = await startEmbeddedGateway(exchange, { port: 0, logger: createLogger('test', 'silent'), env: { PERPCORE_ADMIN_TOKEN: TOKEN } });
    // up to shortly before the gap: makers quote, the crowd holds its positions
    exchange.step(((SHOCK_AT_S - 30) * 1e9) / STEP_NS);
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
  });

  after(async () => {
    clearInterval(stepper);
    await browser?.close();
    await gw?.server.close();
    await exchange?.close();
  });

  const watchErrors = (page: Page): string[] => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    return errors;
  };

  it('without the token shows only the login shell', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${gw.url}/dashboard`);
    await page.waitForSelector('#login:not([hidden])');
    assert.equal(await page.locator('#console').isHidden(), true);
    assert.equal(await page.locator('#console').innerHTML(), '', 'no panel is built without the token');
    await page.fill('#token', 'not-the-operator-token');
    await page.click('button[type=submit]');
    await page.waitForFunction(`document.getElementById('login-error').textContent.includes('401')`);
    assert.equal(await page.locator('#console').innerHTML(), '');
    await page.close();
    assert.deepEqual(errors.filter((e) => !e.includes('401')), []);
  });

  it('draws live depth, prices and the liquidation feed, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1250 } });
    const errors = watchErrors(page);
    await page.goto(`${gw.url}/dashboard#token=${TOKEN}`);
    await page.waitForSelector('#console:not([hidden])');
    assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');
    // the market keeps running (about 10 simulated seconds per wall second) and the gap arrives
    stepper = setInterval(() => exchange.step(500), 50);
    const wait = { timeout: 120_000 };
    await page.waitForSelector('#depth-BTCUSDT[data-drawn="true"]', wait);
    await page.waitForSelector('#depth-ETHUSDT[data-drawn="true"]', wait);
    await page.waitForSelector('#price-BTCUSDT[data-drawn="true"]', wait);
    // the page sets these data attributes when it has drawn real rows (strings: they run in the page)
    await page.waitForFunction(`Number(document.getElementById('risk-feed').dataset.liquidations) > 0`, undefined, wait);
    await page.waitForFunction(`Number(document.getElementById('accounts-table').dataset.rows) > 0`, undefined, wait);
    // a few more seconds of the cascade and the charts, for the screenshot
    await page.waitForTimeout(3_000);
    clearInterval(stepper);

    const depthPoints = Number(await page.getAttribute('#depth-BTCUSDT', 'data-points'));
    assert.ok(depthPoints >= 2, `depth chart points: ${depthPoints}`);
    assert.match((await page.textContent('#mark-BTCUSDT')) ?? '', /^\d+(\.\d+)?$/, 'the mark price is shown');
    assert.match((await page.textContent('#index-BTCUSDT')) ?? '', /^\d+(\.\d+)?$/, 'the index price is shown');
    const liquidations = await page.locator('#risk-feed li[data-kind="LIQUIDATION"]').count();
    assert.ok(liquidations > 0, 'liquidations in the feed');
    assert.match((await page.locator('#risk-feed li[data-kind="LIQUIDATION"]').first().textContent()) ?? '', /liquidation #\d+: margin level/);
    assert.ok(Number(await page.textContent('#total-liquidations')) > 0);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard.png'), fullPage: true });
    await page.close();
    assert.deepEqual(errors, [], 'the page raised no error');
  });
});
