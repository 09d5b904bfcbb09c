// `pnpm --filter @pizza/bench heap-summary -- a.heapsnapshot b.heapsnapshot …`: what fills a heap,
// side by side for snapshots taken at several points of a run (e.g. by `pnpm bench -- --only soak
// --heap-snapshots`). Per snapshot: objects by constructor (count, self size), and strings and
// arrays by the object property holding them (which structure keeps the bytes alive).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Tally {
  count: number;
  bytes: number;
}

/** Strings, arrays and other values are attributed to the property of the object that points at them. */
const HELD = new Set(['string', 'concatenated string', 'sliced string', 'array', 'number', 'code']);

export function summarize(path: string): { byClass: Map<string, Tally>; byHolder: Map<string, Tally>; total: number } {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot;
  const { node_fields, node_types, edge_fields, edge_types } = snap.snapshot.meta;
  const nodeSize = node_fields.length;
  const edgeSize = edge_fields.length;
  const [typeOf, nameOf, selfOf, edgeCountOf] = ['type', 'name', 'self_size', 'edge_count'].map((f) => node_fields.indexOf(f)) as [number, number, number, number];
  const [edgeTypeOf, edgeNameOf, toOf] = ['type', 'name_or_index', 'to_node'].map((f) => edge_fields.indexOf(f)) as [number, number, number];
  const nodeTypes = node_types[0];
  const edgeTypes = edge_types[0];
  const { nodes, edges, strings } = snap;
  const count = nodes.length / nodeSize;

  const label = (n: number) => {
    const type = nodeTypes[nodes[n * nodeSize + typeOf]!]!;
    const name = strings[nodes[n * nodeSize + nameOf]!]!;
    return type === 'object' || type === 'closure' ? name : `(${type})`;
  };
  // first holder of every held value: "Owner.property"
  const holder = new Array<string | undefined>(count);
  let edge = 0;
  for (let n = 0; n < count; n++) {
    const edgeCount = nodes[n * nodeSize + edgeCountOf]!;
    const owner = label(n);
    for (let e = 0; e < edgeCount; e++, edge += edgeSize) {
      const to = edges[edge + toOf]! / nodeSize;
      if (holder[to] !== undefined || owner.startsWith('(')) continue;
      const type = edgeTypes[edges[edge + edgeTypeOf]!];
      if (type === 'weak' || type === 'shortcut') continue;
      const name = type === 'element' || type === 'hidden' ? '[]' : strings[edges[edge + edgeNameOf]!];
      holder[to] = `${owner}.${name}`;
    }
  }

  const byClass = new Map<string, Tally>();
  const byHolder = new Map<string, Tally>();
  const add = (map: Map<string, Tally>, key: string, bytes: number) => {
    const t = map.get(key) ?? { count: 0, bytes: 0 };
    t.count++;
    t.bytes += bytes;
    map.set(key, t);
  };
  let total = 0;
  for (let n = 0; n < count; n++) {
    const bytes = nodes[n * nodeSize + selfOf]!;
    total += bytes;
    const type = nodeTypes[nodes[n * nodeSize + typeOf]!]!;
    add(byClass, label(n), bytes);
    if (HELD.has(type)) add(byHolder, `${holder[n] ?? '(root)'} → ${label(n)}`, bytes);
  }
  return { byClass, byHolder, total };
}

const MB = 1024 * 1024;
const fmt = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

function table(title: string, maps: Map<string, Tally>[], top: number): string {
  const last = maps.at(-1)!;
  const keys = [...last.keys()].sort((a, b) => last.get(b)!.bytes - last.get(a)!.bytes).slice(0, top);
  const lines = [`\n${title}`, keys.length === 0 ? '(none)' : ''];
  for (const key of keys) {
    const cells = maps.map((m) => {
      const t = m.get(key);
      return t ? `${fmt(t.bytes).padStart(9)} ${String(t.count).padStart(8)}×` : `${'–'.padStart(9)} ${''.padStart(9)}`;
    });
    lines.push(`${cells.join('  ')}  ${key}`);
  }
  return lines.join('\n');
}

function main(paths: string[]): void {
  if (paths.length === 0) {
    console.log('usage: heap-summary <a.heapsnapshot> [b.heapsnapshot …]   (oldest first)');
    return;
  }
  const summaries = paths.map((p) => {
    const s = summarize(p);
    console.log(`${basename(p)}: ${fmt(s.total)} in the heap`);
    return s;
  });
  const top = Number(process.env.TOP ?? 25);
  console.log(table('objects by constructor (self size, count), sorted by the last snapshot:', summaries.map((s) => s.byClass), top));
  console.log(table('strings and arrays by the property holding them:', summaries.map((s) => s.byHolder), top));
}

main(process.argv.slice(2).filter((a) => a !== '--'));
