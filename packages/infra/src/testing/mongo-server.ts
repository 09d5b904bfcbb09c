import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from './free-port';

export interface MongoServer {
  url: string;
  /** True for a real MongoDB (MONGO_URL), false for the jongodb test server. */
  real: boolean;
  stop(): Promise<void>;
}

/**
 * A MongoDB to test against: the real server named by MONGO_URL when set, otherwise the
 * jongodb wire-compatible test server (single-node replica set, transactions, but no write
 * conflict detection between concurrent transactions).
 */
export async function startMongoServer(database: string): Promise<MongoServer> {
  const real = process.env.MONGO_URL;
  if (real) {
    const url = new URL(real);
    url.pathname = `/${database}`;
    return { url: url.toString(), real: true, stop: async () => {} };
  }
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@jongodb/memory-server-bin-linux-x64-gnu/package.json');
  const bin = join(dirname(pkg), 'bin', 'jongodb');
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    [`--host=127.0.0.1`, `--port=${port}`, '--replica-set-name=rs0', '--topology-profile=singleNodeReplicaSet'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const uri = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('jongodb did not print its URI within 20 s')), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const m = /JONGODB_URI=(\S+)/.exec(buffer);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`jongodb exited with ${code}`)));
  });
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    real: false,
    stop: async () => {
      // a killed child has a signalCode and no exitCode: stopping it again must not wait for a second exit
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
