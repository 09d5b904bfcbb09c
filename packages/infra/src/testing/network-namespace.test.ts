import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNetwork, iptablesUnavailable, networkNamespacesUnavailable, type NetworkNamespace, type TestNetwork } from './network-namespace';

const unavailable = networkNamespacesUnavailable() ?? iptablesUnavailable();
const NS_PORT = 8080;
/** A dropped SYN is retransmitted after 1 s; 1.5 s without an answer is a blocked path. */
const BLOCKED_AFTER_MS = 1_500;
/** A path that should be open gets much longer, so a busy machine cannot make it look blocked. */
const OPEN_WITHIN_MS = 10_000;

/** `hello` over TCP from `host:port`, or `timeout`/the error code: from the calling process, or (with `ns`) from inside the namespace. */
const CONNECT = `const s=require('net').connect(+process.argv[2],process.argv[1]);let d='';s.setTimeout(+process.argv[3],()=>{console.log('timeout');process.exit(0)});s.on('data',c=>d+=c);s.on('end',()=>{console.log(d);process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)})`;
/** Asynchronous: the host's server lives in this process and must keep answering meanwhile. */
function connect(host: string, port: number, ns?: NetworkNamespace, timeoutMs = OPEN_WITHIN_MS): Promise<string> {
  const args = ['-e', CONNECT, host, String(port), String(timeoutMs)];
  const [command, ...rest] = ns ? [...ns.exec, process.execPath, ...args] : [process.execPath, ...args];
  return new Promise((resolve, reject) =>
    execFile(command!, rest, { encoding: 'utf8', timeout: OPEN_WITHIN_MS + 5_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))),
  );
}

describe.skipIf(unavailable !== null)(`one-sided partitions of a network namespace (skipped when ${unavailable ?? 'never'}: needs root, ip netns and iptables)`, () => {
  let network: TestNetwork;
  let ns: NetworkNamespace;
  let hostServer: Server;
  let hostPort: number;
  let nsServer: ChildProcess;

  beforeAll(async () => {
    network = createTestNetwork();
    ns = network.addNamespace();
    hostServer = createServer((socket) => socket.end('hello from the host'));
    await new Promise<void>((resolve) => hostServer.listen(0, network.hostAddress, resolve));
    hostPort = (hostServer.address() as { port: number }).port;
    nsServer = spawn(ns.exec[0]!, [...ns.exec.slice(1), process.execPath, '-e', `require('net').createServer(s=>s.end('hello from the namespace')).listen(${NS_PORT},'0.0.0.0',()=>console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await Promise.race([once(nsServer.stdout!, 'data'), new Promise((_, reject) => setTimeout(() => reject(new Error('the server in the namespace did not start in 10 s')), 10_000))])) as [Buffer];
    expect(String(line)).toContain('up');
  }, 20_000);

  afterAll(async () => {
    if (nsServer && nsServer.exitCode === null) {
      nsServer.kill('SIGKILL');
      await once(nsServer, 'exit');
    }
    await new Promise((resolve) => hostServer?.close(resolve));
    network?.destroy();
  });

  it('blocking a remote cuts the namespace off from it while its own clients still reach it; unblock heals', async () => {
    expect(await connect(network.hostAddress, hostPort, ns)).toBe('hello from the host');
    ns.block({ remote: { host: network.hostAddress, port: hostPort } });
    try {
      expect(await connect(network.hostAddress, hostPort, ns, BLOCKED_AFTER_MS)).toBe('timeout');
      expect(await connect(ns.address, NS_PORT)).toBe('hello from the namespace');
    } finally {
      ns.unblock();
    }
    expect(await connect(network.hostAddress, hostPort, ns)).toBe('hello from the host');
  }, 30_000);

  it('blocking the local port cuts the clients off while the namespace still reaches its remotes; unblock heals', async () => {
    expect(await connect(ns.address, NS_PORT)).toBe('hello from the namespace');
    ns.block({ localPort: NS_PORT });
    try {
      expect(await connect(ns.address, NS_PORT, undefined, BLOCKED_AFTER_MS)).toBe('timeout');
      expect(await connect(network.hostAddress, hostPort, ns)).toBe('hello from the host');
    } finally {
      ns.unblock();
    }
    expect(await connect(ns.address, NS_PORT)).toBe('hello from the namespace');
  }, 30_000);
});
