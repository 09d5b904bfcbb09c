// Types for images.mjs (plain JS so that `pnpm stack` runs with a bare `node`).
export declare const HASH_LABEL: string;
export declare const TARGETS: readonly string[];
export declare function imageName(target: string, tag?: string): string;
export declare function contextFiles(root: string): string[];
export declare function contextDigest(root: string): { hash: string; bytes: number };
export declare function ensureImages(
  root: string,
  targets: readonly string[],
  options?: {
    onOutput?: (chunk: unknown) => void;
    log?: (line: string) => void;
    /** Build args per target (`build.args` of the compose services building it); part of the image's hash. */
    buildArgs?: Record<string, Record<string, string>>;
  },
): Promise<Record<string, 'built' | 'reused'>>;
