// The parts of `pnpm stack` that need no container engine: the build context and the hash that
// decides whether a built image is reused, the compose model read under Podman, and the
// `podman run` arguments made from it. (The stack itself runs under Podman in e2e/containers.)
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MissingVariableError, loadCompose, startOrder } from '../stack/compose-files.mjs';
import { contextDigest, contextFiles } from '../stack/images.mjs';
import { runArgs } from '../stack/podman.mjs';
import { REPO_ROOT, docker } from './lib';

const APP_SERVICES = ['order-service', 'notifications', 'delivery', 'simulator'];
const podmanFiles = ['compose.yaml', 'compose.podman.yaml'].map((f) => docker(f));

describe('build context (.dockerignore) and image reuse', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('the context of the repository has the lockfile, every manifest and the built sources, and no node_modules, dist, tests, docs or e2e sources', () => {
    const files = contextFiles(REPO_ROOT);
    expect(files).toEqual(
      expect.arrayContaining([
        'pnpm-lock.yaml',
        '.npmrc',
        'packages/infra/package.json',
        'packages/infra/src/index.ts',
        'apps/web/package.json',
        'e2e/package.json',
        'chaos/package.json',
        'docker/web/default.conf',
      ]),
    );
    const unwanted = files.filter((f) =>
      /(^|\/)(node_modules|dist|\.turbo|test)\/|\.test\.tsx?$|\.md$|^\.git(\/|$)|^docs\/|^scripts\/|^(e2e|bench|chaos|deploy|docker)\/(?!package\.json$|web\/)/.test(f),
    );
    expect(unwanted).toEqual([]);
    expect(contextDigest(REPO_ROOT).bytes).toBeLessThan(2_000_000);
  });

  it('the context hash changes when a file the build reads changes, and not when an ignored file changes', () => {
    const root = mkdtempSync(join(tmpdir(), 'stack-context-'));
    dirs.push(root);
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('.dockerignore', '**/node_modules\n**/*.md\ne2e/*\n!e2e/package.json\n');
    write('src/a.ts', 'export const a = 1;\n');
    write('README.md', '# readme\n');
    write('e2e/package.json', '{"name":"e2e"}\n');
    write('e2e/flow.spec.ts', 'test();\n');
    write('node_modules/p/index.js', 'module.exports = 1;\n');
    const first = contextDigest(root).hash;

    appendFileSync(join(root, 'README.md'), 'more\n');
    appendFileSync(join(root, 'e2e/flow.spec.ts'), 'more();\n');
    write('node_modules/q/index.js', 'module.exports = 2;\n');
    expect(contextDigest(root).hash).toBe(first);

    appendFileSync(join(root, 'e2e/package.json'), '\n');
    const afterManifest = contextDigest(root).hash;
    expect(afterManifest).not.toBe(first);
    appendFileSync(join(root, 'src/a.ts'), 'export const b = 2;\n');
    const afterSource = contextDigest(root).hash;
    expect(afterSource).not.toBe(afterManifest);
    write('src/c.ts', '');
    expect(contextDigest(root).hash).not.toBe(afterSource);
  });
});

describe('the compose model under Podman (compose.yaml + compose.podman.yaml)', () => {
  const env = { TAG: 't1', EDGE_PORT: '18999', NOTIFICATIONS_REPLICAS: '2' };

  it('moves MongoDB to a profile nobody starts and puts every service on SQLite in the shared volume', () => {
    const { services, volumes } = loadCompose(podmanFiles, env);
    expect(services.mongo!.profiles).toEqual(['mongo']);
    expect(services['mongo-init']!.profiles).toEqual(['mongo']);
    expect(Object.keys(volumes ?? {})).toContain('pizza-data');
    for (const name of APP_SERVICES) {
      const service = services[name]!;
      expect(service.environment!.DATABASE_URL, name).toBe('sqlite:/data/pizza.db');
      expect(service.environment!.REDIS_URL, name).toBe('redis://redis:6379');
      expect(service.volumes, name).toContain('pizza-data:/data');
      expect(service.image, name).toBe(`pizza-express/${name}:t1`);
      expect(Object.keys(service.depends_on ?? {}), name).not.toContain('mongo-init');
    }
    expect(services['order-service']!.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(services.notifications!.deploy!.replicas).toBe('2');
    expect(services.nginx!.environment).toMatchObject({ UPSTREAM_RESOLVE: '', PROMETHEUS_ADDR: '127.0.0.1:9', GRAFANA_ADDR: '127.0.0.1:9' });
    expect(services.nginx!.ports).toEqual(['127.0.0.1:18999:8080']);
  });

  it('leaves the production file on MongoDB', () => {
    const { services } = loadCompose([docker('compose.yaml')], env);
    expect(services.mongo!.profiles).toBeUndefined();
    for (const name of APP_SERVICES) expect(services[name]!.environment!.DATABASE_URL, name).toMatch(/^mongodb:\/\/mongo:27017\//);
  });

  it('starts every service after the services it depends on', () => {
    const { services } = loadCompose(podmanFiles, env);
    const order = startOrder(services);
    const before = (a: string, b: string) => expect(order.indexOf(a), `${a} before ${b}`).toBeLessThan(order.indexOf(b));
    before('redis', 'order-service');
    before('order-service', 'notifications');
    before('order-service', 'simulator');
    before('notifications', 'nginx');
    before('web', 'nginx');
  });

  it('refuses the observability file without GRAFANA_ADMIN_PASSWORD, naming the variable', () => {
    const files = ['compose.yaml', 'compose.observability.yaml', 'compose.podman.yaml'].map((f) => docker(f));
    expect(() => loadCompose(files, env)).toThrow(MissingVariableError);
    expect(() => loadCompose(files, env)).toThrow(/^GRAFANA_ADMIN_PASSWORD is not set/);
    expect(loadCompose(files, { ...env, GRAFANA_ADMIN_PASSWORD: 'x' }).services.grafana).toBeDefined();
  });
});

describe('podman run arguments made from the compose model', () => {
  const { services } = loadCompose(podmanFiles, { TAG: 't1', EDGE_PORT: '18999' });

  it('a service container: read-only root, no capabilities, no new privileges, writable /tmp, init, restart policy, its network name', () => {
    const args = runArgs('p1', 'order-service', services['order-service']!, 1);
    const pairs = args.slice(0, -1).map((a, i) => `${a} ${args[i + 1]}`);
    expect(args.slice(0, 5)).toEqual(['run', '-d', '--pull=never', '--name', 'p1-order-service-1']);
    expect(args).toEqual(expect.arrayContaining(['--read-only', '--init']));
    expect(pairs).toEqual(
      expect.arrayContaining([
        '--network p1_default',
        '--network-alias order-service',
        '--cap-drop ALL',
        '--security-opt no-new-privileges',
        '--mount type=tmpfs,destination=/tmp,chown=true',
        '--restart unless-stopped',
        '-v p1_pizza-data:/data',
        '-e DATABASE_URL=sqlite:/data/pizza.db',
        '--label com.docker.compose.project=p1',
      ]),
    );
    expect(args.at(-1)).toBe('pizza-express/order-service:t1');
  });

  it('Redis: its user, its health check in podman terms and its command after the image', () => {
    const args = runArgs('p1', 'redis', services.redis!, 1);
    const pairs = args.slice(0, -1).map((a, i) => `${a} ${args[i + 1]}`);
    expect(pairs).toEqual(
      expect.arrayContaining(['--user 999:999', '--health-cmd redis-cli ping | grep -q PONG', '--health-interval 5s', '--health-timeout 3s', '--health-retries 20']),
    );
    const image = args.indexOf('redis:7-alpine');
    expect(args.slice(image + 1)).toEqual(['redis-server', '--appendonly', 'yes', '--appendfsync', 'everysec']);
  });

  it('the edge publishes only its port on the loopback address', () => {
    const options = (name: string) => {
      const args = runArgs('p1', name, services[name]!, 1);
      return args.slice(0, args.indexOf(services[name]!.image!)); // what follows the image is its command
    };
    const edge = options('nginx');
    expect(edge.filter((a, i) => edge[i - 1] === '-p')).toEqual(['127.0.0.1:18999:8080']);
    for (const name of [...APP_SERVICES, 'redis', 'web']) expect(options(name), name).not.toContain('-p');
  });
});
