#!/usr/bin/env node
// `pnpm dev` needs Redis: say so in one clear line instead of four services failing.
import { createConnection } from 'node:net';

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const port = Number(url.port || 6379);
const socket = createConnection({ host: url.hostname, port });
const fail = (why) => {
  console.error(`Redis is not reachable at ${url.hostname}:${port} (${why}). Start it (e.g. \`redis-server\`) or set REDIS_URL; \`pnpm start\` runs without Redis.`);
  process.exit(1);
};
socket.setTimeout(2000, () => fail('timeout'));
socket.once('error', (error) => fail(error.code ?? error.message));
socket.once('connect', () => socket.write('PING\r\n'));
socket.once('data', (data) => {
  socket.destroy();
  if (!String(data).startsWith('+PONG') && !String(data).startsWith('-NOAUTH')) fail(`unexpected answer ${JSON.stringify(String(data).trim())}`);
});
