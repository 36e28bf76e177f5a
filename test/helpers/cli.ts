import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

export type Run = { code: number | null; stdout: string; stderr: string };

/** Runs `rollcall <args>` to completion. */
export function rollcall(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `rollcall serve --port 0` and resolves once it prints its URL. */
export function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; stdout: () => string; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0'], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const stop = () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /Rollcall is serving (http:\/\/localhost:\d+)/.exec(stdout);
      if (m && /Health/.test(stdout)) resolve({ child, url: m[1], stdout: () => stdout, stop });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before serving:\n${stdout}\n${stderr}`)));
  });
}
