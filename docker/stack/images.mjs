// Builds the images of docker/Dockerfile under Podman, reusing an image only when it was built
// from exactly the current sources: each image carries the hash of its build context (the files
// .dockerignore lets through) and of its base images as a label; a different hash rebuilds.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './errors.mjs';

const exec = promisify(execFile);
export const HASH_LABEL = 'com.pizza-express.source-hash';
/** Every target of docker/Dockerfile that makes an image, and the image name compose uses. */
export const TARGETS = ['order-service', 'notifications', 'delivery', 'simulator', 'server', 'web'];
export const imageName = (target, tag = process.env.TAG || 'local') => `pizza-express/${target}:${tag}`;

function globToRegExp(pattern) {
  const body = pattern
    .replace(/^\//, '')
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .split('**/')
    .map((part) => part.replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
    .join('(?:.*/)?');
  return new RegExp(`^${body}(?:/.*)?$`);
}

/** The files of the build context: every file under root that .dockerignore does not exclude. */
export function contextFiles(root) {
  const patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const rules = patterns.map((p) => (p.startsWith('!') ? { keep: true, re: globToRegExp(p.slice(1)) } : { keep: false, re: globToRegExp(p) }));
  const ignored = (path) => rules.reduce((out, r) => (r.re.test(path) ? !r.keep : out), false);
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative(root, full);
      if (ignored(path)) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk(root);
  return files.sort();
}

/** Hash and size (bytes) of the build context. */
export function contextDigest(root) {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const path of contextFiles(root)) {
    const content = readFileSync(join(root, path));
    bytes += statSync(join(root, path)).size;
    hash.update(path).update('\0').update(content).update('\0');
  }
  return { hash: hash.digest('hex'), bytes };
}

async function inspect(format, image) {
  try {
    return (await exec('podman', ['image', 'inspect', '--format', format, image])).stdout.trim();
  } catch {
    return undefined;
  }
}

/** The base images named by ARGs of the Dockerfile (`ARG X_IMAGE=name`). */
function baseImages(dockerfile) {
  return [...readFileSync(dockerfile, 'utf8').matchAll(/^ARG \w+_IMAGE=(\S+)/gm)].map((m) => m[1]);
}

function build(args, onOutput) {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', ['build', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BUILDAH_FORMAT: 'docker' } });
    const tail = [];
    const keep = (chunk) => {
      onOutput?.(chunk);
      tail.push(...String(chunk).split('\n'));
      tail.splice(0, Math.max(0, tail.length - 30));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new StackError(`image build failed (podman build ${args.join(' ')}):\n${tail.join('\n')}`))));
  });
}

/**
 * Makes sure pizza-express/<target>:<tag> exists for each target and matches the current
 * sources (and the target's build args, from the compose files); builds those that do not.
 * Returns what it did per target ('built' | 'reused').
 */
export async function ensureImages(root, targets, { onOutput, log, buildArgs = {} } = {}) {
  const dockerfile = join(root, 'docker/Dockerfile');
  const context = contextDigest(root);
  const hash = createHash('sha256').update(context.hash).update(readFileSync(dockerfile));
  for (const base of baseImages(dockerfile)) hash.update((await inspect('{{.Id}}', base)) ?? base);
  const digest = hash.digest('hex').slice(0, 32);
  const result = {};
  for (const target of targets) {
    const name = imageName(target);
    const args = Object.entries(buildArgs[target] ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const targetDigest = args.length === 0 ? digest : createHash('sha256').update(digest).update(JSON.stringify(args)).digest('hex').slice(0, 32);
    if ((await inspect(`{{index .Labels "${HASH_LABEL}"}}`, name)) === targetDigest) {
      result[target] = 'reused';
      continue;
    }
    log?.(`building ${name} (context ${(context.bytes / 1e6).toFixed(1)} MB)`);
    const argFlags = args.flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
    await build(['--pull=never', '--layers', '-f', dockerfile, '--target', target, ...argFlags, '--label', `${HASH_LABEL}=${targetDigest}`, '-t', name, root], onOutput);
    result[target] = 'built';
  }
  return result;
}
