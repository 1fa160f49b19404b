/** Strict UTF-8 decoding: a leading BOM is stripped (TextDecoder's default), anything malformed is refused. */
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export type Utf8Result =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly offset: number };

/** Decodes `bytes` as UTF-8; on failure reports where the first malformed sequence starts. */
export function decodeUtf8(bytes: Uint8Array): Utf8Result {
  try {
    return { ok: true, text: strictDecoder.decode(bytes) };
  } catch {
    return { ok: false, offset: firstInvalidUtf8Offset(bytes) };
  }
}

/**
 * Byte offset of the first malformed UTF-8 sequence, or -1 when `bytes` is valid. Only run after the decoder
 * has refused the bytes, to give the user a position to look at; the rules are those of the WHATWG decoder
 * (no overlong forms, no surrogates, nothing above U+10FFFF).
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] as number;
    if (lead < 0x80) {
      index += 1;
      continue;
    }
    const length = sequenceLength(bytes, index, lead);
    if (length === 0) return index;
    index += length;
  }
  return -1;
}

/** Length of the valid multi-byte sequence starting at `start`, or 0 when it is malformed or truncated. */
function sequenceLength(bytes: Uint8Array, start: number, lead: number): number {
  let length: number;
  // The second byte's range is narrower for some leads: that is what rules out overlong forms and surrogates.
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0;
    if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f;
  } else return 0;
  for (let offset = 1; offset < length; offset++) {
    const byte = bytes[start + offset];
    if (byte === undefined || byte < low || byte > high) return 0;
    low = 0x80;
    high = 0xbf;
  }
  return length;
}
