// Types for render.mjs (plain JS so that it runs with a bare `node`, no build step).
export declare const NGINX_DIR: string;
export declare const TEMPLATES_DIR: string;
export declare const MAIN_CONF: string;
export declare const DEFAULTS: Readonly<Record<string, string>>;
export declare const TEMPLATE_VARIABLES: readonly string[];
export declare function templateVariables(text: string): string[];
export declare function renderTemplate(text: string, env: Record<string, string | undefined>): string;
export interface RenderedNginx {
  prefix: string;
  confPath: string;
  rendered: string[];
  args: string[];
}
export declare function renderNginx(prefix: string, env?: Record<string, string>): RenderedNginx;
export declare function nginxArgs(prefix: string, options?: { test?: boolean }): string[];
