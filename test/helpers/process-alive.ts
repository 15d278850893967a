import { readFileSync } from 'node:fs';

// Whether a process is still running (signal 0 checks without signalling); a zombie (dead, not yet reaped)
// is not running.
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
