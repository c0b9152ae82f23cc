import type { INestApplication } from '@nestjs/common';
import { DEFAULT_COURSES, generateOrganisation, preset } from '@rework-ledger/demo-data';
import { API_KEYS, type ApiKeys, DEFAULT_MINUTES_SAVED_BY_TASK_TYPE } from '@rework-ledger/tenancy';
import { createTestDatabase, type TestDatabase } from '@rework-ledger/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { createApiApp } from './create-api-app';
import { postEventsAndCatchUp } from './post-events.test-support';

/**
 * Browser tests of the dashboard: the API on a test database seeded with a synthetic organisation, the dashboard as
 * `npm run build` makes it, and Debian's Chromium driven by playwright-core. Screenshots go to docs/screenshots/.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WORKSPACE = join(__dirname, '..', '..', '..');
const SCREENSHOTS = join(WORKSPACE, 'docs', 'screenshots');
const SUITE = 'dashboard in a browser';
const inCi = ['true', '1'].includes(String(process.env['CI'] ?? '').toLowerCase());

const chromiumPresent = existsSync(CHROMIUM);
if (!chromiumPresent && !inCi) {
  console.warn(
    `\n${'!'.repeat(100)}\n!! SKIPPED: ${SUITE}\n!! no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)\n${'!'.repeat(100)}\n`,
  );
}
// In CI a missing browser fails the suite (below) instead of skipping it.
const describeWithBrowser = chromiumPresent || inCi ? describe : describe.skip;

const DAY_MS = 86_400_000;
const startOfToday = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
/**
 * A trimmed demo organisation ending today, so that "the last 90 days" has data; its first course works better than
 * in the demo, so that 48 people are enough to measure it.
 */
const organisation = generateOrganisation(
  preset('demo', {
    tenant: 'acme',
    employees: 48,
    teams: 4,
    now: startOfToday,
    courses: DEFAULT_COURSES.map((course, index) => (index === 0 ? { ...course, trueEffect: -0.15, traineeShare: 0.6 } : course)),
  }),
);

/** A team of three: too small to be shown to a caller without `admin`, so the dashboard shows a suppressed row. */
function smallTeamEvents(): unknown[] {
  const events: unknown[] = [];
  for (let person = 0; person < 3; person++) {
    for (let day = 1; day <= 20; day++) {
      const time = new Date(startOfToday.getTime() - day * DAY_MS + 10 * 3_600_000).toISOString();
      const outputId = `pilot-${person}-${day}`;
      const base = { specversion: '1.0', source: 'urn:e2e:pilots', time };
      events.push({ ...base, id: `${outputId}-g`, type: 'ai.output.generated', data: { outputId, employeeId: `pilot-${person}`, teamId: 'pilots', tool: 'copilot', taskType: 'coding' } });
      if (day % 3 === 0) events.push({ ...base, id: `${outputId}-c`, type: 'ai.output.corrected', data: { outputId, employeeId: `pilot-${person}`, minutesSpent: 20 } });
    }
  }
  return events;
}

/**
 * Usage facts (`ai.usage.recorded`) of the three days before today: 24 people, six in each team, all on Copilot;
 * the first twelve also on Claude Code with a cost, half in USD and half in EUR (spend is never added across them).
 */
const USAGE_DAYS = [1, 2, 3];
const usagePeople = Array.from({ length: 24 }, (_, person) => ({ employeeId: `usage-${person}`, teamId: organisation.teams[person % organisation.teams.length], person }));
function usageEvents(): unknown[] {
  const events: unknown[] = [];
  for (const { employeeId, teamId, person } of usagePeople) {
    for (const daysAgo of USAGE_DAYS) {
      const time = new Date(startOfToday.getTime() - daysAgo * DAY_MS);
      const day = time.toISOString().slice(0, 10);
      const base = { specversion: '1.0', source: 'urn:e2e:usage', time: time.toISOString(), type: 'ai.usage.recorded' };
      const copilot = { requests: 10 + person, suggestions: 40, acceptances: 10 + (person % 5) };
      events.push({ ...base, id: `copilot-${employeeId}-${day}`, data: { employeeId, teamId, tool: 'github-copilot', day, usageKey: `copilot/${employeeId}/${day}`, ...copilot } });
      if (person < 12) {
        const claude = { requests: 5, inputTokens: 1000, outputTokens: 200, cost: 1.25, currency: person % 2 === 0 ? 'USD' : 'EUR' };
        events.push({ ...base, id: `claude-${employeeId}-${day}`, data: { employeeId, teamId, tool: 'claude-code', day, usageKey: `claude/${employeeId}/${day}`, ...claude } });
      }
    }
  }
  return events;
}
/** What the seeded usage adds up to over its days. */
const seededUsage = {
  activeUsers: usagePeople.length,
  requests: USAGE_DAYS.length * usagePeople.reduce((sum, { person }) => sum + 10 + person + (person < 12 ? 5 : 0), 0),
  acceptanceRate: usagePeople.reduce((sum, { person }) => sum + 10 + (person % 5), 0) / (40 * usagePeople.length),
  spend: { EUR: USAGE_DAYS.length * 6 * 1.25, USD: USAGE_DAYS.length * 6 * 1.25 },
};

type Json = any;

describeWithBrowser(SUITE, () => {
  let database: TestDatabase;
  let app: INestApplication;
  let baseUrl: string;
  let reader: string;
  let ingestOnly: string;
  let emptyTenant: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  const api = async (path: string): Promise<Json> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${reader}` } });
    expect(response.status).toBe(200);
    return response.json();
  };
  const screenshot = async (name: string, fullPage = false) => {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
    expect(statSync(join(SCREENSHOTS, `${name}.png`)).size).toBeLessThan(600_000);
  };
  /** The view's period and filters as the page shows them, as a metrics query. */
  const shownQuery = async (extra: Record<string, string> = {}) => {
    const view = page.getByTestId('operations-view');
    const query = new URLSearchParams({ from: (await view.getAttribute('data-from')) as string, to: (await view.getAttribute('data-to')) as string });
    const team = await view.getAttribute('data-team');
    if (team) query.set('team', team);
    for (const [name, value] of Object.entries(extra)) query.set(name, value);
    return query.toString();
  };
  const kpi = async (id: string) => ({
    value: Number(await page.getByTestId(`kpi-${id}`).getAttribute('data-value')),
    text: (await page.getByTestId(`kpi-${id}`).locator('.kpi-value').textContent()) as string,
  });
  /** Waits until the operations view has taken a filter on (its data-* attributes follow the filters). */
  const viewShows = (attribute: string, value: string) =>
    page.waitForFunction(([name, expected]) => (globalThis as any).document.querySelector('[data-testid=operations-view]')?.getAttribute(name) === expected, [attribute, value]);
  const waitForOperations = async () => {
    await page.getByTestId('kpis').waitFor();
    await page.getByTestId('loading').waitFor({ state: 'detached' });
    await page.getByTestId('usage-section').waitFor();
    await page.getByTestId('usage-loading').waitFor({ state: 'detached' });
  };

  beforeAll(async () => {
    if (!chromiumPresent) throw new Error(`${SUITE}: no Chromium at ${CHROMIUM}; CI=true, so the browser tests fail instead of skipping (.ci/run installs it)`);
    // The dashboard as `npm run build` makes it (dist/dashboard), which the API serves at /.
    execFileSync(process.execPath, [join(WORKSPACE, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'apps/dashboard/vite.config.mts', '--logLevel', 'warn'], {
      cwd: WORKSPACE,
      stdio: 'inherit',
    });
    database = await createTestDatabase();
    app = await createApiApp(
      {
        databaseUrl: database.url,
        defaults: { currency: 'EUR', defaultHourlyCost: 60, privacyMinGroupSize: 5, minutesSavedByTaskType: DEFAULT_MINUTES_SAVED_BY_TASK_TYPE },
      },
      ['error'],
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const apiKeys = app.get<ApiKeys>(API_KEYS);
    const ingest = (await apiKeys.create('acme', ['ingest'], 'e2e ingest')).key;
    reader = (await apiKeys.create('acme', ['read'], 'e2e dashboard reader')).key;
    ingestOnly = ingest;
    emptyTenant = (await apiKeys.create('newcomer', ['read'], 'e2e tenant without events')).key;
    const events = [...organisation.allEvents(), ...smallTeamEvents(), ...usageEvents()];
    await postEventsAndCatchUp(app, baseUrl, ingest, events, 120_000);
    // Course impacts (1000 bootstrap resamples each) are computed once and cached until the read models move.
    await api('/v1/training/courses');

    mkdirSync(SCREENSHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'rework-ledger-chromium-'));
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await app?.close();
    await database?.drop();
  });

  it('given a wrong API key, then it says clearly that the key was not accepted', async () => {
    await page.goto(baseUrl);
    await page.getByTestId('key-input').fill('rl_not-a-real-key');
    await page.getByTestId('key-submit').click();
    const message = page.getByTestId('key-error');
    await message.waitFor();
    expect(await message.textContent()).toMatch(/This API key was not accepted \(AUTH\.INVALID_API_KEY\)/);
    await screenshot('bad-key');
  }, 60_000);

  it('given the key, then the operations view draws its charts and shows the numbers of the API', async () => {
    await page.getByTestId('key-input').fill(reader);
    await page.getByTestId('key-submit').click();
    await waitForOperations();
    for (const chart of ['chart-rework-trend', 'chart-net-gain', 'chart-breakdown']) {
      expect(await page.getByTestId(chart).locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    }
    expect(await page.getByTestId('chart-rework-trend').locator('.recharts-line-curve').count()).toBe(1);

    const shown = await api(`/v1/metrics/rework?${await shownQuery()}`);
    const total = shown.rows[0];
    expect(total.outputs).toBeGreaterThan(1000);
    expect(await page.getByTestId('period-note').textContent()).toContain(`Outputs generated from ${shown.from.slice(0, 10)} to `);
    for (const field of ['outputs', 'reworkRate', 'lostHours', 'lostCost', 'grossSavedHours', 'netSavedHours']) {
      expect((await kpi(field)).value).toBeCloseTo(total[field], 6);
    }
    expect((await kpi('outputs')).text).toBe(total.outputs.toLocaleString('en-US'));
    expect((await kpi('reworkRate')).text).toBe(`${(total.reworkRate * 100).toFixed(1)}%`);
    expect((await kpi('lostHours')).text).toBe(`${Math.round(total.lostHours).toLocaleString('en-US')} h`);

    // By team: the rows a reader may see, and the small teams summed into one suppressed row.
    const byTeam = await api(`/v1/metrics/rework?${await shownQuery({ groupBy: 'team' })}`);
    const shownTeams = await page.getByTestId('breakdown-row').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-group'), row.querySelector('[data-field=outputs]')?.textContent]));
    expect(shownTeams.sort()).toEqual(byTeam.rows.map((row: Json) => [row.group, row.outputs.toLocaleString('en-US')]).sort());
    expect(byTeam.suppressed).not.toBeNull();
    expect(await page.getByTestId('suppressed-row').textContent()).toContain(`${byTeam.suppressed.rows} small groups (suppressed for privacy)`);
    expect(shownTeams.map(([team]) => team)).not.toContain('pilots');
    // Near the chart, what was withheld and why (privacy v2).
    expect(await page.getByTestId('withheld-breakdown').textContent()).toContain(`Figures of ${byTeam.suppressed.rows} groups withheld to protect small groups`);
    await screenshot('operations', true);
  }, 60_000);

  it('shows adoption and spend beside the rework figures: the seeded usage, by the same grouping, never by task type', async () => {
    await page.getByTestId('usage-kpis').waitFor();
    const usage = await api(`/v1/metrics/usage?${await shownQuery()}`);
    expect(usage.rows.length).toBeGreaterThan(0);
    // The seeded figures, as the API answers them (per month for a reader) and as the section shows them.
    const sum = (field: string) => usage.rows.reduce((total: number, row: Json) => total + row[field], 0);
    expect(sum('requests')).toBe(seededUsage.requests);
    expect((await kpi('usage-activeUsers')).value).toBe(seededUsage.activeUsers);
    expect((await kpi('usage-requests')).value).toBe(seededUsage.requests);
    expect((await kpi('usage-requests')).text).toBe(seededUsage.requests.toLocaleString('en-US'));
    expect((await kpi('usage-acceptanceRate')).value).toBeCloseTo(seededUsage.acceptanceRate, 9);
    expect((await kpi('usage-acceptanceRate')).text).toBe(`${(seededUsage.acceptanceRate * 100).toFixed(1)}%`);
    // One figure per currency, never added across them.
    expect((await kpi('usage-spend-EUR')).value).toBeCloseTo(seededUsage.spend.EUR, 9);
    expect((await kpi('usage-spend-USD')).value).toBeCloseTo(seededUsage.spend.USD, 9);
    expect((await kpi('usage-spend-USD')).text).toBe(`$${seededUsage.spend.USD.toFixed(2)}`);

    // By team, as the rework breakdown: six people in each team.
    const byTeam = await api(`/v1/metrics/usage?${await shownQuery({ groupBy: 'team' })}`);
    const shownTeams = await page.getByTestId('usage-row').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-group'), row.querySelector('[data-field=activeUsers]')?.textContent]));
    expect(shownTeams.sort()).toEqual(organisation.teams.map((team) => [team, '6']).sort());
    expect(new Set(byTeam.rows.map((row: Json) => row.group))).toEqual(new Set(organisation.teams));
    expect(await page.getByTestId('usage-withheld-breakdown').count()).toBe(byTeam.suppressed === null ? 0 : 1);

    // Usage has no task type: the section says so (and does not ask the API, which would answer 400).
    await page.getByTestId('filter-group-by').selectOption('taskType');
    await viewShows('data-group-by', 'taskType');
    await waitForOperations();
    expect(await page.getByTestId('usage-no-task-type').textContent()).toContain('Usage has no task type');
    expect(await page.getByTestId('usage-section').getByTestId('error').count()).toBe(0);
    expect((await kpi('usage-activeUsers')).value).toBe(seededUsage.activeUsers);
    await page.getByTestId('filter-group-by').selectOption('team');
    await viewShows('data-group-by', 'team');
    await waitForOperations();
  }, 60_000);

  it('shows Net AI value beside the rework figures, its formula written out, and why there is none when spend is in another currency', async () => {
    await page.getByTestId('net-value-section').waitFor();
    await page.getByTestId('net-value-loading').waitFor({ state: 'detached' });
    const value = await api(`/v1/metrics/value?${await shownQuery()}`);
    expect(value.rows.length).toBeGreaterThan(0);
    const sum = (field: string) => value.rows.reduce((total: number, row: Json) => total + row[field], 0);
    expect((await kpi('value-savedValue')).value).toBeCloseTo(sum('savedValue'), 6);
    expect((await kpi('value-lostCost')).value).toBeCloseTo(sum('lostCost'), 6);
    expect((await kpi('value-spend')).value).toBeCloseTo(sum('spend'), 6);
    // The cost of rework is the rework figures' own.
    expect((await kpi('value-lostCost')).value).toBeCloseTo((await kpi('lostCost')).value, 6);
    // The seeded Claude Code usage is billed in USD: no net value, and the reason, never a conversion.
    expect(value.rows.some((row: Json) => row.netAiValueUnavailable?.reason === 'VALUE.SPEND_IN_OTHER_CURRENCY')).toBe(true);
    expect(await page.getByTestId('kpi-value-netAiValue').getAttribute('data-value')).toBe('');
    expect(await page.getByTestId('net-value-formula').textContent()).toMatch(/^€[\d,]+ value of gross time saved − €[\d,]+ cost of rework − €[\d,]+ spend = no net value$/);
    expect(await page.getByTestId('net-value-unavailable').textContent()).toContain('of spend is in another currency than EUR');
  }, 60_000);

  it('given other filters, then the numbers change to those of the API for them', async () => {
    const before = await kpi('outputs');
    await page.getByTestId('filter-period').selectOption('30');
    await viewShows('data-bucket', 'day');
    await waitForOperations();
    const after = await kpi('outputs');
    const total = (await api(`/v1/metrics/rework?${await shownQuery()}`)).rows[0];
    expect(after.value).toBe(total.outputs);
    expect(after.value).toBeLessThan(before.value);

    await page.getByTestId('filter-group-by').selectOption('tool');
    await viewShows('data-group-by', 'tool');
    await waitForOperations();
    const byTool = await api(`/v1/metrics/rework?${await shownQuery({ groupBy: 'tool' })}`);
    const shown = await page.getByTestId('breakdown-row').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-group'), row.querySelector('[data-field=lostHours]')?.textContent]));
    expect(shown.sort()).toEqual(byTool.rows.map((row: Json) => [row.group, `${row.lostHours >= 10 ? Math.round(row.lostHours).toLocaleString('en-US') : row.lostHours.toFixed(1).replace(/\.0$/, '')} h`]).sort());
  }, 60_000);

  it('given a click on a team, then it drills down into that team', async () => {
    await page.getByTestId('filter-period').selectOption('90');
    await page.getByTestId('filter-group-by').selectOption('team');
    await viewShows('data-group-by', 'team');
    await waitForOperations();
    const team = (await page.getByTestId('breakdown-row').first().getAttribute('data-group')) as string;
    await page.getByTestId(`drill-${team}`).click();
    await page.getByTestId('drill-down').waitFor();
    await waitForOperations();
    expect(await page.getByTestId('operations-view').getAttribute('data-team')).toBe(team);
    const teamTotal = (await api(`/v1/metrics/rework?${await shownQuery()}`)).rows[0];
    expect((await kpi('outputs')).value).toBe(teamTotal.outputs);
    expect(await page.getByTestId('operations-headline').textContent()).toContain(`in team ${team} needed rework`);
    await screenshot('operations-team');
  }, 60_000);

  it('shows every course with its effect, interval, placebo check, ROI and an honest sentence', async () => {
    await page.getByTestId('tab-learning').click();
    await page.getByTestId('course-card').first().waitFor();
    const { courses } = await api('/v1/training/courses');
    expect(await page.getByTestId('course-card').count()).toBe(courses.length);
    expect(await page.getByTestId('chart-course-effect').locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-course-effect').locator('.recharts-errorBar').count()).toBeGreaterThan(0);
    for (const course of courses) {
      const impact = await api(`/v1/training/courses/${course.courseId}/impact`);
      const card = page.locator(`[data-testid=course-card][data-course="${course.courseId}"]`);
      const att = await card.locator('[data-field=att]').getAttribute('data-value');
      expect(att === '' ? null : Number(att)).toBe(impact.att);
      expect(await card.locator('[data-field=eligible]').textContent()).toBe(String(impact.trainees.eligible));
      const sentence = (await card.getByTestId('course-sentence').textContent()) as string;
      if (impact.significant && impact.att < 0 && !impact.placebo?.flagged) {
        expect(await card.getAttribute('data-verdict')).toBe('effective');
        expect(sentence).toMatch(new RegExp(`^Completing ${impact.title} cut rework by [0-9.]+ points \\(95% CI [0-9.]+–[0-9.]+\\) against colleagues not yet trained`));
      } else {
        expect(sentence).not.toMatch(/cut rework by/);
      }
      expect(await card.getByTestId('placebo-warning').count()).toBe(impact.placebo?.flagged ? 1 : 0);
    }
    await screenshot('learning', true);
  }, 120_000);

  it('shows the skills gaps of each team with the recommended courses', async () => {
    await page.getByTestId('tab-skills').click();
    await page.getByTestId('skills-headline').waitFor();
    const gaps = await api('/v1/skills/gaps');
    expect(await page.getByTestId('gap').count()).toBe(gaps.gaps.length);
    expect(await page.getByTestId('recommendation').count()).toBe(gaps.gaps.reduce((sum: number, gap: Json) => sum + gap.recommendations.length, 0));
    if (gaps.gaps.length > 0) expect(await page.getByTestId('chart-hotspots').locator('.recharts-bar-rectangle').count()).toBe(Math.min(12, gaps.gaps.length));
    await screenshot('skills', true);
    if (gaps.gaps.length > 0) {
      // From a team's hotspots to where that team loses time.
      await page.getByTestId('team-gaps').first().getByRole('link', { name: 'Where it loses time →' }).click();
      await waitForOperations();
      expect(await page.getByTestId('operations-view').getAttribute('data-team')).toBe(gaps.gaps[0].team);
    }
  }, 60_000);

  it('shows how to connect the AI tools, learning systems and CSV exports, filled with this address, and what the connectors ignored', async () => {
    // One OTLP export of a span that is not an AI output: ignored, and counted for the tenant.
    const span = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'GET /', endTimeUnixNano: '1772445600000000000' };
    const exported = await fetch(`${baseUrl}/otlp/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestOnly}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
    });
    expect(exported.status).toBe(200);
    await page.getByTestId('tab-connect').click();
    await page.getByTestId('config-claude-code').waitFor();
    expect(await page.getByTestId('config-claude-code').textContent()).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${baseUrl}/otlp`);
    expect(JSON.parse((await page.getByTestId('config-managed-settings').textContent()) ?? '')).toMatchObject({ env: { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_LOGS_EXPORTER: 'otlp' } });
    expect(await page.getByTestId('config-copilot-api').textContent()).toContain(`npm run cli -- import copilot --org <github org> --url ${baseUrl} --api-key`);
    expect(await page.getByTestId('config-copilot').textContent()).toContain('export GITHUB_TOKEN=');
    expect(await page.getByTestId('config-copilot').textContent()).toContain('npm run cli -- import copilot --tenant <tenant> --org <github org>');
    // An LMS's LRS settings: this instance's xAPI endpoint, Basic auth with an ingest key; the command that makes one.
    expect(await page.getByTestId('lrs-endpoint').locator('code').textContent()).toBe(`${baseUrl}/v1/xapi`);
    expect(await page.getByTestId('lrs-endpoint').textContent()).toContain(`${baseUrl}/v1/xapi/`);
    expect(await page.getByTestId('lrs-password').textContent()).toMatch(/ingest scope.*lrs scope/);
    expect(await page.getByTestId('lrs-authentication').textContent()).toContain('HTTP Basic');
    expect(await page.getByTestId('lrs-version').textContent()).toContain('1.0.3 or 2.0.0');
    expect(await page.getByTestId('config-lrs-key').textContent()).toBe('npm run cli -- keys create --tenant <tenant> --scopes ingest');
    // The three CSV imports, through this instance's API and through the database.
    const csvApi = ((await page.getByTestId('config-csv-api').textContent()) ?? '').split('\n');
    const csvDatabase = ((await page.getByTestId('config-csv').textContent()) ?? '').split('\n');
    expect(csvApi.map((line) => line.split(' --url ')[0])).toEqual(['directory <workers.csv>', 'courses <catalogue.csv>', 'completions <completions.csv>'].map((args) => `npm run cli -- import ${args}`));
    for (const line of csvApi) expect(line).toContain(` --url ${baseUrl} --api-key "<ingest key>"`);
    expect(csvDatabase.map((line) => line.split(' [')[0])).toEqual(
      ['directory <workers.csv>', 'courses <catalogue.csv>', 'completions <completions.csv>'].map((args) => `npm run cli -- import ${args} --tenant <tenant>`),
    );
    await page.getByTestId('connector-record').first().waitFor();
    expect(await page.getByTestId('connector-record').allTextContents()).toEqual([expect.stringContaining('span.not-an-output')]);
    await screenshot('connect', true);
  }, 60_000);

  it('keeps the key for the session and fits a tablet screen', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.goto(`${baseUrl}/#/operations`);
    await waitForOperations();
    expect(await page.getByTestId('key-form').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= (globalThis as any).innerWidth)).toBe(true);
    await screenshot('operations-tablet');
  }, 60_000);

  it('given a key without the read scope, then it says so; given a tenant without events, then it says how to send some', async () => {
    const tab = await context.newPage();
    try {
      await tab.setViewportSize({ width: 1280, height: 900 });
      await tab.goto(baseUrl);
      await tab.getByTestId('key-input').fill(ingestOnly);
      await tab.getByTestId('key-submit').click();
      await tab.getByTestId('key-error').waitFor();
      expect(await tab.getByTestId('key-error').textContent()).toContain('This API key may not see this (AUTH.MISSING_SCOPE)');

      await tab.getByTestId('key-input').fill(emptyTenant);
      await tab.getByTestId('key-submit').click();
      await tab.getByTestId('empty').waitFor();
      expect(await tab.getByTestId('empty').textContent()).toContain('No AI outputs were recorded for your organisation in this period.');
      expect(await tab.getByTestId('empty').textContent()).toContain('npm run cli -- demo load');
      // No usage either: how to connect the tools, one click away.
      await tab.getByTestId('usage-empty').waitFor();
      expect(await tab.getByTestId('usage-empty').textContent()).toContain('No usage recorded for your organisation in this period: connect your tools');
      expect(await tab.getByTestId('usage-empty').getByRole('link', { name: 'connect your tools' }).getAttribute('href')).toBe('#/connect');
      await tab.getByTestId('tab-learning').click();
      await tab.getByTestId('empty').waitFor();
      expect(await tab.getByTestId('empty').textContent()).toContain('No course is registered yet');
    } finally {
      await tab.close();
    }
  }, 60_000);
});
