// The rehearsal console: renders the channel from /api/state (Block Kit as Slack draws it, threads,
// edits, ephemeral replies), sends /migrate commands and button clicks as the chosen member, and
// flips the fault switches. Plain browser JavaScript, no build step.
/* global localStorage */
'use strict';

const EMOJI = {
  white_check_mark: '✅', x: '❌', no_entry: '⛔', white_circle: '⚪', warning: '⚠️', red_circle: '🔴', lock: '🔒',
  large_green_circle: '🟢', rotating_light: '🚨', unlock: '🔓', octagonal_sign: '🛑', leftwards_arrow_with_hook: '↩️',
  large_yellow_circle: '🟡', large_blue_circle: '🔵', gear: '⚙️', fast_forward: '⏩', double_vertical_bar: '⏸️',
  tada: '🎉', arrows_counterclockwise: '🔄', arrow_forward: '▶️', mag: '🔍', hourglass_flowing_sand: '⏳', hourglass: '⌛',
  heavy_minus_sign: '➖', bell: '🔔', bar_chart: '📊', arrow_up: '⬆️', alarm_clock: '⏰', heavy_check_mark: '✔️', truck: '🚚',
};

// The chosen member survives a reload (?as= in the address wins).
const MEMBER_KEY = 'cutover-rehearsal-member';
const state = { viewer: new URLSearchParams(location.search).get('as') || localStorage.getItem(MEMBER_KEY) || '', members: [], lastMessages: '', lastWorld: '', lastHome: '', tab: 'channel' };

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
function decodeEntities(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
function emoji(s) {
  return s.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);
}
function memberName(id) {
  const m = state.members.find((x) => x.id === id);
  return m ? m.name : id;
}

/** Slack's special tokens: <https://x|label>, <@U…>, <#C…>, <!here>. */
function token(target, label) {
  if (target.startsWith('@')) return `<b class="mention">@${esc(memberName(target.slice(1)))}</b>`;
  if (target.startsWith('#')) return `<b>#${esc(label || 'db-migration')}</b>`;
  const date = /^!date\^(\d+)\^/.exec(target);
  if (date) return esc(new Date(Number(date[1]) * 1000).toLocaleString());
  if (target.startsWith('!')) return `<b>@${esc(target.slice(1))}</b>`;
  if (/^https?:/.test(target)) return `<a href="${esc(target)}" target="_blank" rel="noreferrer">${esc(decodeEntities(label || target))}</a>`;
  return esc(decodeEntities(label || target));
}

function styled(s) {
  return emoji(s)
    .replace(/(^|[\s(>])\*([^*\n]+)\*/g, '$1<b>$2</b>')
    .replace(/(^|[\s(>])_([^_\n]+)_/g, '$1<i>$2</i>')
    .replace(/(^|[\s(>])~([^~\n]+)~/g, '$1<s>$2</s>');
}

/** Plain text (already split from tokens): escaped, then `code`, *bold*, _italic_, ~strike~, emoji, line breaks. */
function formatted(raw) {
  const s = esc(decodeEntities(raw));
  return s
    .split(/(`[^`\n]+`)/)
    .map((part) => (part.length > 1 && part.startsWith('`') && part.endsWith('`') ? `<code>${part.slice(1, -1)}</code>` : styled(part)))
    .join('')
    .replace(/\n/g, '<br>');
}

function inline(raw) {
  const out = [];
  const re = /<([^>|]+)(?:\|([^>]*))?>/g;
  let last = 0;
  let m;
  while ((m = re.exec(raw))) {
    out.push(formatted(raw.slice(last, m.index)), token(m[1], m[2]));
    last = re.lastIndex;
  }
  out.push(formatted(raw.slice(last)));
  return out.join('');
}

/** Slack mrkdwn to HTML: ``` blocks ```, then inline formatting. Everything is escaped first. */
function mrkdwn(text) {
  return String(text || '')
    .split(/```/)
    .map((part, i) => (i % 2 ? `<pre>${esc(decodeEntities(part.replace(/^\n/, '')))}</pre>` : inline(part)))
    .join('');
}

function textHtml(t) {
  if (!t) return '';
  return t.type === 'plain_text' ? esc(emoji(t.text)) : mrkdwn(t.text);
}

function el(tag, cls, html) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (html !== undefined) e.innerHTML = html;
  return e;
}

function button(b, block, msg) {
  if (b.url) {
    const a = el('a', 'bk', textHtml(b.text));
    a.href = b.url;
    a.target = '_blank';
    return a;
  }
  const btn = el('button', `bk ${b.style || ''}`, textHtml(b.text));
  btn.type = 'button';
  btn.dataset.actionId = b.action_id;
  btn.dataset.value = b.value || '';
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    await post('/api/click', { user: state.viewer, actionId: b.action_id, value: b.value || '', blockId: block.block_id || '', label: b.text ? b.text.text : '', messageTs: msg.ts });
    setTimeout(() => (btn.disabled = false), 1500);
    refresh();
  });
  return btn;
}

function renderBlock(b, msg) {
  switch (b.type) {
    case 'header':
      return el('div', 'block header', textHtml(b.text));
    case 'divider':
      return el('hr');
    case 'section': {
      const s = el('div', 'block section');
      const body = el('div', 'body', textHtml(b.text));
      if (b.fields) {
        const f = el('div', 'fields');
        for (const x of b.fields) f.appendChild(el('div', 'field', textHtml(x)));
        body.appendChild(f);
      }
      s.appendChild(body);
      if (b.accessory && b.accessory.type === 'button') s.appendChild(button(b.accessory, b, msg));
      if (b.accessory && b.accessory.type === 'image') s.appendChild(image(b.accessory.image_url, b.accessory.alt_text, 'accessory'));
      return s;
    }
    case 'context': {
      const c = el('div', 'block context');
      for (const x of b.elements || []) c.appendChild(x.type === 'image' ? image(x.image_url, x.alt_text) : el('span', '', textHtml(x)));
      return c;
    }
    case 'actions': {
      const a = el('div', 'block actions');
      for (const x of b.elements || []) if (x.type === 'button') a.appendChild(button(x, b, msg));
      return a;
    }
    case 'image': {
      const wrap = el('div', 'block file');
      if (b.title) wrap.appendChild(el('div', '', textHtml(b.title)));
      wrap.appendChild(image(b.image_url, b.alt_text));
      return wrap;
    }
    default:
      return el('pre', 'block unknown', esc(`(${b.type} block)`));
  }
}

function image(src, alt, cls) {
  const i = el('img', cls || '');
  i.src = src;
  i.alt = alt || '';
  return i;
}

function renderMessage(m) {
  const typed = m.ts.startsWith('c');
  const div = el('div', `msg${m.visibleTo ? ' ephemeral' : ''}${typed ? ' typed' : ''}`);
  div.dataset.ts = m.ts;
  const when = new Date(m.at).toLocaleTimeString();
  div.appendChild(el('div', 'meta', `<span class="who">${esc(m.from)}</span><span class="when">${esc(when)}</span>${m.edited ? ' <span class="edited">(edited)</span>' : ''}${m.visibleTo && !typed ? ' <span class="only">· only visible to you</span>' : ''}`));
  if (typed) {
    div.appendChild(el('div', 'text', esc(m.text)));
    return div;
  }
  if (m.blocks && m.blocks.length) for (const b of m.blocks) div.appendChild(renderBlock(b, m));
  else if (m.text) div.appendChild(el('div', 'text', mrkdwn(m.text)));
  for (const f of m.files || []) {
    const wrap = el('div', 'file', `<div>📎 ${esc(f.title)}${f.name ? ` <span class="filename">${esc(f.name)}</span>` : ''}</div>`);
    if (f.name && !/\.png$/i.test(f.name)) {
      wrap.appendChild(el('a', 'download', `Open ${esc(f.name)}`));
      wrap.lastChild.href = `/files/${encodeURIComponent(f.id)}`;
      wrap.lastChild.target = '_blank';
      div.appendChild(wrap);
      continue;
    }
    const img = image(`/files/${encodeURIComponent(f.id)}`, f.title);
    img.addEventListener('error', () => img.replaceWith(el('a', '', `<a href="/files/${encodeURIComponent(f.id)}">download</a>`)));
    wrap.appendChild(img);
    div.appendChild(wrap);
  }
  return div;
}

function renderMessages(messages) {
  const box = document.getElementById('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.innerHTML = '';
  if (!messages.length) box.appendChild(el('div', 'empty', 'Nothing here yet: type <code>/migrate help</code>, or start with <code>/migrate status</code>.'));
  const threads = new Map();
  for (const m of messages) if (m.threadTs && m.threadTs !== m.ts) threads.set(m.threadTs, [...(threads.get(m.threadTs) || []), m]);
  const parents = new Set(messages.map((m) => m.ts));
  for (const m of messages) {
    if (m.threadTs && m.threadTs !== m.ts && parents.has(m.threadTs)) continue;
    const div = renderMessage(m);
    const replies = threads.get(m.ts);
    if (replies) {
      const t = el('div', 'thread', `<div class="count">${replies.length} repl${replies.length === 1 ? 'y' : 'ies'}</div>`);
      for (const r of replies) t.appendChild(renderMessage(r));
      div.appendChild(t);
    }
    box.appendChild(div);
  }
  box.dataset.viewer = state.viewer;
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function renderWorld(w) {
  const rows = [
    ...w.databases.map((d) => [d.label, `${d.role}${d.orders !== undefined ? ` · ${d.orders} orders` : ''}`]),
    ['app DATABASE_URL', w.app.database],
    ['app', `${w.app.state}${w.app.maintenance ? ' (maintenance on)' : ''}`],
    ['formation', w.app.formation],
    ['writes / errors', `${w.app.writes} / ${w.app.errors}`],
    ['last app error', w.app.lastError || '–'],
    ['nothing lost', w.nothingLost || '–'],
    ['DMS task', `${w.dms.status} · full load ${w.dms.fullLoadPercent}%`],
    ['Rollbar', `${w.rollbar.outage ? 'OUTAGE' : 'up'} · ${w.rollbar.deploys} deploy calls`],
    ['lost on Aurora', w.lostOnTarget || '–'],
  ];
  document.getElementById('world').innerHTML = `<table>${rows.map(([k, v]) => `<tr data-key="${esc(k)}"><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>`;
  const sw = document.getElementById('switches');
  if (!sw.childElementCount) {
    for (const s of w.switches) {
      const label = el('label', '', `<input type="checkbox" data-switch="${esc(s.name)}"> ${esc(s.label)}`);
      label.querySelector('input').addEventListener('change', (e) => post('/api/switch', { name: s.name, on: e.target.checked }).then(refresh));
      sw.appendChild(label);
    }
  }
  for (const s of w.switches) sw.querySelector(`[data-switch="${s.name}"]`).checked = s.on;
}

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

/** The rehearsal stopped (Ctrl-C, or it crashed): say so rather than show a channel that no longer moves. */
function gone(is) {
  document.getElementById('gone').hidden = !is;
}

async function refresh() {
  let s;
  try {
    const res = await fetch(`/api/state?as=${encodeURIComponent(state.viewer)}`);
    s = await res.json();
  } catch (e) {
    gone(true);
    throw e;
  }
  gone(false);
  if (!state.members.length) {
    state.members = s.members;
    const select = document.getElementById('member');
    select.innerHTML = s.members.map((m) => `<option value="${esc(m.id)}">${esc(m.name)} (${esc(m.role)})</option>`).join('');
    if (!s.members.some((m) => m.id === state.viewer)) state.viewer = s.viewer;
    select.value = state.viewer;
    select.addEventListener('change', () => {
      state.viewer = select.value;
      localStorage.setItem(MEMBER_KEY, state.viewer);
      state.lastMessages = '';
      state.lastHome = '';
      refresh();
    });
  }
  const m = JSON.stringify(s.messages);
  if (m !== state.lastMessages) {
    state.lastMessages = m;
    renderMessages(s.messages);
  }
  const h = JSON.stringify(s.home);
  if (h !== state.lastHome) {
    state.lastHome = h;
    renderHome(s.home);
  }
  const w = JSON.stringify(s.world);
  if (w !== state.lastWorld) {
    state.lastWorld = w;
    renderWorld(s.world);
  }
}

/** The selected member's App Home tab: the view the bot last published to them (views.publish). */
function renderHome(view) {
  const box = document.getElementById('home');
  box.innerHTML = '';
  if (!view) return void box.appendChild(el('div', 'empty', 'The bot has not published a Home tab to this member yet.'));
  const msg = { ts: 'home' };
  for (const b of view.blocks || []) box.appendChild(renderBlock(b, msg));
  box.dataset.viewer = state.viewer;
}

function showTab(tab) {
  state.tab = tab;
  for (const t of document.querySelectorAll('[data-tab]')) t.classList.toggle('on', t.dataset.tab === tab);
  document.getElementById('messages').hidden = tab !== 'channel';
  document.getElementById('home').hidden = tab !== 'home';
}
for (const t of document.querySelectorAll('[data-tab]')) t.addEventListener('click', () => showTab(t.dataset.tab));

document.getElementById('composer').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = document.getElementById('command');
  const text = input.value.replace(/^\/migrate\s*/, '').trim();
  if (!text) return;
  input.value = '';
  await post('/api/command', { user: state.viewer, text });
  refresh();
});

refresh();
setInterval(() => refresh().catch(() => undefined), 1000);
