// Every process the bench starts: the seed, each subgraph, the hub's gateway, the plain gateway and the SQL floor,
// each a child process of its own (its own process group), so that its CPU and memory can be read from /proc and
// nothing of it outlives the bench. npm scripts are run as their own command (`node --import tsx …`), not through
// npm, so the pid the bench reads is the server's, not an npm wrapper's.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const scripts = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }
).scripts;

export interface Started {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The first capture group of the ready pattern (the URL it serves on). */
  url: string;
  /** SQL statements issued so far (subgraphs started with the SQL counter), else undefined. */
  sqlCount(): Promise<number | undefined>;
}

const running = new Set<ChildProcess>();

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The command an npm script runs, as [executable, ...arguments]. */
function scriptCommand(script: string, preload: string[] = []): [string, string[]] {
  const command = scripts[script];
  if (!command) throw new Error(`no npm script "${script}"`);
  const [bin, ...args] = command.split(' ');
  if (bin !== 'node') throw new Error(`npm script "${script}" does not run node`);
  // Preloads go after the script's own `--import tsx`, so they are TypeScript too.
  const at = args.lastIndexOf('tsx') + 1;
  return [process.execPath, [...args.slice(0, at), ...preload.flatMap((p) => ['--import', p]), ...args.slice(at)]];
}

function track(name: string, executable: string, args: string[], env: NodeJS.ProcessEnv, ipc: boolean) {
  const child = spawn(executable, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc' as const] : [])],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const append = (d: Buffer) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  return { child, output: () => output };
}

/** Starts a long-running npm script; resolves once its output matches `ready`. */
export function startScript(
  name: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  options: { preload?: string[]; timeoutMs?: number } = {},
): Promise<Started> {
  const [executable, scriptArgs] = scriptCommand(script, options.preload);
  const ipc = (options.preload ?? []).some((p) => p.includes('sql-counter'));
  const { child, output } = track(name, executable, [...scriptArgs, ...args], env, ipc);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name}: not ready within ${(options.timeoutMs ?? 90_000) / 1000} s:\n${output()}`)),
      options.timeoutMs ?? 90_000,
    );
    const check = () => {
      const match = ready.exec(output());
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({ name, child, pid: child.pid!, url: match[1] ?? '', sqlCount: () => askSqlCount(child) });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output()}`));
    });
  });
}

/** Runs a one-shot npm script to completion; rejects on a non-zero exit. `echo` passes its output through as it comes. */
export function runScript(
  name: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { timeoutMs?: number; echo?: boolean } = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const [executable, scriptArgs] = scriptCommand(script);
  const { child, output } = track(name, executable, [...scriptArgs, ...args], env, false);
  if (options.echo) {
    child.stdout!.pipe(process.stdout, { end: false });
    child.stderr!.pipe(process.stderr, { end: false });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill(child, 'SIGKILL');
      reject(new Error(`${name}: did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output());
      else reject(new Error(`${name} exited with ${code}:\n${output()}`));
    });
  });
}

/** Starts a TypeScript file of the bench as a server; resolves on `ready`. */
export function startBenchServer(name: string, file: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<Started> {
  const { child, output } = track(name, process.execPath, ['--import', 'tsx', file], env, false);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready within 90 s:\n${output()}`)), 90_000);
    const check = () => {
      const match = ready.exec(output());
      if (!match) return;
      clearTimeout(timer);
      resolve({ name, child, pid: child.pid!, url: match[1] ?? '', sqlCount: async () => undefined });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output()}`));
    });
  });
}

function askSqlCount(child: ChildProcess): Promise<number | undefined> {
  if (!child.send || !child.connected) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      resolve(undefined);
    }, 2000);
    const onMessage = (message: unknown) => {
      if (message && typeof message === 'object' && 'sqlCount' in message) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(Number((message as { sqlCount: number }).sqlCount));
      }
    };
    child.on('message', onMessage);
    child.send('sql-count');
  });
}

function kill(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Stops the children given (default: every child still running): SIGTERM to each process group (they close
 * cleanly), SIGKILL after 10 s.
 */
export async function stopAll(only?: Started[]): Promise<void> {
  const children = only ? only.map((s) => s.child).filter((c) => running.has(c)) : [...running];
  for (const child of children) kill(child, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && children.some((c) => c.pid && groupAlive(c.pid)))
    await new Promise((r) => setTimeout(r, 100));
  for (const child of children) if (child.pid && groupAlive(child.pid)) kill(child, 'SIGKILL');
}

/** Last resort on exit: kill synchronously whatever is left. */
export function killAllNow(): void {
  for (const child of running) kill(child, 'SIGKILL');
}
