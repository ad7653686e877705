// make bench: how long a change in the simulated app takes to show on a dashboard in headless
// Chromium. A viewer watches `/`; an operator sets prod's fault through the demo control (the
// simulated app changes when that answer arrives); the viewer's page records when prod's tile
// turns critical (a MutationObserver) and when the live event that carried it arrived (its id is
// the publishing moment in microseconds). Repeated TRIALS times, healing in between.
//   node tests/browser/bench-screen.mjs BASE_URL [TRIALS]   → one JSON object on stdout
// (kept here, beside the browser tests, to use their playwright-core).
import { chromium } from 'playwright-core';

const [base, trialsArg] = process.argv.slice(2);
const TRIALS = Number(trialsArg || 5);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

async function signedIn(user, path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(base + path);
  await page.waitForURL(/\/signin\?next=/);
  await page.click(`button[data-user="${user}"]`);
  await page.waitForURL(base + path);
  await page.waitForSelector('html[data-hydrated="true"]', { state: 'attached', timeout: 30_000 });
  return page;
}

try {
  const control = await signedIn('oscar', '/demo');
  const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Every `env` event the page's live stream receives, with its arrival time.
  await viewerContext.addInitScript(() => {
    window.__events = [];
    const Original = window.EventSource;
    window.EventSource = class extends Original {
      constructor(...args) {
        super(...args);
        this.addEventListener('env', (e) => window.__events.push([Date.now(), Number(e.lastEventId), e.data.slice(0, 40)]));
      }
    };
  });
  const viewer = await viewerContext.newPage();
  await viewer.goto(base + '/');
  await viewer.waitForURL(/\/signin\?next=/);
  await viewer.click('button[data-user="vera"]');
  await viewer.waitForURL(base + '/');
  await viewer.waitForSelector('html[data-hydrated="true"]', { state: 'attached', timeout: 30_000 });

  const setFault = async (fault) => {
    await control.click(`section[data-env="prod"] button[data-fault="${fault}"]`);
    await control.locator(`section[data-env="prod"] button[data-fault="${fault}"][aria-pressed="true"]`).waitFor({ timeout: 10_000 });
    return Date.now();
  };
  const trials = [];
  for (let i = 0; i < TRIALS; i++) {
    await viewer.locator('article[data-env="prod"].lvl-ok').waitFor({ timeout: 30_000 });
    // A random point in the probe cycle, as a real change would fall.
    await viewer.waitForTimeout(500 + Math.floor(Math.random() * 4000));
    await viewer.evaluate(() => {
      window.__shown = null;
      const tile = () => document.querySelector('article[data-env="prod"]');
      const seen = () => { if (!window.__shown && tile()?.classList.contains('lvl-critical')) window.__shown = Date.now(); };
      new MutationObserver(seen).observe(document.body, { subtree: true, attributes: true, childList: true, attributeFilter: ['class'] });
    });
    const changed = await setFault('down');
    await viewer.waitForFunction(() => window.__shown, null, { timeout: 30_000, polling: 50 });
    const { shown, events } = await viewer.evaluate(() => ({ shown: window.__shown, events: window.__events }));
    // The event that carried it: the last prod event that arrived before the tile changed.
    const carried = events.filter(([at, , head]) => at <= shown && head.includes('"prod"')).pop();
    trials.push({
      fault_to_screen_ms: shown - changed,
      publish_to_screen_ms: carried ? shown - carried[1] / 1000 : null,
      event_to_screen_ms: carried ? shown - carried[0] : null,
    });
    await setFault('none');
  }
  console.log(JSON.stringify({ trials }));
} finally {
  await browser.close();
}
