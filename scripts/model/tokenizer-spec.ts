/**
 * The interim model's tokenizer, written as a standard HuggingFace `tokenizer.json` (WordPiece, BERT-style),
 * plus a plain-JS mirror of the same rules that the build uses to count tokens quickly. The build checks the
 * mirror against `@huggingface/tokenizers` on a sample, so the two cannot drift apart silently.
 */

/** Specials in id order: [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;
export const CONTINUATION_PREFIX = '##';
export const MAX_CHARS_PER_WORD = 100;

/**
 * Inserts a space at camelCase boundaries ("parseJSON" → "parse JSON", "HTTPServer" → "HTTP Server",
 * "utf8Encode" → "utf8 Encode"). Lookbehind is supported by both Oniguruma (the Rust tokenizers crate) and
 * JavaScript, and tokenizers.js translates it faithfully (checked by the build).
 */
export const CAMEL_CASE_BOUNDARY = '(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])';

const camelCase = new RegExp(CAMEL_CASE_BOUNDARY, 'g');
// Same character classes as tokenizers.js's BertPreTokenizer: Unicode punctuation plus all ASCII symbols.
const PUNCTUATION = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const preTokenPattern = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');

/** Normalizer mirror: split camelCase, then lower-case. */
export function normalizeText(text: string): string {
  return text.replace(camelCase, ' ').toLowerCase();
}

/** Pre-tokenizer mirror: words and single punctuation characters (so snake_case → snake, _, case). */
export function preTokenize(normalized: string): string[] {
  return normalized.trim().match(preTokenPattern) ?? [];
}

/** WordPiece mirror: greedy longest-match-first, "##" continuations, [UNK] for a word that cannot be covered. */
export function wordPiece(word: string, vocab: ReadonlySet<string>): string[] {
  const chars = [...word];
  if (chars.length > MAX_CHARS_PER_WORD) return ['[UNK]'];
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let found: string | undefined;
    while (start < end) {
      const piece = (start > 0 ? CONTINUATION_PREFIX : '') + chars.slice(start, end).join('');
      if (vocab.has(piece)) {
        found = piece;
        break;
      }
      end--;
    }
    if (found === undefined) return ['[UNK]'];
    pieces.push(found);
    start = end;
  }
  return pieces;
}

/** Writes the `tokenizer.json` document for a vocabulary whose first entries are {@link SPECIAL_TOKENS}. */
export function buildTokenizerJson(vocab: readonly string[]): object {
  SPECIAL_TOKENS.forEach((token, id) => {
    if (vocab[id] !== token) throw new Error(`vocab[${id}] must be ${token}`);
  });
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  const special = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Replace', pattern: { Regex: CAMEL_CASE_BOUNDARY }, content: ' ' },
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]')],
      pair: [
        special('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        special('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: CONTINUATION_PREFIX, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: CONTINUATION_PREFIX,
      max_input_chars_per_word: MAX_CHARS_PER_WORD,
      vocab: ids,
    },
  };
}

/** The companion `tokenizer_config.json` (read by tokenizers.js and by transformers-style loaders). */
export function buildTokenizerConfig(maxTokens: number): object {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: maxTokens,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    clean_up_tokenization_spaces: true,
  };
}
