import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * The link between the services and Redis, under the runner's control (this kernel has no netem):
 * added latency, a stall (bytes held in both directions, nothing closed), or a reset of every
 * connection. Listens on `host:port`, forwards to `target`.
 */
export interface TcpProxy {
  port: number;
  setLatency(ms: number): void;
  stall(): void;
  resume(): void;
  /** Closes every proxied connection with a TCP RST; new ones are accepted as before. */
  resetAll(): number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startTcpProxy(host: string, target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let latencyMs = 0;
  let stalled = false;

  // Each direction forwards in order; with latency, every chunk waits latencyMs after it arrived.
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (latencyMs === 0) {
        to.write(chunk);
        return;
      }
      from.pause();
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
        if (!stalled) from.resume();
      }, latencyMs);
    });
  };

  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    pipe(client, upstream);
    pipe(upstream, client);
    if (stalled) {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the TCP proxy has no port');

  return {
    port: address.port,
    setLatency(ms) {
      latencyMs = ms;
    },
    stall() {
      stalled = true;
      for (const { client, upstream } of pairs) {
        client.pause();
        upstream.pause();
      }
    },
    resume() {
      stalled = false;
      for (const { client, upstream } of pairs) {
        client.resume();
        upstream.resume();
      }
    },
    resetAll() {
      const count = pairs.size;
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.upstream.destroy();
        pairs.delete(pair);
      }
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
