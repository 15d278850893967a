// CPU time and memory of processes from /proc (Linux), for benchmarks that run the service as several
// processes: per process, and for a PostgreSQL server as its postmaster plus every backend (live
// backends' own time; exited ones are in the postmaster's cutime/cstime once it has reaped them).
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface StatFields {
  ppid: number;
  /** utime + stime, seconds. */
  own: number;
  /** cutime + cstime (children waited for), seconds. */
  children: number;
}

function stat(pid: number): StatFields | null {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
    const n = (field: number) => Number(fields[field - 3]);
    return { ppid: n(4), own: (n(14) + n(15)) / TICKS_PER_SECOND, children: (n(16) + n(17)) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** CPU seconds a process has used so far (its own threads); null once it is gone. */
export function cpuSecondsOf(pid: number): number | null {
  return stat(pid)?.own ?? null;
}

/** The peak resident set size of a process so far (VmHWM), bytes; null once it is gone. */
export function peakRssOf(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The parent of a process (for a PostgreSQL backend: its postmaster). */
export function parentOf(pid: number): number | null {
  return stat(pid)?.ppid ?? null;
}

/**
 * CPU seconds of a PostgreSQL server so far: the postmaster, its live children (backends, WAL writer,
 * checkpointer …) and its reaped children. A backend that exits between two samples moves from the
 * live sum to cutime, so the total only grows.
 */
export function serverCpuSeconds(postmasterPid: number): number | null {
  const postmaster = stat(postmasterPid);
  if (!postmaster) return null;
  let total = postmaster.own + postmaster.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child && child.ppid === postmasterPid) total += child.own;
  }
  return total;
}
