// Types for podman.mjs (plain JS so that `pnpm stack` runs with a bare `node`).
import type { ComposeService } from './compose-files.mjs';
export declare function runArgs(project: string, name: string, service: ComposeService, index: number): string[];
