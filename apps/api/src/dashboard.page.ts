/** The one inline style of the page below: the Content-Security-Policy allows it by its hash (security-headers.ts). */
export const DASHBOARD_NOT_BUILT_STYLE =
  'body{font-family:system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px;color:#1d2430}code{background:#eef0f3;padding:2px 4px;border-radius:4px}';

// Served at GET / when the dashboard has not been built (e.g. the server was compiled with tsc alone).
export const DASHBOARD_NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rework Ledger</title>
<style>${DASHBOARD_NOT_BUILT_STYLE}</style>
</head><body>
<h1>Rework Ledger</h1>
<p>The API is running, but the dashboard has not been built.</p>
<p>Build it with <code>npm run build</code> (or <code>npm run build:dashboard</code>) and reload this page;
<code>npm start</code> builds everything before it starts.</p>
<p>Meanwhile: <a href="/docs">API documentation</a> · <a href="/health">health</a>.</p>
</body></html>`;
