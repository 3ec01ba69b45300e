// Real-browser checks of the govsearch pages in Debian's headless Chromium.
//
//   node tests/browser/run.mjs BASE_URL OUT_DIR
//
// BASE_URL is a running server over the fixture catalogue of tests/browser.rs;
// OUT_DIR receives screenshots. Every scenario runs; failures are listed at the
// end and the exit status is 1 if there was any.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node run.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const axeSource = readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const q = (s) => encodeURIComponent(s);
const RESULTS = `/search?q=${q('电动自行车')}`;
const DOCUMENT = '/documents/gdga-2020-3';
const XSS_DOC = '/documents/xss-1';

class Failure extends Error {}
function check(cond, message) {
  if (!cond) throw new Failure(message);
}

// Run in the page: the focused element, whether its focus indicator is
// visible, and which of `targets` (name → selector) it matches.
const focusState = (targets) => {
  const el = document.activeElement;
  if (!el || el === document.body) return { desc: 'body', matched: [] };
  const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
  const desc = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} "${(el.textContent || el.value || '').trim().slice(0, 30)}"`;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const ind = {
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
    onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth,
    style: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
    rect: [r.left, r.top, r.width, r.height].map(Math.round),
  };
  // WCAG 1.4.11: the indicator needs 3:1 against what is around it.
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bgEl = el.parentElement;
  while (bgEl && (getComputedStyle(bgEl).backgroundColor === 'rgba(0, 0, 0, 0)' || getComputedStyle(bgEl).backgroundColor === 'transparent')) bgEl = bgEl.parentElement;
  const bg = bgEl ? getComputedStyle(bgEl).backgroundColor : 'rgb(255, 255, 255)';
  const [l1, l2] = [lum(rgb(s.outlineColor)), lum(rgb(bg))].sort((x, y) => y - x);
  ind.contrast = Math.round(((l1 + 0.05) / (l2 + 0.05)) * 100) / 100;
  ind.style += ` on ${bg}`;
  const matched = Object.entries(targets).filter(([, sel]) => el.matches(sel)).map(([n]) => n);
  return { desc, ind, matched };
};

// Run in the page: horizontal overflow and the elements that stick out.
const overflow = () => {
  const vw = document.documentElement.clientWidth;
  const sw = document.documentElement.scrollWidth;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if ((r.right > vw + 1 && r.width > 0) || el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible') {
      const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
      culprits.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(r.right)}`);
    }
  }
  return { vw, sw, innerWidth, culprits: culprits.slice(0, 8) };
};

if (!existsSync(executablePath)) {
  console.error(`no Chromium at ${executablePath}: apt-get install chromium (or set CHROMIUM=/path/to/chrome)`);
  process.exit(1);
}
try {
  if (!execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim()) {
    console.log('note: no Chinese font installed; pages still render but screenshots show boxes (apt-get install fonts-noto-cjk)');
  }
} catch {
  // no fontconfig tools: nothing to say
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  // Playwright gives every launch a fresh temporary profile (user-data dir)
  // and removes it at close.
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

const failures = [];
const problems = []; // console errors, page errors, CSP violations, dialogs: reported per scenario

async function newPage(options = {}) {
  const ctx = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: { width: 1280, height: 900 }, ...options });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    // The not-found page is answered 404 on purpose.
    if (m.type() === 'error' && m.text().includes('404') && new URL(page.url()).pathname === '/no-such-page') return;
    if (m.type() === 'error') problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on('dialog', async (d) => {
    problems.push(`unexpected dialog on ${page.url()}: ${d.message()}`);
    await d.dismiss();
  });
  return { ctx, page };
}

async function scenario(name, fn) {
  const t0 = Date.now();
  problems.length = 0;
  let ctx;
  try {
    ctx = await fn();
    check(problems.length === 0, `browser reported problems:\n    ${problems.join('\n    ')}`);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    const msg = e instanceof Failure ? e.message : (e && e.stack) || String(e);
    failures.push(`${name}: ${msg}`);
    console.log(`FAIL ${name}: ${msg}`);
  } finally {
    if (ctx && ctx.close) await ctx.close().catch(() => {});
  }
}

async function hitCount(page) {
  return page.locator('ol.hits > li.hit').count();
}

// 1. Type a query, press Enter: a results page with highlighted matches.
await scenario('search box + Enter gives highlighted results', async () => {
  const { ctx, page } = await newPage();
  await page.goto('/');
  await page.locator('#q').fill('电动自行车');
  await Promise.all([page.waitForURL(/\/search\?/), page.locator('#q').press('Enter')]);
  const url = new URL(page.url());
  check(url.searchParams.get('q') === '电动自行车', `URL after Enter is ${page.url()}`);
  const n = await hitCount(page);
  check(n >= 2, `expected at least 2 hits for 电动自行车, got ${n}`);
  const titleMarks = await page.locator('ol.hits li.hit h2 a mark').count();
  const snippetMarks = await page.locator('ol.hits li.hit .snippet mark').count();
  check(titleMarks > 0, 'no <mark> in any result title');
  check(snippetMarks > 0, 'no <mark> in any result snippet');
  const markText = await page.locator('ol.hits li.hit h2 a mark').first().innerText();
  check(markText.includes('电动自行车'), `highlighted title text is ${JSON.stringify(markText)}`);
  check((await page.locator('#q').inputValue()) === '电动自行车', 'the search box does not keep the query');
  return ctx;
});

// 2. Suggestions while typing, chosen with the keyboard.
await scenario('suggestions appear while typing and are keyboard-selectable', async () => {
  const { ctx, page } = await newPage();
  await page.goto('/');
  const input = page.locator('#q');
  await input.click();
  await page.keyboard.type('广东省公安', { delay: 40 });
  const options = page.locator('#suggestions[role="listbox"]:not([hidden]) li[role="option"]');
  await options.first().waitFor({ state: 'visible' });
  const texts = await options.allInnerTexts();
  check(texts.some((t) => t.includes('电动自行车登记管理')), `suggestions: ${JSON.stringify(texts)}`);
  check((await input.getAttribute('role')) === 'combobox', 'search box is not a combobox');
  check((await input.getAttribute('aria-expanded')) === 'true', 'aria-expanded is not true with suggestions shown');
  // Escape closes, typing again reopens.
  await page.keyboard.press('Escape');
  await page.locator('#suggestions').waitFor({ state: 'hidden' });
  await page.keyboard.type('厅', { delay: 40 });
  await options.first().waitFor({ state: 'visible' });
  await page.keyboard.press('ArrowDown');
  const first = options.first();
  check((await first.getAttribute('aria-selected')) === 'true', 'ArrowDown did not select the first suggestion');
  const firstId = await first.getAttribute('id');
  check(firstId && (await input.getAttribute('aria-activedescendant')) === firstId, 'aria-activedescendant does not point at the selected option');
  const chosen = (await first.innerText()).trim();
  await Promise.all([page.waitForURL(/\/search\?/), page.keyboard.press('Enter')]);
  const got = new URL(page.url()).searchParams.get('q');
  check(got === chosen, `Enter on suggestion ${JSON.stringify(chosen)} searched for ${JSON.stringify(got)}`);
  check((await hitCount(page)) >= 1, `no results for the chosen suggestion ${chosen}`);
  return ctx;
});

// 3. A category facet filters the results.
await scenario('category facet filters the results', async () => {
  const { ctx, page } = await newPage();
  await page.goto(RESULTS);
  const before = await hitCount(page);
  const facet = page.locator('section.facet[aria-labelledby="f-category"] a', { hasText: '政策解读' });
  check((await facet.count()) === 1, 'no 政策解读 link in the category facet');
  const label = await facet.innerText();
  const expected = Number((label.match(/\((\d+)\)/) || [])[1]);
  await Promise.all([page.waitForURL(/category=/), facet.click()]);
  const url = new URL(page.url());
  check(url.searchParams.get('category') === '政策解读', `URL after facet click: ${page.url()}`);
  check(url.searchParams.get('q') === '电动自行车', `facet link dropped the query: ${page.url()}`);
  const after = await hitCount(page);
  check(after === expected && after < before, `facet said ${expected}, page shows ${after} (before: ${before})`);
  const cats = await page.locator('ol.hits li.hit .cat').allInnerTexts();
  check(cats.length === after && cats.every((c) => c === '政策解读'), `categories shown after filtering: ${JSON.stringify(cats)}`);
  const current = page.locator('section.facet[aria-labelledby="f-category"] [aria-current="true"]');
  check((await current.innerText()).startsWith('政策解读'), 'the chosen facet is not marked aria-current');
  return ctx;
});

// 3b. Instant filtering: the facet click and a sort change load in place
// (no new page load), the URL follows, focus goes to the results heading,
// and Back restores the unfiltered results.
await scenario('facets and sort filter in place; Back restores', async () => {
  const { ctx, page } = await newPage();
  await page.goto(RESULTS);
  const before = await hitCount(page);
  await page.evaluate(() => { window.__samePage = true; });
  const facet = page.locator('section.facet[aria-labelledby="f-category"] a', { hasText: '政策解读' });
  await Promise.all([page.waitForURL(/category=/), facet.click()]);
  await page.waitForFunction(() => !document.getElementById('main').hasAttribute('aria-busy'));
  check(await page.evaluate(() => window.__samePage === true), 'the facet click reloaded the whole page');
  const cats = await page.locator('ol.hits li.hit .cat').allInnerTexts();
  check(cats.length > 0 && cats.every((c) => c === '政策解读'), `categories after in-place filtering: ${JSON.stringify(cats)}`);
  check(await page.evaluate(() => document.activeElement && document.activeElement.id === 'results-h'), 'focus did not move to the results heading');
  await Promise.all([page.waitForURL(/sort=date/), page.locator('#sort').selectOption('date')]);
  await page.waitForFunction(() => !document.getElementById('main').hasAttribute('aria-busy'));
  check(await page.evaluate(() => window.__samePage === true), 'the sort change reloaded the whole page');
  const dates = await page.locator('ol.hits li.hit time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
  check(dates.length > 0 && dates.every((d, i) => i === 0 || dates[i - 1] >= d), `dates not newest first: ${JSON.stringify(dates)}`);
  await page.goBack();
  await page.goBack();
  await page.waitForFunction(() => !location.search.includes('category='));
  await page.waitForFunction((n) => document.querySelectorAll('ol.hits > li.hit').length === n, before);
  check((await page.locator('section.facet[aria-labelledby="f-category"] [aria-current="true"]').count()) === 0, 'Back did not restore the unfiltered results');
  return ctx;
});

// 4. Open a document from the results: its metadata table.
await scenario('document page shows the metadata table', async () => {
  const { ctx, page } = await newPage();
  await page.goto(`/search?q=${q('粤公规2020 3号')}`);
  const link = page.locator('ol.hits li.hit h2 a').first();
  check((await link.innerText()).includes('电动自行车登记管理的通告'), `first hit for the 文号 is ${await link.innerText()}`);
  await Promise.all([page.waitForURL(/\/documents\//), link.click()]);
  const table = page.locator('table.metadata');
  await table.waitFor({ state: 'visible' });
  const want = { 发布机构: '广东省公安厅', 发文字号: '粤公规〔2020〕3号', 发布日期: '2020-03-15' };
  for (const [k, v] of Object.entries(want)) {
    const cell = table.locator('tr', { has: page.locator('th', { hasText: k }) }).locator('td');
    check((await cell.count()) === 1, `metadata row ${k} missing`);
    check(await cell.isVisible(), `metadata row ${k} not visible`);
    const text = (await cell.innerText()).trim();
    check(text === v, `metadata ${k} is ${JSON.stringify(text)}, want ${JSON.stringify(v)}`);
  }
  const h1 = await page.locator('h1').innerText();
  check(h1.includes('广东省公安厅关于电动自行车登记管理的通告'), `h1: ${h1}`);
  check(await page.locator('.text p', { hasText: '方可上道路行驶' }).isVisible(), 'body text not visible');
  // The document with validity 失效 says so.
  await page.goto('/documents/gz-2015-2');
  check(await page.locator('h1 .badge', { hasText: '失效' }).isVisible(), 'no 失效 badge on an expired document');
  return ctx;
});

// 5. Keyboard only: skip link, search box, button, a result; focus always visible.
await scenario('keyboard: Tab reaches skip link, search box, button and results with visible focus', async () => {
  const { ctx, page } = await newPage();
  await page.goto(RESULTS);
  const reached = {};
  const targets = {
    skip: 'a.skip',
    search: '#q',
    submit: 'form.search button[type="submit"]',
    result: 'ol.hits li.hit h2 a',
  };
  const seen = [];
  for (let i = 0; i < 80 && Object.keys(reached).length < Object.keys(targets).length; i++) {
    await page.keyboard.press('Tab');
    const st = await page.evaluate(focusState, targets);
    seen.push(st.desc);
    check(st.ind, `Tab left the page after ${seen.join(' → ')}`);
    check(st.ind.outline, `focus not visible on ${st.desc} (outline: ${st.ind.style})`);
    check(st.ind.contrast >= 3, `focus outline of ${st.desc} has contrast ${st.ind.contrast}:1 (${st.ind.style}), under 3:1`);
    check(st.ind.onScreen, `focused element ${st.desc} is off screen (${st.ind.rect})`);
    for (const name of st.matched) if (!reached[name]) reached[name] = i + 1;
  }
  for (const name of Object.keys(targets)) {
    check(reached[name], `Tab never reached ${name} (${targets[name]}); focus order: ${seen.join(' → ')}`);
  }
  check(reached.skip === 1, `the skip link is not the first Tab stop (order: ${seen.join(' → ')})`);
  check(reached.skip < reached.search && reached.search < reached.submit && reached.submit < reached.result, `focus order: ${JSON.stringify(reached)}`);
  // The skip link moves focus to the main content.
  await page.goto(RESULTS);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const activeId = await page.evaluate(() => document.activeElement && document.activeElement.id);
  check(activeId === 'main', `after the skip link, focus is on #${activeId}, not #main`);
  // Enter on a focused result opens it.
  await page.locator('ol.hits li.hit h2 a').first().focus();
  await Promise.all([page.waitForURL(/\/documents\//), page.keyboard.press('Enter')]);
  return ctx;
});

// 6. Crawled HTML renders as text and never runs.
await scenario('XSS fixture renders as text and does not run', async () => {
  const { ctx, page } = await newPage();
  await page.goto(`/search?q=${q('转义测试')}`);
  check((await hitCount(page)) >= 1, 'no result for 转义测试');
  const title = await page.locator('ol.hits li.hit h2 a').first().innerText();
  check(title.includes('<script>window.__xss=1</script>'), `result title does not show the markup as text: ${title}`);
  check((await page.evaluate(() => typeof window.__xss)) === 'undefined', 'window.__xss was set on the results page');
  await Promise.all([page.waitForURL(/\/documents\//), page.locator('ol.hits li.hit h2 a').first().click()]);
  const h1 = await page.locator('h1').innerText();
  check(h1.includes('<script>window.__xss=1</script>关于转义测试的通知'), `document h1: ${h1}`);
  const body = page.locator('.text', { hasText: '<img src=x onerror="window.__xss=2">' });
  check(await body.isVisible(), 'the <img …> of the body is not shown as text');
  check((await page.locator('article img, article script').count()) === 0, 'the document body produced elements');
  await page.waitForTimeout(200);
  check((await page.evaluate(() => typeof window.__xss)) === 'undefined', 'window.__xss was set on the document page');
  // And the suggestions (built by app.js) stay text too.
  await page.goto('/');
  await page.locator('#q').click();
  await page.keyboard.type('<script>', { delay: 30 });
  await page.waitForTimeout(500);
  check((await page.evaluate(() => typeof window.__xss)) === 'undefined', 'window.__xss was set by suggestions');
  return ctx;
});

// 7. Without JavaScript the form still searches.
await scenario('works without JavaScript', async () => {
  const { ctx, page } = await newPage({ javaScriptEnabled: false });
  await page.goto('/');
  await page.locator('#q').fill('政府信息公开');
  await Promise.all([page.waitForURL(/\/search\?/), page.locator('form.search button[type="submit"]').click()]);
  check((await page.locator('#q').getAttribute('role')) === null, 'app.js ran although JavaScript is off');
  check((await hitCount(page)) >= 1, 'no results without JavaScript');
  const first = await page.locator('ol.hits li.hit h2 a').first().innerText();
  check(first.includes('政府信息公开条例'), `first result without JavaScript: ${first}`);
  // Facets and the document page are plain links.
  await page.locator('ol.hits li.hit h2 a').first().click();
  await page.locator('table.metadata').waitFor({ state: 'visible' });
  // Large text switch is a link + cookie, no script.
  await page.goto(RESULTS);
  await Promise.all([page.waitForURL((u) => u.pathname === '/search'), page.locator('a', { hasText: '大字版' }).click()]);
  check(await page.locator('body.large').count() === 1, 'large text did not switch on without JavaScript');
  check(await page.locator('a', { hasText: '标准字号' }).isVisible(), 'no way back to normal text size');
  return ctx;
});

// 7b. A mistyped word: the correction is a plain link, reached by keyboard; the feed link too.
await scenario('a wrong homophone is offered as a link; the search is also a feed', async () => {
  const { ctx, page } = await newPage();
  await page.goto(`/search?q=${q('电动自形车')}`);
  const offer = page.locator('.did-you-mean a');
  check(await offer.count() === 1, 'no 您是不是要找 link for 电动自形车');
  check((await offer.innerText()) === '电动自行车', `offered ${JSON.stringify(await offer.innerText())}`);
  check((await page.locator('#q').inputValue()) === '电动自形车', 'the query was replaced, not offered');
  await offer.focus();
  await Promise.all([page.waitForURL((u) => u.searchParams.get('q') === '电动自行车'), page.keyboard.press('Enter')]);
  check(await hitCount(page) >= 2, 'the correction finds the documents');
  const feed = page.locator('a[type="application/atom+xml"]');
  check(await feed.count() === 1, 'no visible feed link');
  check((await feed.getAttribute('href')) === `/search.atom?q=${encodeURIComponent('电动自行车')}`, 'feed link is not this search');
  return ctx;
});

// 8. axe-core: no serious or critical violations.
const axePages = [
  ['home', '/'],
  ['results', RESULTS],
  ['results, did you mean', `/search?q=${q('电动自形车')}`],
  ['results, pinyin', `/search?q=diandong`],
  ['results, no hits', `/search?q=${q('不存在的词语组合')}&category=${q('规范性文件')}`],
  ['document', DOCUMENT],
  ['XSS document', XSS_DOC],
  ['staff tally', '/staff/tally?year=2020'],
  ['staff tally list', '/staff/tally/list?year=2020&list=all'],
  ['staff audit', `/staff/audit?as_of=2021-06-30`],
  ['not found', '/no-such-page'],
];
for (const large of [false, true]) {
  await scenario(`axe-core: no serious or critical violations${large ? ' (large text)' : ''}`, async () => {
    // Pages are checked under their real CSP; axe is evaluated over the
    // DevTools protocol, which the page's CSP does not govern.
    const { ctx, page } = await newPage();
    if (large) await ctx.addCookies([{ name: 'gs_text', value: 'large', url: base }]);
    const bad = [];
    let moderate = 0;
    for (const [name, url] of axePages) {
      await page.goto(url);
      await page.evaluate(axeSource);
      const res = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ')}`),
        }));
      });
      for (const v of res) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          bad.push(`${name} (${url}): [${v.impact}] ${v.id}: ${v.help}\n      ${v.nodes.slice(0, 5).join('\n      ')}`);
        } else {
          moderate++;
          console.log(`     note: ${name}: [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} nodes)`);
        }
      }
    }
    console.log(`     axe: ${axePages.length} pages, ${bad.length} serious/critical, ${moderate} minor/moderate`);
    check(bad.length === 0, `axe violations:\n    ${bad.join('\n    ')}`);
    return ctx;
  });
}

// 9. Small screens and zoom: no horizontal scrolling.
const widths = [
  [360, 1, 'phone 360 px'],
  [640, 2, '200% zoom of a 1280 px window'],
  [320, 1, 'WCAG reflow, 320 CSS px (400% zoom)'],
];
await scenario('no horizontal scroll at 360 px, 200% zoom and 320 px', async () => {
  const bad = [];
  for (const large of [false, true]) {
    for (const [width, dsf, what] of widths) {
      const { ctx, page } = await newPage({ viewport: { width, height: 800 }, deviceScaleFactor: dsf });
      if (large) await ctx.addCookies([{ name: 'gs_text', value: 'large', url: base }]);
      for (const url of ['/', RESULTS, DOCUMENT, XSS_DOC, '/staff/tally?year=2020', '/staff/audit?as_of=2021-06-30']) {
        await page.goto(url);
        const o = await page.evaluate(overflow);
        if (o.sw > width + 1) bad.push(`${url} at ${what}${large ? ', large text' : ''}: scrollWidth ${o.sw} > ${width}; sticking out: ${o.culprits.join(', ')}`);
      }
      await ctx.close();
    }
  }
  check(bad.length === 0, `horizontal overflow:\n    ${bad.join('\n    ')}`);
  return null;
});

// 10. Screenshots for people to look at.
await scenario(`screenshots into ${outDir}`, async () => {
  for (const width of [1280, 360]) {
    const { ctx, page } = await newPage({ viewport: { width, height: width === 360 ? 740 : 900 } });
    for (const [name, url] of [['results', RESULTS], ['document', DOCUMENT]]) {
      await page.goto(url);
      const file = path.join(outDir, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`     saved ${file}`);
    }
    await ctx.close();
  }
  return null;
});

await browser.close();
if (failures.length) {
  console.log(`\n${failures.length} browser scenario(s) failed:`);
  for (const f of failures) console.log(` - ${f}`);
  process.exit(1);
}
console.log('\nall browser scenarios passed');
