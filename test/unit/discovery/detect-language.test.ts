import { describe, expect, it } from 'vitest';
import { languageFromShebang, shebangInterpreter } from '../../../src/engine/discovery/detect-language.ts';
import { detectLanguage } from '../../../src/engine/discovery/index.ts';

describe('detectLanguage', () => {
  it.each([
    ['src/app.ts', 'typescript'],
    ['src/types.d.ts', 'typescript'],
    ['Component.TSX', 'tsx'],
    ['lib/x.mjs', 'javascript'],
    ['a/b/c.py', 'python'],
    ['main.go', 'go'],
    ['docs/guide.md', 'markdown'],
    ['Dockerfile', 'text'],
    ['sub/Makefile', 'text'],
    ['Gemfile', 'ruby'],
  ])('knows %s by its name: %s', (path, language) => {
    expect(detectLanguage(path)).toBe(language);
  });

  it('prefers the extension over the #! line', () => {
    expect(detectLanguage('tool.py', '#!/usr/bin/env node')).toBe('python');
  });

  it.each([
    ['#!/usr/bin/env node', 'javascript'],
    ['#!/usr/bin/python3', 'python'],
    ['#!/usr/local/bin/python3.12 -u', 'python'],
    ['#!/usr/bin/env -S deno run --allow-read', 'typescript'],
    ['#!/usr/bin/env VAR=1 ruby2.7', 'ruby'],
    ['#! /bin/sh -e', 'bash'],
    ['#!/bin/bash', 'bash'],
  ])('knows an extension-less script by %s', (line, language) => {
    expect(detectLanguage('bin/tool', line)).toBe(language);
  });

  it.each([
    ['LICENSE', undefined],
    ['bin/tool', '#!/usr/bin/perl'],
    ['bin/tool', '#!/usr/bin/env'],
    ['bin/tool', '# not a shebang: node'],
    ['.bashrc', undefined], // a hidden file's name is not an extension
    ['archive.tar.gz', undefined],
  ])('knows no language for %s (first line %s)', (path, line) => {
    expect(detectLanguage(path, line)).toBeUndefined();
  });

  it('never mistakes Object.prototype members for table entries', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(detectLanguage(name)).toBeUndefined();
      expect(detectLanguage(`x.${name}`)).toBeUndefined();
      expect(languageFromShebang(`#!/usr/bin/${name}`)).toBeUndefined();
    }
  });
});

describe('shebangInterpreter', () => {
  it('skips env, its options and assignments', () => {
    expect(shebangInterpreter('#!/usr/bin/env -i PATH=/bin python3 -x')).toBe('python3');
    expect(shebangInterpreter('#!/opt/node/bin/node')).toBe('node');
    expect(shebangInterpreter('#!')).toBeUndefined();
    expect(shebangInterpreter('console.log(1)')).toBeUndefined();
  });
});
