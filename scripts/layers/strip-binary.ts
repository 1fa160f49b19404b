/**
 * Removes symbol tables and debug sections from native binaries with GNU strip (Debian's binutils):
 * LanceDB's addon shrinks from 202 MB to 168 MB and still loads (LanceDB 0.39's linux-x64-gnu build, with
 * `strip --strip-unneeded`).
 */
import { execFileSync } from 'node:child_process';

/** The strip program; `STRIP` overrides it (a cross toolchain's `aarch64-linux-gnu-strip` for arm64). */
export function stripProgram(): string {
  return process.env.STRIP ?? 'strip';
}

/** `strip --version`'s first line, part of the input hash; throws a readable error when strip is missing. */
export function stripVersion(program = stripProgram()): string {
  try {
    return execFileSync(program, ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  } catch (error) {
    throw new Error(
      `${program} is needed to shrink the native binaries below Lambda's 250 MB limit. ` +
        'Install it with `apt-get install binutils` (Debian/Ubuntu) or set STRIP to a strip program.',
      { cause: error },
    );
  }
}

/** Strips `file` in place, keeping what the dynamic loader needs (`--strip-unneeded`). */
export function stripBinary(file: string, program = stripProgram()): void {
  try {
    execFileSync(program, ['--strip-unneeded', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new Error(
      `${program} could not strip ${file}: ${stderr}. A binary for another CPU needs that CPU's strip ` +
        "(for arm64: STRIP=aarch64-linux-gnu-strip from Debian's binutils-aarch64-linux-gnu).",
      { cause: error },
    );
  }
}
