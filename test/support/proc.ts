// What tests need to run a real peer on loopback: a free port, waiting for it to accept, and
// ending a daemon together with the children it forked (it runs in its own process group).

import type { ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A TCP port that was free on 127.0.0.1 a moment ago (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP on 127.0.0.1:port (within 500 ms). */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Polls until the port accepts; false when `exited()` says the process died or time ran out. */
export async function waitForPort(port: number, ms: number, exited: () => boolean): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until && !exited();) {
    if (await canConnect(port)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Whether any process of the child's group is still alive. */
export function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals the child's whole process group (it must have been spawned `detached`). */
export function killGroup(child: ChildProcess, sig: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
}

/**
 * SIGTERM to the group, SIGKILL after `graceMs`; waits (bounded) for the leader to exit and then
 * for its forked children to leave the group, and finally SIGKILLs whatever is left.
 */
export async function stopGroup(child: ChildProcess, exited: boolean, graceMs: number): Promise<void> {
  if (!exited) {
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    killGroup(child, 'SIGTERM');
    const t = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    await Promise.race([gone, new Promise((r) => setTimeout(r, graceMs + 2000))]);
    clearTimeout(t);
  }
  for (const until = Date.now() + 3000; groupAlive(child) && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 25));
  }
  killGroup(child, 'SIGKILL');
}
