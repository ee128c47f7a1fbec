// Screen 4: the system's public API, read from its merged OpenAPI 3 document (GET /v3/api-docs):
// operations grouped by tag, each with its parameters, request schema and responses.
import { h, get, problemView } from './util.js';

export const title = 'API reference';

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

const refName = (ref) => String(ref).split('/').at(-1);

function typeText(schema, doc) {
  if (!schema) return '—';
  if (schema.$ref) return refName(schema.$ref);
  if (schema.type === 'array') return `array of ${typeText(schema.items, doc)}`;
  let t = schema.type || (schema.properties ? 'object' : 'any');
  if (schema.format) t += ` (${schema.format})`;
  if (schema.enum) t += `: ${schema.enum.join(' | ')}`;
  return t;
}

function resolve(schema, doc) {
  if (schema && schema.$ref) return (doc.components && doc.components.schemas || {})[refName(schema.$ref)] || {};
  return schema || {};
}

// A schema as a table of its fields (nested objects one level in), or its type when it has none.
function schemaView(schema, doc, depth = 0) {
  const target = resolve(schema, doc);
  const props = target.properties || {};
  const names = Object.keys(props);
  const head = schema && schema.$ref ? h('p', { class: 'schema-name' }, h('code', {}, refName(schema.$ref))) : null;
  if (!names.length) return h('div', {}, head, h('p', { class: 'mono' }, typeText(schema, doc)));
  const required = new Set(target.required || []);
  return h('div', {}, head, h('table', { class: 'grid schema' },
    h('thead', {}, h('tr', {}, ['Field', 'Type', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, names.map((n) => {
      const p = props[n];
      const inner = resolve(p.type === 'array' ? p.items : p, doc);
      const nested = depth < 1 && inner.properties && Object.keys(inner.properties).length && !n.startsWith('_');
      return h('tr', {},
        h('td', { class: 'mono' }, n, required.has(n) ? h('span', { class: 'req', title: 'required' }, ' *') : ''),
        h('td', { class: 'mono' }, typeText(p, doc), nested ? schemaView(p.type === 'array' ? p.items : p, doc, depth + 1) : null),
        h('td', { class: 'muted' }, [p.description, p.readOnly ? 'read-only' : '', p.default !== undefined ? `default ${p.default}` : '']
          .filter(Boolean).join(' · ')));
    }))));
}

function operationView(method, path, op, doc) {
  const params = op.parameters || [];
  const body = op.requestBody;
  const responses = Object.entries(op.responses || {});
  return h('details', { class: 'op', 'data-method': method, 'data-path': path },
    h('summary', {},
      h('span', { class: `method m-${method}` }, method.toUpperCase()),
      h('code', { class: 'path' }, path),
      h('span', { class: 'op-sum' }, op.summary || op.operationId || '')),
    h('div', { class: 'op-body' },
      op.description ? h('p', {}, op.description) : null,
      h('h4', {}, 'Parameters'),
      params.length ? h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, ['Name', 'In', 'Type', 'Required', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, params.map((p) => h('tr', {},
          h('td', { class: 'mono' }, p.name), h('td', {}, p.in), h('td', { class: 'mono' }, typeText(p.schema, doc)),
          h('td', {}, p.required ? 'yes' : 'no'), h('td', { class: 'muted' }, p.description || '')))))
        : h('p', { class: 'muted' }, 'none'),
      body ? [h('h4', {}, 'Request body', body.required ? ' (required)' : ''),
        Object.entries(body.content || {}).map(([media, c]) => h('div', {}, h('p', { class: 'muted small' }, media), schemaView(c.schema, doc)))] : null,
      h('h4', {}, 'Responses'),
      h('ul', { class: 'responses' }, responses.map(([code, r]) => h('li', {},
        h('span', { class: `code c${String(code)[0]}` }, code), ' ', r.description || '',
        Object.entries(r.content || {}).map(([media, c]) => h('span', { class: 'muted small' }, ` — ${media}: `,
          h('code', {}, typeText(c.schema, doc)))))))));
}

export function render(main) {
  const filter = h('input', { id: 'api-filter', type: 'search', placeholder: 'path, method or words', autocomplete: 'off' });
  const out = h('div', { id: 'api-out' }, h('p', { class: 'muted' }, 'Loading /v3/api-docs…'));
  main.append(
    h('div', { class: 'screen-head' }, h('h2', {}, 'API reference'),
      h('div', { class: 'inline-form' }, h('label', { for: 'api-filter' }, 'Filter'), filter)),
    out);
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    for (const op of out.querySelectorAll('details.op')) {
      op.hidden = q && !op.textContent.toLowerCase().includes(q);
    }
    for (const g of out.querySelectorAll('section.tag')) {
      g.hidden = !g.querySelector('details.op:not([hidden])');
    }
  });
  get('/v3/api-docs').then((doc) => {
    const groups = new Map();
    for (const [path, item] of Object.entries(doc.paths || {})) {
      for (const m of METHODS) {
        if (!item[m]) continue;
        const tag = (item[m].tags && item[m].tags[0]) || path.split('/')[1] || '/';
        if (!groups.has(tag)) groups.set(tag, []);
        groups.get(tag).push([m, path, { ...item[m], parameters: [...(item.parameters || []), ...(item[m].parameters || [])] }]);
      }
    }
    for (const ops of groups.values()) ops.sort((a, b) => a[1].localeCompare(b[1]) || METHODS.indexOf(a[0]) - METHODS.indexOf(b[0]));
    const count = [...groups.values()].reduce((a, g) => a + g.length, 0);
    const info = doc.info || {};
    out.replaceChildren(h('div', {},
      h('p', { class: 'muted' }, `${info.title || 'API'} ${info.version || ''} · OpenAPI ${doc.openapi || ''} · ${count} operations`,
        info.description ? h('span', {}, ` · ${info.description}`) : null),
      [...groups.entries()].map(([tag, ops]) => h('section', { class: 'tag', 'data-tag': tag },
        h('h3', {}, tag), ops.map(([m, p, op]) => operationView(m, p, op, doc)))),
      h('section', { class: 'tag schemas' }, h('h3', {}, 'Schemas'),
        Object.entries((doc.components && doc.components.schemas) || {}).map(([name, sch]) =>
          h('details', { class: 'op', id: `schema-${name}` }, h('summary', {}, h('code', {}, name)),
            h('div', { class: 'op-body' }, schemaView(sch, doc)))))));
  }).catch((e) => out.replaceChildren(problemView(e)));
  return null;
}
