/** Reads a V8 .cpuprofile: where the time went, by function and by package. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a script lives, shortened: `pkg/file` for node_modules, `dist/file` for our bundle. */
function place(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  return url.replace(/^file:\/\/.*?\/(apps|packages|bench)\//, '$1/');
}

function packageOf(where: string): string {
  // the bundle puts the OpenTelemetry SDK and our traced ports in a chunk of their own
  if (/\/tracing-sdk-[^/]*\.js$/.test(where)) return 'tracing (SDK chunk)';
  if (where.includes('async_hooks')) return 'node:async_hooks';
  if (where.startsWith('apps/') || where.startsWith('packages/')) return 'our code (bundle)';
  if (where.startsWith('node:') || where.startsWith('(')) return where.split('/')[0]!.replace(/:.*$/, ':…');
  const parts = where.split('/');
  return parts[0]!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Self time by function and by package, and inclusive time by function, of the samples taken
 * within `window` (µs on the monotonic clock, as `process.hrtime` gives it), or of all samples.
 */
export function summarizeProfile(profile: CpuProfile, window?: { from: number; to: number }, limit = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return `${functionName || '(anonymous)'}  ${place(url)}${url ? `:${lineNumber + 1}` : ''}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  let at = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (window && (at < window.from || at > window.to)) return;
    total += us;
    add(self, key(id), us);
    add(byPackage, packageOf(place(byId.get(id)!.callFrame.url)), us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(cur);
      if (!seen.has(k)) add(inclusive, k, us);
      seen.add(k);
    }
  });
  const pct = (us: number) => `${((100 * us) / Math.max(1, total)).toFixed(1).padStart(5)}%`;
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return [
    `sampled ${(total / 1000).toFixed(0)} ms${window ? ' (the load only)' : ''}`,
    '',
    'self time by function:',
    ...top(self, limit),
    '',
    'self time by package:',
    ...top(byPackage, 15),
    '',
    'inclusive time by function:',
    ...top(inclusive, limit * 2),
  ].join('\n');
}

