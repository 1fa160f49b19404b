/**
 * Parsing with limits, and deciding whether a tree is worth following.
 *
 * Tree-sitter parses almost anything, but pathological input can make it slow and garbage makes trees that
 * are mostly ERROR nodes; both are better chunked in line windows. The main limit is a work budget counted
 * in progress callbacks (tree-sitter calls back every ~100 parser operations), so whether a file is
 * parsed does not depend on how busy the machine is; a wall-clock limit backs it up.
 */
import type { Parser, SyntaxNode, Tree } from './tree-sitter-runtime.ts';

/**
 * Progress callbacks allowed per UTF-16 code unit. Ordinary code needs about 1 per 120 characters
 * (measured on a 1.4 MB bundle) and error-heavy garbage about 1 per 45; this allows 1 per 20.
 */
const CALLBACKS_PER_CHAR = 1 / 20;
const MIN_CALLBACK_BUDGET = 1000;

/** A tree whose ERROR nodes cover more than this share of the text is not followed. */
const MAX_ERROR_SHARE = 0.5;

/** Parses `text`, or returns null when a limit was hit or the parser failed. The caller deletes the tree. */
export function parseWithinBudget(parser: Parser, text: string, timeoutMs: number): Tree | null {
  const budget = MIN_CALLBACK_BUDGET + Math.ceil(text.length * CALLBACKS_PER_CHAR);
  const deadline = performance.now() + timeoutMs;
  let callbacks = 0;
  let tree: Tree | null = null;
  try {
    tree = parser.parse(text, null, {
      // Returning true cancels the parse (web-tree-sitter's typings say void, its code reads the result).
      progressCallback: () => ++callbacks > budget || performance.now() > deadline,
    });
  } catch {
    tree = null;
  }
  // A cancelled parse would otherwise resume on the next call, with the next file's text.
  if (!tree) parser.reset();
  return tree;
}

/** True when ERROR nodes cover so much of the file that its tree says little about its structure. */
export function isMostlyErrors(root: SyntaxNode, textLength: number): boolean {
  if (!root.hasError) return false;
  return errorLength(root) > textLength * MAX_ERROR_SHARE;
}

/**
 * Total length of the outermost ERROR nodes, visiting only subtrees that contain an error. Iterative:
 * trees of generated code can be thousands of levels deep.
 */
function errorLength(root: SyntaxNode): number {
  let length = 0;
  const stack = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.isError) {
      length += node.endIndex - node.startIndex;
      continue;
    }
    for (const child of node.children) {
      if (child?.hasError) stack.push(child);
    }
  }
  return length;
}
