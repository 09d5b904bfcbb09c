import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * A private network for partition tests: a bridge in the host namespace and, per process to cut
 * off, a Linux network namespace joined to it by a veth pair. Every address is link-local
 * (169.254.<n>.0/24) and exists only on these interfaces; nothing is routed off the machine.
 * Needs root and iproute2.
 */
export interface TestNetwork {
  /** Address of the bridge in the host namespace: servers bound to it are reachable from every namespace. */
  hostAddress: string;
  addNamespace(): NetworkNamespace;
  /** Deletes every namespace and interface it made; safe to call twice. */
  destroy(): void;
}

export interface NetworkNamespace {
  name: string;
  /** Its current address (changes on `heal({ readdress: true })`). */
  readonly address: string;
  /** Prefix for running a command inside the namespace: `[...ns.exec, 'node', 'main.js']`. */
  exec: string[];
  /** Takes the link down: packets to and from the namespace are dropped, nothing is reset. */
  cut(): void;
  /**
   * Brings the link back. With `readdress`, the namespace comes back under a new address (as a
   * container reconnected to its network does): connections made before the cut can never resume.
   */
  heal(options?: { readdress?: boolean }): void;
  readonly isCut: boolean;
  /**
   * A one-sided partition, with iptables inside the namespace: TCP packets to and from `remote`
   * (what the process connects to, e.g. Redis), or to and from the process's own listening
   * `localPort` (its clients), are dropped silently; everything else still flows. Undone by
   * `unblock`. Needs iptables (see `iptablesUnavailable`).
   */
  block(what: { remote: { host: string; port: number } } | { localPort: number }): void;
  unblock(): void;
}

/** Why one-sided partitions (`NetworkNamespace.block`) cannot run here, or null when they can. */
export function iptablesUnavailable(): string | null {
  const version = spawnSync('iptables', ['--version'], { stdio: 'ignore' });
  if (version.error || version.status !== 0) return 'needs iptables';
  if (process.getuid?.() !== 0) return 'needs root';
  // installed is not enough: it must work inside a network namespace (nf_tables or legacy, no stuck lock)
  const probe = `pzprobe${randomBytes(3).toString('hex')}`;
  const added = spawnSync('ip', ['netns', 'add', probe], { stdio: 'ignore' });
  if (added.error || added.status !== 0) return 'needs iproute2 (`ip netns`)';
  try {
    const listed = spawnSync('ip', ['netns', 'exec', probe, 'iptables', '-w', '5', '-S'], { stdio: 'ignore', timeout: 15_000 });
    return listed.error || listed.status !== 0 ? 'iptables does not work inside a network namespace here (try iptables-legacy)' : null;
  } finally {
    spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  }
}

/** Why partition tests cannot run here, or null when they can. */
export function networkNamespacesUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  const probe = spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return 'needs iproute2 (`ip netns`)';
  return null;
}

const made = new Set<TestNetwork>();
// Last resort: a test or run that dies leaves no namespace behind.
process.once('exit', () => {
  for (const network of made) network.destroy();
});

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function freeSubnet(): number {
  const routes = execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  for (let tries = 0; tries < 64; tries++) {
    const octet = 1 + (randomBytes(1)[0]! % 254);
    if (!routes.includes(`169.254.${octet}.`)) return octet;
  }
  throw new Error('no free 169.254.<n>.0/24 subnet for a test network');
}

export function createTestNetwork(): TestNetwork {
  const id = randomBytes(3).toString('hex');
  const subnet = freeSubnet();
  const bridge = `pzb${id}`;
  const hostAddress = `169.254.${subnet}.1`;
  const namespaces: NetworkNamespace[] = [];
  let lastHost = 1;
  const nextAddress = () => {
    if (lastHost >= 254) throw new Error('a test network has no addresses left');
    return `169.254.${subnet}.${++lastHost}`;
  };
  let destroyed = false;

  ip('link', 'add', bridge, 'type', 'bridge');
  const network: TestNetwork = {
    hostAddress,
    addNamespace() {
      const n = namespaces.length + 1;
      const name = `pz${id}n${n}`;
      const hostEnd = `pzv${id}${n}`;
      let address = nextAddress();
      ip('netns', 'add', name);
      let isCut = false;
      const ns: NetworkNamespace = {
        name,
        get address() {
          return address;
        },
        exec: ['ip', 'netns', 'exec', name],
        cut() {
          ip('link', 'set', hostEnd, 'down');
          isCut = true;
        },
        heal(options = {}) {
          if (options.readdress) {
            const fresh = nextAddress();
            ip('-n', name, 'addr', 'del', `${address}/24`, 'dev', 'eth0');
            ip('-n', name, 'addr', 'add', `${fresh}/24`, 'dev', 'eth0');
            address = fresh;
          }
          ip('link', 'set', hostEnd, 'up');
          isCut = false;
        },
        get isCut() {
          return isCut;
        },
        block(what) {
          const rules =
            'remote' in what
              ? [
                  ['OUTPUT', '-d', what.remote.host, '--dport', String(what.remote.port)],
                  ['INPUT', '-s', what.remote.host, '--sport', String(what.remote.port)],
                ]
              : [
                  ['INPUT', '--dport', String(what.localPort)],
                  ['OUTPUT', '--sport', String(what.localPort)],
                ];
          try {
            for (const [chain, ...match] of rules) ip('netns', 'exec', name, 'iptables', '-w', '5', '-A', chain!, '-p', 'tcp', ...match, '-j', 'DROP');
          } catch (error) {
            // never leave half a partition behind: a rule that went in would otherwise stay forever
            ns.unblock();
            throw error;
          }
        },
        unblock() {
          for (const chain of ['INPUT', 'OUTPUT']) ip('netns', 'exec', name, 'iptables', '-w', '5', '-F', chain);
        },
      };
      namespaces.push(ns);
      ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name);
      ip('link', 'set', hostEnd, 'master', bridge);
      ip('link', 'set', hostEnd, 'up');
      ip('-n', name, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      ip('-n', name, 'link', 'set', 'eth0', 'up');
      ip('-n', name, 'link', 'set', 'lo', 'up');
      return ns;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      made.delete(network);
      // Deleting a namespace deletes its veth end, and with it the peer on the bridge.
      for (const ns of namespaces) spawnSync('ip', ['netns', 'delete', ns.name], { stdio: 'ignore' });
      spawnSync('ip', ['link', 'delete', bridge], { stdio: 'ignore' });
    },
  };
  made.add(network);
  try {
    ip('addr', 'add', `${hostAddress}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
  } catch (err) {
    network.destroy();
    throw err;
  }
  return network;
}
