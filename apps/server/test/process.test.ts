import { describe, expect, it } from 'vitest';
import { startProcess } from './app-process';

describe('the all-in-one process', () => {
  it.each([
    ['PORT', 'not-a-port'],
    ['DATABASE_URL', 'postgres://nope'],
    ['SIM_CONFIRM_DELAY_MS', '10-2'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'localhost:6379'],
    ['STREAM_CLAIM_IDLE_MS', 'soon'],
    ['WS_IDLE_TIMEOUT_MS', '10'],
  ])('refuses to start with a bad %s and names it', async (name, value) => {
    const app = await startProcess('apps/server/src/main.ts', { [name]: value }, { waitForHealth: false });
    const code = await new Promise<number | null>((resolve) => app.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(app.output()).toContain(name);
  });

  it('says in one line when Redis is not reachable', async () => {
    const app = await startProcess('apps/server/src/main.ts', { REDIS_URL: 'redis://127.0.0.1:1' }, { waitForHealth: false });
    const code = await new Promise<number | null>((resolve) => app.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(app.output()).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1/);
  });

  it('says in one line when the port is taken', async () => {
    const first = await startProcess();
    try {
      const second = await startProcess('apps/server/src/main.ts', { PORT: String(first.port) }, { waitForHealth: false });
      const code = await new Promise<number | null>((resolve) => second.child.once('exit', resolve));
      expect(code).toBe(1);
      expect(second.output()).toMatch(new RegExp(`port ${first.port} is already in use`));
      expect(second.output()).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      await first.kill();
    }
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const app = await startProcess();
    expect((await fetch(`${app.url}/api/v1/health`)).status).toBe(200);
    expect(await app.stop()).toBe(0);
  });
});
