import { createHash } from 'node:crypto';

/** sha256 of a string's UTF-8 bytes, hex. */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
