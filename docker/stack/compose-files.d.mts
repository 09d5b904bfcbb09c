// Types for compose-files.mjs (plain JS so that `pnpm stack` runs with a bare `node`).
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> | string[] };
  command?: string | string[];
  entrypoint?: string | string[];
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  deploy?: { replicas?: string | number };
  healthcheck?: { test?: string | string[]; interval?: string; timeout?: string; start_period?: string; retries?: number };
  [key: string]: unknown;
}
export interface ComposeModel {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}
export declare class MissingVariableError extends Error {
  variable: string;
}
export declare function interpolate(text: string, env: Record<string, string | undefined>): string;
export declare function loadCompose(files: string[], env?: Record<string, string | undefined>): ComposeModel;
export declare function startOrder(services: Record<string, ComposeService>): string[];
export declare function dependencies(service: ComposeService): Record<string, { condition: string }>;
