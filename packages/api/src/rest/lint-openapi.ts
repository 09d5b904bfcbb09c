import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildOpenApiDocument } from './openapi-document';

/** Problems one linter found, by severity. */
export interface LintCounts {
  errors: number;
  warnings: number;
  rules: Record<string, number>;
}

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.bin');

function run(tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // both tools exit non-zero when they find errors: the JSON on stdout is the answer either way
    execFile(join(BIN, tool), args, { maxBuffer: 32 * 1024 * 1024, timeout: 120_000 }, (error, stdout) => {
      if (stdout.trim().startsWith('{') || stdout.trim().startsWith('[')) resolve(stdout);
      else reject(error ?? new Error(`${tool} printed no JSON`));
    });
  });
}

function count(problems: { rule: string; error: boolean }[]): LintCounts {
  const rules: Record<string, number> = {};
  for (const p of problems) rules[p.rule] = (rules[p.rule] ?? 0) + 1;
  return { errors: problems.filter((p) => p.error).length, warnings: problems.filter((p) => !p.error).length, rules };
}

/**
 * Lints the served OpenAPI document with the tools API people use: Redocly (recommended rules),
 * Spectral's `spectral:oas` ruleset and the OWASP API security ruleset (what it still reports is
 * explained in docs/api.md).
 */
export async function lintOpenApi(): Promise<{ redocly: LintCounts; spectral: LintCounts; owasp: LintCounts }> {
  const dir = mkdtempSync(join(tmpdir(), 'pizza-openapi-'));
  try {
    const doc = join(dir, 'openapi.json');
    writeFileSync(doc, JSON.stringify(buildOpenApiDocument(), null, 2));
    writeFileSync(join(dir, 'oas.yaml'), 'extends: ["spectral:oas"]\n');
    writeFileSync(join(dir, 'owasp.yaml'), 'extends: ["@stoplight/spectral-owasp-ruleset"]\n');
    const spectral = async (ruleset: string) => {
      const out = JSON.parse(await run('spectral', ['lint', doc, '--ruleset', join(dir, ruleset), '-f', 'json', '--quiet'])) as { code: string; severity: number }[];
      return count(out.map((p) => ({ rule: p.code, error: p.severity === 0 })));
    };
    const redoclyOut = JSON.parse(await run('redocly', ['lint', doc, '--format=json'])) as { problems: { ruleId: string; severity: string }[] };
    return {
      redocly: count(redoclyOut.problems.map((p) => ({ rule: p.ruleId, error: p.severity === 'error' }))),
      spectral: await spectral('oas.yaml'),
      owasp: await spectral('owasp.yaml'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `pnpm --filter @pizza/api lint:openapi`: prints the counts, fails on an error of Redocly or spectral:oas
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await lintOpenApi();
  for (const [tool, counts] of Object.entries(result)) {
    process.stdout.write(`${tool}: ${counts.errors} errors, ${counts.warnings} warnings ${JSON.stringify(counts.rules)}\n`);
  }
  process.exitCode = result.redocly.errors + result.spectral.errors > 0 ? 1 : 0;
}
