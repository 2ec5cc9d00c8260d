/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Admin, Consumer, Producer } from '@gregor/client';
import { type LocalCluster, startCluster, waitFor } from '@gregor/testkit';

/** Debian's chromium, which .ci/run installs. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../../../artifacts');
const XSS = '<script>window.__xss = true</script><img src=x onerror="window.__xss = true">';

/**
 * The web console of a three-broker cluster in a real headless Chromium: every view loads with no
 * console error and shows the cluster's topics, groups and records; a record of markup shows as
 * text. A screenshot of each view goes to artifacts/.
 */
describe('the web console', () => {
  let cluster: LocalCluster;
  let admin: Admin;
  let browser: Browser;
  let page: Page;
  let member: Consumer;
  let consuming: Promise<void>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    cluster = await startCluster({ brokers: 3, metrics: true });
    admin = new Admin({ brokers: cluster.bootstrap });
    await waitFor(async () => {
      const { brokers } = await admin.describeCluster();
      return brokers.length === 3 && brokers.every((b) => b.alive);
    }, 30_000, 'three live brokers');
    await admin.createTopic('orders', { partitions: 3, replicationFactor: 3 });
    const producer = new Producer({ brokers: cluster.bootstrap });
    await producer.send('orders', Array.from({ length: 30 }, (_, i) => ({ key: `order-${i}`, value: `{"amount": ${i}}`, partition: i % 3 })));
    await producer.send('orders', { key: XSS, value: XSS, headers: { [XSS]: XSS }, partition: 1 });
    await producer.close();
    member = new Consumer({ brokers: cluster.bootstrap, groupId: 'billing', autoOffsetReset: 'earliest' });
    member.subscribe(['orders']);
    consuming = (async () => {
      for await (const _ of member) void _;
    })();
    await waitFor(async () => {
      const [group] = await admin.describeGroups(['billing']);
      return group.state === 'Stable' && (await admin.fetchOffsets('billing')).length === 3;
    }, 30_000, 'the billing group stable with commits');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await member?.close();
    await consuming;
    admin?.close();
    await cluster?.cleanup();
  });

  const consoleUrl = (view: string): string => `${cluster.broker(1).metricsUrl}/#${view}`;

  async function show(view: string): Promise<void> {
    await page.goto(consoleUrl(view));
    await page.waitForSelector(`#${view}.active`);
  }

  async function screenshot(view: string): Promise<void> {
    await page.screenshot({ path: path.join(ARTIFACTS, `console-${view}.png`), fullPage: true });
  }

  it('shows the cluster: brokers alive, the controller, partitions', async () => {
    await show('overview');
    await page.waitForFunction(() => document.querySelector('#overview')?.textContent?.includes('3 / 3'));
    const text = (await page.textContent('#overview'))!;
    expect(text).toContain('brokers alive');
    expect(text).toMatch(/\(controller\)/);
    await screenshot('overview');
  });

  it('shows every topic with its partitions, leaders, replicas and lag', async () => {
    await show('topics');
    await page.waitForFunction(() => [...document.querySelectorAll('#topics h2')].some((h) => h.textContent === 'orders'));
    const rows = await page.$$eval('#topics table:nth-of-type(2) tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row[2]!.split(', ')).toHaveLength(3);
    expect(await page.$$('#topics svg.spark')).not.toHaveLength(0);
    await screenshot('topics');
  });

  it('shows the consumer group with its member, assignments and lag per partition', async () => {
    await show('groups');
    await page.waitForFunction(() => document.querySelector('#groups')?.textContent?.includes('billing: Stable'));
    const text = (await page.textContent('#groups'))!;
    expect(text).toMatch(/orders\(0,1,2\)/);
    await screenshot('groups');
  });

  it('browses the records of a partition, showing markup in a record as text', async () => {
    await show('messages');
    await page.waitForFunction(() => document.querySelectorAll('#browse select option').length > 0);
    await page.selectOption('#browse select[name=topic]', 'orders');
    await page.fill('#browse input[name=partition]', '1');
    await page.click('#browse button');
    await page.waitForSelector('#browse-result table tbody tr');
    const cells = await page.$$eval('#browse-result tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(cells.map((c) => c[2])).toContain('order-1');
    const xss = cells.find((c) => c[3] === XSS)!;
    expect(xss).toBeDefined();
    expect(xss[2]).toBe(XSS);
    expect(xss[4]).toBe(`${XSS}=${XSS}`);
    expect(await page.$$('#browse-result script, #browse-result img')).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: boolean }).__xss)).toBeUndefined();
    await screenshot('messages');

    await page.fill('#browse input[name=offset]', '999999');
    await page.click('#browse button');
    await page.waitForSelector('#browse-error:not([hidden])');
    expect(await page.textContent('#browse-error')).toMatch(/offset 999999 is out of range for orders-1/);
  });

  it('shows the moves under way, or that there are none', async () => {
    await show('reassignments');
    await page.waitForFunction(() => document.querySelector('#reassignments')?.textContent?.includes('No partition is moving.'));
    await screenshot('reassignments');
  });

  it('logged no error in the page', () => {
    // The out-of-range offset above answers 400, which the browser logs as a failed resource load.
    expect(pageErrors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  it('refuses a bad message query with a clear error, and answers 404 for an unknown path', async () => {
    const base = cluster.broker(2).metricsUrl;
    const answer = async (query: string) => {
      const response = await fetch(`${base}/api/messages?${query}`);
      return [response.status, ((await response.json()) as { error: string }).error];
    };
    expect(await answer('partition=0')).toEqual([400, 'topic is required']);
    expect(await answer('topic=orders&partition=9')).toEqual([400, 'orders has partitions 0 to 2, not 9']);
    expect(await answer('topic=orders&limit=many')).toEqual([400, 'limit must be a whole number of at least 1, not "many"']);
    expect(await answer('topic=orders&offset=1&timestamp=1')).toEqual([400, 'give offset or timestamp, not both']);
    const [status] = await answer('topic=missing');
    expect(status).toBe(404);
    const capped = await (await fetch(`${base}/api/messages?topic=orders&partition=0&limit=100000&offset=0`)).json();
    expect((capped as { records: unknown[] }).records).toHaveLength(10);
    expect((await fetch(`${base}/api/nothing-here`)).status).toBe(404);
  });
});
