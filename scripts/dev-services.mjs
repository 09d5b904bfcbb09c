#!/usr/bin/env node
// Runs service entry points side by side with reload on change (tsx watch), prefixing their
// output, for `pnpm dev`. Usage: node scripts/dev-services.mjs name=src/entry.ts [name=…]
// Every service shares Redis and one SQLite file unless REDIS_URL / DATABASE_URL say otherwise.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, '.data'), { recursive: true });
const env = {
  ...process.env,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  DATABASE_URL: process.env.DATABASE_URL ?? `sqlite:${join(root, '.data', 'pizza-dev.db')}`,
};

const children = process.argv.slice(2).map((arg) => {
  const [name, entry] = arg.split('=');
  const child = spawn('tsx', ['watch', '--clear-screen=false', entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop();
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  return child;
});

const stop = (signal) => {
  for (const child of children) child.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
let running = children.length;
for (const child of children) child.on('exit', () => --running === 0 && process.exit(0));
