import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUILT } from '../paths';
import { metric } from '../results';
import type { ScenarioSpec } from '../scenario';

/** `<script src>`, `<link rel="modulepreload" href>` and `<link rel="stylesheet" href>` of the page. */
export function initialAssets(html: string): { js: string[]; css: string[] } {
  const js = new Set<string>();
  const css = new Set<string>();
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1];
    if (/^<script/i.test(tag)) {
      const src = attr('src');
      if (src) js.add(src);
    } else if (attr('rel') === 'modulepreload' && attr('href')) js.add(attr('href')!);
    else if (attr('rel') === 'stylesheet' && attr('href')) css.add(attr('href')!);
  }
  return { js: [...js], css: [...css] };
}

/** Relative modules a chunk imports statically (what the browser must load before running it). */
function staticImports(code: string): string[] {
  const found = new Set<string>();
  // `import{a}from"./x.js"`, `import"./x.js"`, `export{a}from"./x.js"`; not `import("./x.js")`
  for (const m of code.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.{1,2}\/[^"']+)["']/g)) found.add(m[1]!);
  return [...found];
}

/** Every JS file loaded before the app runs: the page's scripts and preloads, and their static imports. */
function initialJsClosure(dist: string, entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = entries.map((src) => normalize(join(dist, src.replace(/^\//, ''))));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) queue.push(normalize(join(dirname(file), spec)));
  }
  return [...seen];
}

const gzipBytes = (file: string) => gzipSync(readFileSync(file)).length;
/** What the all-in-one process sends a browser: the build's brotli copy, else gzip. */
const servedBytes = (file: string) => (existsSync(`${file}.br`) ? statSync(`${file}.br`).size : gzipBytes(file));

/** Scenario 6: the JavaScript and CSS the browser loads before the app runs, gzipped (level 6, as served). */
export function webSizeScenario(): ScenarioSpec {
  return {
    id: 'web',
    title: 'Web: initial JS and CSS of apps/web/dist (gzip)',
    topology: 'static',
    async run() {
      const dist = BUILT.webDist;
      const html = readFileSync(join(dist, 'index.html'), 'utf8');
      const assets = initialAssets(html);
      const jsFiles = initialJsClosure(dist, assets.js);
      const cssFiles = assets.css.map((href) => join(dist, href.replace(/^\//, '')));
      const kb = (files: string[], size: (f: string) => number) => files.reduce((n, f) => n + size(f), 0) / 1024;
      const raw = (f: string) => readFileSync(f).length;
      const detail = jsFiles.map((f) => `${relative(dist, f)} ${(gzipBytes(f) / 1024).toFixed(1)} KB`).join(', ');
      const notPreloaded = jsFiles.length - assets.js.length;
      return {
        metrics: [
          metric({ key: 'web.jsGzipKb', label: 'initial JS, gzip', unit: 'KB', runs: [kb(jsFiles, gzipBytes)], target: { on: 'value', op: '<=', value: 150 }, digits: 1 }),
          metric({ key: 'web.jsServedKb', label: 'initial JS, as served (brotli copies)', unit: 'KB', runs: [kb(jsFiles, servedBytes)], digits: 1 }),
          metric({ key: 'web.cssGzipKb', label: 'initial CSS, gzip', unit: 'KB', runs: [kb(cssFiles, gzipBytes)], digits: 1 }),
          metric({ key: 'web.jsRawKb', label: 'initial JS, uncompressed', unit: 'KB', runs: [kb(jsFiles, raw)], digits: 1 }),
        ],
        notes: [
          `initial JS (${jsFiles.length} files${notPreloaded > 0 ? `, ${notPreloaded} reached only through static imports` : ''}): ${detail}`,
          `CSS: ${cssFiles.map((f) => relative(dist, f)).join(', ')}; KB = 1024 bytes; lazy route chunks are not counted`,
        ],
      };
    },
  };
}
