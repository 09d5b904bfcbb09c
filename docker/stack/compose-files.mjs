// Reads compose files the way `docker compose -f a -f b` does, for the parts this project uses:
// YAML merge keys, `!override` / `!reset` in override files, later files merged over earlier ones,
// ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message} and $$ interpolation.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

const OVERRIDE = Symbol('override');
const RESET = Symbol('reset');

/** A setting a compose file requires (`${VAR:?…}`) that the environment does not give. */
export class MissingVariableError extends Error {
  constructor(name, message) {
    super(`${name} is not set: ${message || 'the compose files require it'}`);
    this.variable = name;
  }
}

const tag = (name, marker, collection) => ({
  tag: name,
  collection,
  resolve: (value) => ({ [marker]: value.toJSON ? value.toJSON() : value }),
});
const customTags = [
  tag('!override', OVERRIDE, 'map'),
  tag('!override', OVERRIDE, 'seq'),
  tag('!reset', RESET, 'map'),
  tag('!reset', RESET, 'seq'),
  { tag: '!reset', resolve: () => ({ [RESET]: null }) },
];

// Lists that compose merges (union) instead of replacing.
const MERGED_LISTS = new Set(['volumes', 'ports', 'tmpfs', 'cap_drop', 'cap_add', 'security_opt', 'group_add', 'dns', 'profiles']);

const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function merge(base, over, key) {
  if (isMap(over) && OVERRIDE in over) return strip(over[OVERRIDE]);
  if (isMap(over) && RESET in over) return undefined;
  if (Array.isArray(base) && Array.isArray(over) && MERGED_LISTS.has(key)) return [...new Set([...base, ...over])];
  if (!isMap(base) || !isMap(over)) return strip(over);
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const merged = merge(base[k], v, k);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function strip(value) {
  if (Array.isArray(value)) return value.map(strip);
  if (!isMap(value)) return value;
  if (OVERRIDE in value) return strip(value[OVERRIDE]);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
}

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Replaces ${…} forms in one string with values from env (see the file comment). */
export function interpolate(text, env) {
  return text.replace(VARIABLE, (all, name, op, arg, bare) => {
    if (all === '$$') return '$';
    const key = name ?? bare;
    const value = env[key];
    const unset = value === undefined;
    const empty = unset || value === '';
    if (op === ':-') return empty ? interpolate(arg, env) : value;
    if (op === '-') return unset ? interpolate(arg, env) : value;
    if (op === ':?' && empty) throw new MissingVariableError(key, arg);
    if (op === '?' && unset) throw new MissingVariableError(key, arg);
    return value ?? '';
  });
}

function interpolateAll(value, env) {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env));
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  return value;
}

/**
 * The merged, interpolated model of the given compose files. Relative bind-mount sources and
 * build contexts are made absolute against the directory of the first file, as compose does.
 */
export function loadCompose(files, env = process.env) {
  let model = {};
  for (const file of files) {
    const doc = parse(readFileSync(file, 'utf8'), { merge: true, customTags }) ?? {};
    model = merge(model, doc);
  }
  model = interpolateAll(strip(model), env);
  const base = dirname(resolve(files[0]));
  for (const service of Object.values(model.services ?? {})) {
    if (service.build) service.build = { ...service.build, context: resolve(base, service.build.context ?? '.') };
    service.volumes = (service.volumes ?? []).map((v) => (v.startsWith('.') ? resolve(base, v.split(':')[0]) + v.slice(v.indexOf(':')) : v));
    if (isMap(service.environment)) service.environment = Object.fromEntries(Object.entries(service.environment).map(([k, v]) => [k, v == null ? '' : String(v)]));
  }
  return model;
}

/** Services in an order where every service comes after the services it depends on. */
export function startOrder(services) {
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || !services[name]) return;
    seen.add(name);
    for (const dep of Object.keys(dependencies(services[name]))) visit(dep);
    order.push(name);
  };
  for (const name of Object.keys(services)) visit(name);
  return order;
}

/** depends_on in its long form: { service: { condition } }. */
export function dependencies(service) {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, { condition: 'service_started' }]));
  return deps;
}
