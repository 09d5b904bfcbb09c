import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, isAlive, startChild, type Child } from '@pizza/infra/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startSupervised } from './supervise';

/** A service that exits with an error on its first `failures` starts (as one that cannot reach Redis yet), then serves 200. */
const SERVICE = `
const fs = require('fs'); const [, counter, failures, port] = process.argv;
const n = (fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0) + 1;
fs.writeFileSync(counter, String(n));
if (n <= Number(failures)) { console.error('Redis is not reachable'); process.exit(1); }
require('http').createServer((q, s) => s.end('ok')).listen(Number(port), '127.0.0.1');
`;

describe('a supervised start', () => {
  const children: Child[] = [];
  let dir = '';
  afterEach(async () => {
    await Promise.all(children.map((c) => c.stop(1000)));
    children.length = 0;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = async (failures: number, attempts: number) => {
    dir = mkdtempSync(join(tmpdir(), 'chaos-supervise-'));
    const counter = join(dir, 'starts');
    const port = await freePort();
    let current: Child | undefined;
    const run = startSupervised({
      spawn: () => startChild('flaky', process.execPath, ['-e', SERVICE, counter, String(failures), String(port)]),
      onSpawn: (c) => {
        current = c;
        children.push(c);
      },
      url: () => `http://127.0.0.1:${port}/`,
      attempts,
      timeoutMs: 20_000,
      pauseMs: 50,
    });
    return { run, starts: () => Number(readFileSync(counter, 'utf8')), current: () => current };
  };

  it('starts a process again when it exits while starting, and hands over the child that came up', async () => {
    const s = await start(2, 5);
    const child = await s.run;
    expect(s.starts()).toBe(3);
    expect(child).toBe(s.current());
    expect(isAlive(child)).toBe(true);
  }, 60_000);

  it('gives up after its attempts with the last failure', async () => {
    const s = await start(5, 2);
    await expect(s.run).rejects.toThrow(/exited .*Redis is not reachable/s);
    expect(s.starts()).toBe(2);
  }, 60_000);
});
