import { ParentBasedSampler, TraceIdRatioBasedSampler, AlwaysOffSampler } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { tracingRequested } from './tracing';
import { batchSettings, otlpSettings, samplerFromEnv } from './tracing-env';

describe('tracing configuration from OTEL_* variables', () => {
  it('is on only with an endpoint, and OTEL_SDK_DISABLED=true turns it off', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('appends /v1/traces to the base endpoint; a traces endpoint is used as given', () => {
    expect(otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }).url).toBe('http://c:4318/v1/traces');
    expect(otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/x' }).url).toBe('http://t:1/x');
  });

  it('refuses an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(() => otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: expected an http\(s\) URL/);
    expect(() => otlpSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://c' })).toThrow(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/);
  });

  it('speaks http/protobuf by default, http/json on request, and names an unsupported protocol', () => {
    expect(otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }).protocol).toBe('http/protobuf');
    expect(otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).protocol).toBe('http/json');
    const grpc = otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(grpc.protocol).toBe('http/protobuf');
    expect(grpc.warning).toMatch(/grpc is not supported/);
  });

  it('builds the sampler OTEL_TRACES_SAMPLER names, with its ratio', () => {
    expect(samplerFromEnv({}).sampler).toBeInstanceOf(ParentBasedSampler);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).sampler).toBeInstanceOf(AlwaysOffSampler);
    const ratio = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).sampler;
    expect(ratio).toBeInstanceOf(TraceIdRatioBasedSampler);
    expect(ratio.toString()).toContain('0.25');
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'bogus' }).warning).toMatch(/bogus is not supported/);
  });

  it('sizes the batch span processor from OTEL_BSP_MAX_QUEUE_SIZE and OTEL_BSP_SCHEDULE_DELAY, naming a bad value', () => {
    expect(batchSettings({})).toEqual({ maxQueueSize: 4096, scheduledDelayMillis: 1000, warnings: [] });
    expect(batchSettings({ OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_SCHEDULE_DELAY: '250' })).toEqual({ maxQueueSize: 100, scheduledDelayMillis: 250, warnings: [] });
    const bad = batchSettings({ OTEL_BSP_MAX_QUEUE_SIZE: '-3', OTEL_BSP_SCHEDULE_DELAY: 'soon' });
    expect([bad.maxQueueSize, bad.scheduledDelayMillis]).toEqual([4096, 1000]);
    expect(bad.warnings).toEqual([
      'OTEL_BSP_MAX_QUEUE_SIZE=-3 is not a positive integer; using 4096',
      'OTEL_BSP_SCHEDULE_DELAY=soon is not a positive integer; using 1000',
    ]);
  });
});
