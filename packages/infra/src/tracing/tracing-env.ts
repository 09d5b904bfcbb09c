import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { ConfigError } from '../config';

/** How the standard `OTEL_*` variables configure the exporter and the sampler. */

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface OtlpSettings {
  url: string;
  protocol: OtlpProtocol;
  /** Set when the environment asked for something unsupported; the default was used instead. */
  warning?: string;
}

/** The traces URL: `..._TRACES_ENDPOINT` as given, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. Throws a ConfigError on a bad URL. */
export function otlpSettings(env: Record<string, string | undefined>): OtlpSettings {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() ?? '';
  const url = specific || `${base.replace(/\/+$/, '')}/v1/traces`;
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
    const name = specific ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    throw new ConfigError(`Invalid configuration:\n  ${name}: expected an http(s) URL, got "${specific || base}"`);
  }
  const asked = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (!asked || asked === 'http/protobuf' || asked === 'http/json') return { url, protocol: asked === 'http/json' ? 'http/json' : 'http/protobuf' };
  return { url, protocol: 'http/protobuf', warning: `OTEL_EXPORTER_OTLP_PROTOCOL=${asked} is not supported; using http/protobuf` };
}

/** `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`; the default is `parentbased_always_on`. */
export function samplerFromEnv(env: Record<string, string | undefined>): { sampler: Sampler; warning?: string } {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on';
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const ratio = Number.isFinite(arg) && arg >= 0 && arg <= 1 ? arg : 1;
  switch (name) {
    case 'always_on':
      return { sampler: new AlwaysOnSampler() };
    case 'always_off':
      return { sampler: new AlwaysOffSampler() };
    case 'traceidratio':
      return { sampler: new TraceIdRatioBasedSampler(ratio) };
    case 'parentbased_always_on':
      return { sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }) };
    case 'parentbased_always_off':
      return { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) };
    case 'parentbased_traceidratio':
      return { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }) };
    default:
      return {
        sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
        warning: `OTEL_TRACES_SAMPLER=${name} is not supported; using parentbased_always_on`,
      };
  }
}

export interface BatchSettings {
  maxQueueSize: number;
  scheduledDelayMillis: number;
  /** Set when a variable held something other than a positive integer; its default was used. */
  warnings: string[];
}

/** `OTEL_BSP_MAX_QUEUE_SIZE` (default 4096) and `OTEL_BSP_SCHEDULE_DELAY` in ms (default 1000) of the batch span processor. */
export function batchSettings(env: Record<string, string | undefined>): BatchSettings {
  const warnings: string[] = [];
  const positive = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value > 0) return value;
    warnings.push(`${name}=${raw} is not a positive integer; using ${fallback}`);
    return fallback;
  };
  return { maxQueueSize: positive('OTEL_BSP_MAX_QUEUE_SIZE', 4096), scheduledDelayMillis: positive('OTEL_BSP_SCHEDULE_DELAY', 1000), warnings };
}
