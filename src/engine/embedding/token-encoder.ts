/**
 * Text → token ids for one model, with truncation. `@huggingface/tokenizers` (tokenizers.js) has no
 * truncation of its own, so we tokenize without special tokens, cut to the budget, then let the tokenizer's
 * own post-processor add [CLS]/[SEP] (or whatever the model's template says).
 */
import { Tokenizer } from '@huggingface/tokenizers';

export interface TokenEncoder {
  /** Token ids including the model's special tokens, at most `maxTokens` long. */
  encode(text: string): Int32Array;
  /** Id used for padding positions (masked out, so only cosmetic for most models). */
  readonly padId: number;
  /** How many special tokens the post-processor adds to a single sequence. */
  readonly specialTokenCount: number;
}

/** Chars per token we assume when cutting a long text before tokenising it; see {@link cutAtWhitespace}. */
const CHARS_PER_TOKEN_GUESS = 8;

/**
 * Returns the longest prefix of `text` no longer than `maxChars` that ends just before a whitespace character
 * following a non-whitespace one. Pre-tokenizers split at whitespace, so such a prefix tokenizes to a prefix of
 * the full text's tokens, which lets us avoid tokenising megabytes only to keep the first few hundred tokens.
 */
export function cutAtWhitespace(text: string, maxChars: number): string | undefined {
  for (let i = Math.min(maxChars, text.length - 1); i > 0; i--) {
    if (/\s/.test(text[i] ?? '') && !/\s/.test(text[i - 1] ?? '')) return text.slice(0, i);
  }
  return undefined;
}

/** Distinct words remembered per worker; cleared when full (code reuses a few thousand identifiers). */
const WORD_CACHE_LIMIT = 100_000;

/**
 * tokenizers.js re-runs WordPiece for every occurrence of every word, which is most of the tokenising cost on
 * code. WordPiece encodes each pre-token independently, so memoising per word gives identical output; the
 * wrapper replaces the model's public `encode` method on this instance only.
 */
function memoizeWordPiece(tokenizer: Tokenizer): void {
  const model = tokenizer.model;
  // Checked by config type: the package's typings do not export the WordPiece model class by name.
  if (!model || (model.config as { type?: string }).type !== 'WordPiece') return;
  const encodeWords = model.encode.bind(model);
  const cache = new Map<string, string[]>();
  model.encode = (words: string[]): string[] => {
    const out: string[] = [];
    for (const word of words) {
      let pieces = cache.get(word);
      if (pieces === undefined) {
        pieces = encodeWords([word]) as string[];
        if (cache.size >= WORD_CACHE_LIMIT) cache.clear();
        cache.set(word, pieces);
      }
      for (const piece of pieces) out.push(piece);
    }
    return out;
  };
}

interface TokenizerJsonShape {
  model?: { unk_token?: string };
  padding?: { pad_id?: number } | null;
}

function findPadId(tokenizer: Tokenizer, json: TokenizerJsonShape, config: Record<string, unknown>): number {
  if (typeof json.padding?.pad_id === 'number') return json.padding.pad_id;
  const named = typeof config.pad_token === 'string' ? tokenizer.token_to_id(config.pad_token) : undefined;
  return named ?? tokenizer.token_to_id('[PAD]') ?? tokenizer.token_to_id('<pad>') ?? 0;
}

/**
 * Builds an encoder from the parsed `tokenizer.json` and (optional) `tokenizer_config.json`.
 * @param maxTokens longest sequence, special tokens included.
 * @throws Error if `maxTokens` leaves no room for content after the special tokens.
 */
export function createTokenEncoder(
  tokenizerJson: object,
  tokenizerConfig: Record<string, unknown>,
  maxTokens: number,
): TokenEncoder {
  const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  memoizeWordPiece(tokenizer);
  const json = tokenizerJson as TokenizerJsonShape;
  const unkId = tokenizer.model?.unk_token_id ?? 0;
  const postProcessor = tokenizer.post_processor;

  const toIds = (tokens: readonly string[]): Int32Array => {
    const ids = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) ids[i] = tokenizer.token_to_id(tokens[i] ?? '') ?? unkId;
    return ids;
  };
  const withSpecials = (tokens: string[]): string[] =>
    postProcessor ? postProcessor(tokens, null, true).tokens : tokens;

  const specialTokenCount = withSpecials([]).length;
  const budget = maxTokens - specialTokenCount;
  if (budget < 1) {
    throw new Error(
      `maxTokens ${maxTokens} leaves no room for text after ${specialTokenCount} special tokens`,
    );
  }

  const contentTokens = (text: string): string[] => {
    if (text.length > budget * CHARS_PER_TOKEN_GUESS) {
      const prefix = cutAtWhitespace(text, budget * CHARS_PER_TOKEN_GUESS);
      if (prefix !== undefined) {
        const tokens = tokenizer.tokenize(prefix, { add_special_tokens: false });
        // Only trust the prefix when it yields more tokens than we keep; otherwise tokenize everything.
        if (tokens.length > budget) return tokens;
      }
    }
    return tokenizer.tokenize(text, { add_special_tokens: false });
  };

  return {
    padId: findPadId(tokenizer, json, tokenizerConfig),
    specialTokenCount,
    encode(text: string): Int32Array {
      const tokens = contentTokens(text);
      return toIds(withSpecials(tokens.length > budget ? tokens.slice(0, budget) : tokens));
    },
  };
}
