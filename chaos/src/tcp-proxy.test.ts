import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/** Reads from a socket until `text` arrived, or fails after `timeoutMs`. */
function readUntil(socket: Socket, text: string, timeoutMs = 10_000): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms; saw "${seen}"`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(seen);
      }
    };
    socket.on('data', onData);
  });
}

describe('the TCP proxy between the services and Redis', () => {
  let echo: Server;
  let proxy: TcpProxy;
  let client: Socket;

  beforeEach(async () => {
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    proxy = await startTcpProxy('127.0.0.1', { host: '127.0.0.1', port: (echo.address() as { port: number }).port });
    client = createConnection(proxy.port, '127.0.0.1');
    client.on('error', () => undefined);
    await once(client, 'connect');
  });

  afterEach(async () => {
    client.destroy();
    await proxy.close();
    await new Promise((r) => echo.close(r));
  });

  it('forwards both ways, and with latency every chunk waits at least that long in each direction', async () => {
    client.write('plain');
    await readUntil(client, 'plain');
    proxy.setLatency(200);
    const started = Date.now();
    client.write('slow');
    await readUntil(client, 'slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('holds every byte while stalled, closes nothing, and delivers them after resume', async () => {
    proxy.stall();
    let received = '';
    client.on('data', (c: Buffer) => (received += c.toString()));
    client.write('held');
    await new Promise((r) => setTimeout(r, 500));
    expect(received).toBe('');
    expect(client.destroyed).toBe(false);
    proxy.resume();
    await expect.poll(() => received, { timeout: 10_000 }).toBe('held');
  });

  it('resets every connection it carries with a TCP RST, and accepts new ones', async () => {
    client.write('first');
    await readUntil(client, 'first');
    const error = new Promise<NodeJS.ErrnoException>((resolve) => client.once('error', resolve));
    expect(proxy.resetAll()).toBe(1);
    expect((await error).code).toBe('ECONNRESET');
    const next = createConnection(proxy.port, '127.0.0.1');
    try {
      await once(next, 'connect');
      next.write('again');
      await readUntil(next, 'again');
    } finally {
      next.destroy();
    }
  });
});
