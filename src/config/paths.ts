import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The project root: the nearest folder above this file holding package.json. Code runs both from
 * src/ (ts) and dist/src/ (compiled), so paths are found rather than counted.
 */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot(__dirname);

export function projectPath(...parts: string[]): string {
  return resolve(PROJECT_ROOT, ...parts);
}
