import { execFileSync } from 'node:child_process';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  node: string;
  totalMemoryGb: number;
  os: string;
  /** 1-minute load average when the run started: a loaded machine reads lower figures. */
  loadAverage: number;
  openFilesLimit: number | null;
  redis: string | null;
}

function command(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The soft limit on open files this process (and so its children) start with. */
export function openFilesLimit(): number | null {
  const raw = command('bash', ['-c', 'ulimit -n']);
  if (raw === 'unlimited') return Number.POSITIVE_INFINITY;
  return raw && /^\d+$/.test(raw) ? Number(raw) : null;
}

export function describeMachine(): MachineInfo {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    node: process.version,
    totalMemoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    openFilesLimit: openFilesLimit(),
    redis: command('redis-server', ['--version'])?.split(' ').find((w) => w.startsWith('v='))?.slice(2) ?? null,
  };
}
