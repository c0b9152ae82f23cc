// A first, dependency-free dashboard: rework by team and by week, from GET /v1/metrics/rework.
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rework Ledger</title>
<style>
 body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
 header{background:#1d2430;color:#fff;padding:16px 24px} header h1{margin:0;font-size:20px}
 main{padding:16px 24px;max-width:1100px;margin:auto} .card{background:#fff;border-radius:8px;padding:16px;margin-bottom:16px;box-shadow:0 1px 3px #0002}
 table{border-collapse:collapse;width:100%} th,td{padding:6px 8px;text-align:right;border-bottom:1px solid #e5e7eb} th:first-child,td:first-child{text-align:left}
 .kpis{display:flex;gap:16px;flex-wrap:wrap} .kpi{flex:1;min-width:160px} .kpi b{display:block;font-size:26px}
 input,select,button{font:inherit;padding:6px} .error{color:#b42318} .bar{background:#e4572e;height:10px;border-radius:3px}
</style></head>
<body><header><h1>Rework Ledger</h1><div>Where AI productivity leaks into rework</div></header>
<main>
 <div class="card"><label>API key <input id="key" type="password" size="50" placeholder="rl_..."></label>
  <label>Group by <select id="groupBy"><option>team</option><option>tool</option><option>taskType</option><option>model</option></select></label>
  <button id="load">Show</button> <span id="status"></span></div>
 <div class="card kpis" id="kpis"></div>
 <div class="card"><h2>By <span id="groupName">team</span></h2><table id="groups"></table></div>
 <div class="card"><h2>Rework rate by week</h2><table id="weeks"></table></div>
 <p><a href="/docs">API documentation</a> · <a href="/v1/projections">Projection status</a> · <a href="/health">Health</a></p>
</main>
<script>
const keyInput = document.getElementById('key');
keyInput.value = sessionStorage.getItem('apiKey') || '';
const pct = (v) => v === null ? '–' : (v * 100).toFixed(1) + '%';
const num = (v, d = 0) => Number(v).toLocaleString(undefined, { maximumFractionDigits: d });
async function api(path) {
  const response = await fetch(path, { headers: { Authorization: 'Bearer ' + keyInput.value } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}
async function load() {
  const status = document.getElementById('status');
  sessionStorage.setItem('apiKey', keyInput.value);
  status.textContent = 'Loading…'; status.className = '';
  try {
    const groupBy = document.getElementById('groupBy').value;
    document.getElementById('groupName').textContent = groupBy;
    const [total, groups, weeks] = await Promise.all([
      api('/v1/metrics/rework'), api('/v1/metrics/rework?groupBy=' + groupBy), api('/v1/metrics/rework?bucket=week')]);
    const t = total.rows[0] || { outputs: 0, reworkRate: null, lostHours: 0, lostCost: 0, netSavedHours: 0, grossSavedHours: 0 };
    document.getElementById('kpis').innerHTML = [
      ['AI outputs', num(t.outputs)], ['Rework rate', pct(t.reworkRate)], ['Hours lost to rework', num(t.lostHours)],
      ['Cost of rework', num(t.lostCost) + ' ' + total.currency], ['Gross hours saved', num(t.grossSavedHours)], ['Net hours saved', num(t.netSavedHours)]]
      .map(([label, value]) => '<div class="kpi">' + label + '<b>' + value + '</b></div>').join('');
    const maxLost = Math.max(1, ...groups.rows.map((r) => r.lostHours));
    document.getElementById('groups').innerHTML = '<tr><th>' + groupBy + '</th><th>Outputs</th><th>Rework rate</th><th>Lost hours</th><th></th><th>Lost cost</th><th>Net saved h</th></tr>' +
      groups.rows.map((r) => '<tr><td>' + r.group + '</td><td>' + num(r.outputs) + '</td><td>' + pct(r.reworkRate) + '</td><td>' + num(r.lostHours) +
        '</td><td style="width:20%"><div class="bar" style="width:' + (100 * r.lostHours / maxLost) + '%"></div></td><td>' + num(r.lostCost) + '</td><td>' + num(r.netSavedHours) + '</td></tr>').join('');
    document.getElementById('weeks').innerHTML = '<tr><th>Week of</th><th>Outputs</th><th>Rework rate</th><th>Double-check rate</th><th>Lost hours</th></tr>' +
      weeks.rows.map((r) => '<tr><td>' + r.bucket.slice(0, 10) + '</td><td>' + num(r.outputs) + '</td><td>' + pct(r.reworkRate) + '</td><td>' + pct(r.doubleCheckRate) + '</td><td>' + num(r.lostHours) + '</td></tr>').join('');
    status.textContent = '';
  } catch (error) { status.textContent = error.message; status.className = 'error'; }
}
document.getElementById('load').addEventListener('click', load);
if (keyInput.value) load();
</script></body></html>`;
