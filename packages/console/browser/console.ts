/*
 * The console page's script: it polls the broker's JSON API and draws each view with DOM nodes
 * whose text is set as text, never as markup, so a key or value of `<script>` shows as written.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const POLL_MS = 2000;
/** Throughput points kept per topic for its sparkline. */
const SPARK_POINTS = 30;

const views = ['overview', 'topics', 'groups', 'messages', 'reassignments'] as const;
type View = (typeof views)[number];

/** Per topic, the last high-watermark sum seen and the records per second between polls. */
const throughput = new Map<string, { total: number; at: number; rates: number[] }>();

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string | number, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function table(headers: string[], rows: Array<Array<string | number | Node>>): HTMLTableElement {
  const t = el('table');
  const head = t.createTHead().insertRow();
  for (const h of headers) head.appendChild(el('th', h));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) {
      const td = tr.insertCell();
      if (cell instanceof Node) td.appendChild(cell);
      else td.textContent = String(cell);
    }
  }
  return t;
}

function card(label: string, value: string | number, bad = false): HTMLElement {
  const c = el('div', undefined, 'card');
  c.appendChild(el('b', value, bad ? 'bad' : undefined));
  c.appendChild(document.createTextNode(label));
  return c;
}

async function api(path: string): Promise<Json> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `${path} answered ${response.status}`);
  return body;
}

function setStatus(text: string, bad = false): void {
  const status = document.getElementById('status')!;
  status.textContent = text;
  status.className = bad ? 'bad' : '';
}

function replace(section: string, ...nodes: Node[]): void {
  document.getElementById(section)!.replaceChildren(...nodes);
}

function sparkline(rates: number[]): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', `0 0 ${SPARK_POINTS - 1} 24`);
  svg.setAttribute('preserveAspectRatio', 'none');
  const max = Math.max(1, ...rates);
  const line = document.createElementNS(ns, 'polyline');
  const offset = SPARK_POINTS - rates.length;
  line.setAttribute('points', rates.map((r, i) => `${i + offset},${(24 - (r / max) * 22 - 1).toFixed(1)}`).join(' '));
  svg.appendChild(line);
  return svg;
}

function noteThroughput(topics: Json[]): void {
  const now = performance.now();
  for (const t of topics) {
    const seen = throughput.get(t.name);
    if (!seen) {
      throughput.set(t.name, { total: t.highWatermarks, at: now, rates: [] });
      continue;
    }
    const seconds = (now - seen.at) / 1000;
    if (seconds <= 0) continue;
    seen.rates.push(Math.max(0, (t.highWatermarks - seen.total) / seconds));
    if (seen.rates.length > SPARK_POINTS) seen.rates.shift();
    seen.total = t.highWatermarks;
    seen.at = now;
  }
}

async function drawOverview(): Promise<void> {
  const c = await api('/api/cluster');
  const alive = c.brokers.filter((b: Json) => b.alive).length;
  const cards = el('div', undefined, 'cards');
  cards.append(
    card('brokers alive', `${alive} / ${c.brokers.length}`, alive < c.brokers.length),
    card('controller', c.controllerId || 'none', !c.controllerId),
    card('partitions', c.partitions),
    card('under-replicated', c.underReplicated, c.underReplicated > 0),
    card('offline', c.offline, c.offline > 0),
  );
  replace(
    'overview',
    el('h2', `Cluster ${c.clusterId}`),
    cards,
    el('h2', 'Brokers'),
    table(
      ['ID', 'ADDRESS', 'RACK', 'STATE', 'REPLICAS', 'LEADS'],
      c.brokers.map((b: Json) => [b.id + (b.id === c.controllerId ? ' (controller)' : ''), b.address, b.rack || '-', b.state, b.replicas, b.leaders]),
    ),
  );
}

async function drawTopics(): Promise<Json[]> {
  const topics: Json[] = await api('/api/topics');
  noteThroughput(topics);
  const nodes: Node[] = [
    el('h2', 'Topics'),
    table(
      ['TOPIC', 'PARTITIONS', 'RECORDS', 'RECORDS/S', ''],
      topics.map((t) => {
        const rates = throughput.get(t.name)?.rates ?? [];
        return [t.name, t.partitions.length, t.highWatermarks, rates.length ? Math.round(rates[rates.length - 1]) : '-', sparkline(rates)];
      }),
    ),
  ];
  for (const t of topics.filter((topic) => !topic.internal)) {
    nodes.push(
      el('h2', t.name),
      table(
        ['PARTITION', 'LEADER', 'REPLICAS', 'LOG START', 'HIGH WATERMARK', 'REPLICA LAG'],
        t.partitions.map((p: Json) => [
          p.partition,
          p.leader || 'none',
          p.replicas.join(', '),
          p.logStartOffset,
          p.highWatermark,
          p.replicaStates.map((r: Json) => `${r.brokerId}: ${r.role === 'unreachable' ? 'unreachable' : r.lag}`).join('  '),
        ]),
      ),
    );
  }
  replace('topics', ...nodes);
  return topics;
}

async function drawGroups(): Promise<void> {
  const groups: Json[] = await api('/api/groups');
  const nodes: Node[] = [el('h2', 'Consumer groups')];
  if (groups.length === 0) nodes.push(el('p', 'No consumer groups yet.'));
  for (const g of groups) {
    const d = g.description;
    nodes.push(
      el('h2', `${d.group}: ${d.state}, generation ${d.generation}, ${d.members.length} member(s), lag ${g.totalLag}`),
      table(
        ['MEMBER', 'CLIENT', 'HOST', 'ASSIGNED'],
        d.members.map((m: Json) => [m.memberId, m.clientId || '-', m.clientHost || '-', m.assigned.map((tp: Json) => `${tp.topic}(${tp.partitions.join(',')})`).join(' ') || '-']),
      ),
      table(
        ['TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG', 'MEMBER'],
        g.partitions.map((p: Json) => [p.topic, p.partition, p.committed ?? '-', p.end ?? '-', p.lag ?? '-', p.memberId ?? '-']),
      ),
    );
  }
  replace('groups', ...nodes);
}

async function drawReassignments(): Promise<void> {
  const moves: Json[] = await api('/api/reassignments');
  if (moves.length === 0) {
    replace('reassignments', el('h2', 'Reassignments'), el('p', 'No partition is moving.'));
    return;
  }
  replace(
    'reassignments',
    el('h2', 'Reassignments'),
    table(
      ['PARTITION', 'FROM', 'TO', 'ADDING', 'STARTED'],
      moves.map((m) => {
        const adding = el('div');
        for (const a of m.adding) {
          const bar = el('progress');
          bar.max = 1;
          bar.value = a.progress;
          adding.append(el('span', `broker ${a.brokerId} `), bar, el('span', ` ${Math.round(a.progress * 100)}%`), el('br'));
        }
        return [`${m.topic}-${m.partition}${m.cancelled ? ' (cancelled)' : ''}`, m.from.join(', '), m.to.join(', '), adding, new Date(m.startedAtMs).toISOString()];
      }),
    ),
  );
}

function shown(bytes: Json): string {
  if (bytes === null) return 'null';
  return bytes.encoding === 'base64' ? `base64:${bytes.text}` : bytes.text;
}

async function browse(form: HTMLFormElement): Promise<void> {
  const data = new FormData(form);
  const query = new URLSearchParams();
  for (const name of ['topic', 'partition', 'offset', 'timestamp', 'limit']) {
    const value = String(data.get(name) ?? '');
    if (value !== '') query.set(name, value);
  }
  const error = document.getElementById('browse-error')!;
  try {
    const result = await api(`/api/messages?${query}`);
    error.hidden = true;
    const summary = el('p', `${result.topic}-${result.partition}: offsets ${result.logStartOffset} to ${result.highWatermark}; ${result.records.length} record(s) from ${result.from}`);
    const rows = result.records.map((r: Json) => [
      r.offset,
      new Date(r.timestamp).toISOString(),
      el('span', shown(r.key), 'mono'),
      el('span', shown(r.value), 'mono'),
      el('span', r.headers.map((h: Json) => `${h.key}=${shown(h.value)}`).join('\n'), 'mono'),
    ]);
    document.getElementById('browse-result')!.replaceChildren(summary, table(['OFFSET', 'TIMESTAMP', 'KEY', 'VALUE', 'HEADERS'], rows));
  } catch (err) {
    error.textContent = (err as Error).message;
    error.hidden = false;
  }
}

function fillTopicChoices(topics: Json[]): void {
  const select = document.querySelector<HTMLSelectElement>('#browse select[name=topic]')!;
  const names = topics.map((t) => t.name);
  if ([...select.options].map((o) => o.value).join('\n') === names.join('\n')) return;
  const chosen = select.value;
  select.replaceChildren(...names.map((name) => {
    const option = el('option', name);
    option.value = name;
    return option;
  }));
  if (names.includes(chosen)) select.value = chosen;
}

function currentView(): View {
  const wanted = location.hash.slice(1);
  return (views as readonly string[]).includes(wanted) ? (wanted as View) : 'overview';
}

async function refresh(): Promise<void> {
  const view = currentView();
  for (const v of views) document.getElementById(v)!.classList.toggle('active', v === view);
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) link.classList.toggle('active', link.dataset.view === view);
  try {
    // Topics are polled on every view: their sparklines need each interval, the message browser their names.
    const topics = await drawTopics();
    fillTopicChoices(topics);
    if (view === 'overview') await drawOverview();
    if (view === 'groups') await drawGroups();
    if (view === 'reassignments') await drawReassignments();
    setStatus(`updated ${new Date().toLocaleTimeString()}`);
  } catch (err) {
    setStatus((err as Error).message, true);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('browse') as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void browse(form);
  });
  window.addEventListener('hashchange', () => void refresh());
  void refresh();
  setInterval(() => void refresh(), POLL_MS);
});
