// rstscope web view: plain JS, no build. Hash routes: #/ findings, #/flow/<key>, #/segments, #/points.
'use strict';
const main = document.getElementById('main');
const statusEl = document.getElementById('status');
let timer = null;

function esc(s) { return String(s ?? '').replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c])); }

async function api(path) {
  const r = await fetch(path, {headers: {Accept: 'application/json'}});
  if (!r.ok) {
    let msg = r.status + '';
    try { msg += ': ' + (await r.json()).error; } catch (e) { /* not JSON */ }
    const err = new Error(msg); err.status = r.status; throw err;
  }
  return r;
}

function route() {
  if (timer) { clearInterval(timer); timer = null; }
  const h = location.hash || '#/';
  if (h.startsWith('#/flow/')) return flowView(decodeURIComponent(h.substring(7)));
  if (h === '#/segments') return segmentsView();
  if (h === '#/points') return pointsView();
  return findingsView();
}

function findingsView() {
  main.innerHTML = `<h2>Recent findings <small>(live)</small></h2>
    <div class="filters">address <input id="f-address" size="16"> cause <input id="f-cause" size="14">
    emitter <select id="f-emitter"><option></option><option>client</option><option>server</option><option>middlebox</option><option>unknown</option></select>
    segment <input id="f-segment" size="10"></div><div id="findings"></div>`;
  const load = async () => {
    const q = new URLSearchParams();
    for (const k of ['address', 'cause', 'emitter', 'segment']) {
      const v = document.getElementById('f-' + k)?.value; if (v) q.set(k, v);
    }
    try {
      const data = await (await api('/api/findings?' + q)).json();
      renderFindings(data.findings);
      statusEl.textContent = 'updated ' + new Date().toLocaleTimeString();
    } catch (e) { statusEl.textContent = 'findings: ' + e.message; }
  };
  for (const el of main.querySelectorAll('.filters input, .filters select')) el.addEventListener('change', load);
  load();
  timer = setInterval(load, 2000);
}

function flowKeyOf(f) { return f.flow.client + '-' + f.flow.server; }

function renderFindings(list) {
  const el = document.getElementById('findings');
  if (!el) return;
  if (!list.length) { el.innerHTML = '<p>No findings yet.</p>'; return; }
  el.innerHTML = '<table><tr><th>time</th><th>RST</th><th>cause</th><th>emitter</th><th>location</th><th>phase</th><th>flow</th></tr>' +
    list.map(f => `<tr class="finding${f.forged ? ' forged' : ''}" data-flow="${esc(flowKeyOf(f))}" data-finding="${esc(f.finding_id)}">
      <td>${esc(f.rst_time.substring(11, 26))}</td><td><code>${esc(f.rst.src)} → ${esc(f.rst.dst)} ${esc(f.rst.flags)}</code></td>
      <td><b>${esc(f.cause)}</b></td><td>${esc(f.emitter)}${f.forged ? ' <span class="tag forged">forged</span>' : ''}</td>
      <td>${esc(f.location)}</td><td>${esc(f.phase)}</td><td><code>${esc(f.flow.client)} → ${esc(f.flow.server)}</code></td></tr>`).join('') + '</table>';
  for (const tr of el.querySelectorAll('tr.finding')) {
    tr.addEventListener('click', () => { location.hash = '#/flow/' + encodeURIComponent(tr.dataset.flow); });
  }
}

async function flowView(key) {
  main.innerHTML = `<h2>Flow <code>${esc(key)}</code></h2><div id="flow">loading…</div>`;
  const box = document.getElementById('flow');
  try {
    const flow = await (await api('/api/flows/' + encodeURIComponent(key))).json();
    const svg = await (await api('/api/flows/' + encodeURIComponent(key) + '/ladder.svg')).text();
    box.innerHTML = `<p>client <code>${esc(flow.client)}</code> · server <code>${esc(flow.server)}</code> · roles from ${esc(flow.roles_from)}
      · community_id <code>${esc(flow.community_id)}</code> · path ${esc(flow.path.join(' → '))} · held by ${esc(flow.held_by)}</p>
      <div class="ladder-box" id="ladder">${svg}</div>` +
      flow.findings.map(f => `<div class="finding-detail${f.forged ? ' forged' : ''}"><h3>${esc(f.rst.flags)} ${esc(f.rst.src)} → ${esc(f.rst.dst)}:
        ${esc(f.cause)} (${esc(f.phase)}), emitter ${esc(f.emitter)} at ${esc(f.location)}${f.forged ? ' <span class="tag forged">forged</span>' : ''}
        confidence ${f.confidence}</h3><ul class="evidence">${f.evidence.map(e => `<li><code>${esc(e.code)}</code> ${esc(e.detail)}</li>`).join('')}</ul>
        <p><b>Recommendation:</b> ${esc(f.recommendation)}</p></div>`).join('');
  } catch (e) { box.innerHTML = `<p class="err">${esc(e.message)}</p>`; }
}

async function segmentsView() {
  main.innerHTML = '<h2>Path segments</h2><div id="segs">loading…</div>';
  const load = async () => {
    try {
      const data = await (await api('/api/segments')).json();
      document.getElementById('segs').innerHTML = data.segments.length ? '<table><tr><th>segment</th><th>located RSTs</th></tr>' +
        data.segments.map(s => `<tr><td><a href="#/" onclick="setTimeout(()=>{const i=document.getElementById('f-segment');i.value='${esc(s.segment)}';i.dispatchEvent(new Event('change'))},50)">${esc(s.segment)}</a></td><td>${s.rsts}</td></tr>`).join('') + '</table>'
        : '<p>No RST located between points yet.</p>';
    } catch (e) { statusEl.textContent = 'segments: ' + e.message; }
  };
  load(); timer = setInterval(load, 5000);
}

async function pointsView() {
  main.innerHTML = '<h2>Observation points</h2><div id="pts">loading…</div>';
  const load = async () => {
    try {
      const data = await (await api('/api/points')).json();
      document.getElementById('pts').innerHTML = `<p>path ${esc(data.path.join(' → '))}${data.path_inferred ? ' (inferred from TTLs)' : ''}</p>
        <table><tr><th>point</th><th>site</th><th>heartbeat age</th><th>captured</th><th>kernel drops</th><th>if drops</th><th>agent drops</th><th>clock offset</th><th>watermark</th></tr>` +
        data.points.map(p => `<tr${p.dropping ? ' class="forged"' : ''}><td>${esc(p.point)}</td><td>${esc(p.site)}</td>
          <td>${p.heartbeat ? (p.heartbeat_age_ms / 1000).toFixed(1) + ' s' : 'none'}</td><td>${p.captured ?? ''}</td>
          <td>${p.pcap_dropped ?? ''}</td><td>${p.pcap_if_dropped ?? ''}</td><td>${p.dropped ?? ''}</td>
          <td>${(p.clock_offset_micros / 1000).toFixed(3)} ms</td><td>${esc(p.watermark)}</td></tr>`).join('') + '</table>';
    } catch (e) { statusEl.textContent = 'points: ' + e.message; }
  };
  load(); timer = setInterval(load, 5000);
}

window.addEventListener('hashchange', route);
route();
