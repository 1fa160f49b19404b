import { describe, expect, it } from 'vitest';
import {
  functionDefinitions,
  identifierWords,
  nameKey,
  testDescriptions,
  testedFunction,
} from '../../../scripts/model/test-descriptions.ts';

const index = (names: readonly string[]) => {
  const out = new Map<string, { count: number; definition: string }>();
  for (const name of names) {
    const known = out.get(nameKey(name));
    if (known) known.count++;
    else out.set(nameKey(name), { count: 1, definition: name });
  }
  return out;
};

describe('test descriptions', () => {
  it('splits identifiers into words', () => {
    expect(identifierWords('ParseArgs_EmptyInput')).toEqual(['parse', 'args', 'empty', 'input']);
    expect(identifierWords('HTTPServerClose')).toEqual(['http', 'server', 'close']);
  });

  it('reads Go subtests and suffixed test names, with the function they name', () => {
    const go = [
      'func TestParseGroup(t *testing.T) {',
      '\tt.Run("splits grouped short flags into letters", func(t *testing.T) {})',
      '\tt.Run(tc.name, func(t *testing.T) {})',
      '}',
      'func TestParseGroup_RejectsDoubleDash(t *testing.T) {}',
      'func helper() {',
      '\tt.Run("not inside a test function at all", nil)',
      '}',
    ].join('\n');
    expect(testDescriptions(go, 'go')).toEqual([
      { query: 'splits grouped short flags into letters', subject: 'ParseGroup' },
      { query: 'parse group rejects double dash', subject: 'ParseGroup' },
    ]);
  });

  it('reads JavaScript its under the describe that names a function, and skips sentences as subjects', () => {
    const js = [
      "describe('parseBody', () => {",
      "  it('rejects a body over the limit', () => {});",
      "  describe('when the stream ends early', () => {",
      '    test(`reports the bytes read so far`, () => {});',
      '  });',
      '});',
      "describe('the whole parser', () => {",
      "  it('has no function to link to', () => {});",
      '});',
      "it('outside any describe block', () => {});",
    ].join('\n');
    expect(testDescriptions(js, 'javascript')).toEqual([
      { query: 'rejects a body over the limit', subject: 'parseBody' },
      { query: 'reports the bytes read so far', subject: 'parseBody' },
    ]);
  });

  it('reads Ruby describe "#method" blocks and test_ methods, Python and Rust test names', () => {
    const ruby = [
      "describe '#normalize_path' do",
      "  it 'squeezes repeated slashes' do",
      '  end',
      'end',
      'def test_escape_html_entities',
    ].join('\n');
    expect(testDescriptions(ruby, 'ruby')).toEqual([
      { query: 'squeezes repeated slashes', subject: 'normalize_path' },
      { query: 'escape html entities', nameWords: ['escape', 'html', 'entities'] },
    ]);
    expect(testDescriptions('def test_works():\ndef test_merge_sorted_lists(self):', 'python')).toEqual([
      { query: 'merge sorted lists', nameWords: ['merge', 'sorted', 'lists'] },
    ]);
    const rust = '#[test]\nfn parses_hex_escapes() {}\nfn not_a_test_function() {}';
    expect(testDescriptions(rust, 'rust').map((d) => d.query)).toEqual(['parses hex escapes']);
  });

  it('links a description to the one function it names, never to an ambiguous or whole-name match', () => {
    const defined = index(['merge_sorted', 'parse', 'parse', 'escape_html', 'ParseGroup']);
    const at = (d: Parameters<typeof testDescriptions>[0], language: 'python' | 'go') =>
      testDescriptions(d, language).map((t) => testedFunction(t, defined));
    expect(at('def test_merge_sorted_lists(self):', 'python')).toEqual(['merge_sorted']);
    // Two functions named parse: no guess.
    expect(at('def test_parse_empty_string(self):', 'python')).toEqual([undefined]);
    // The whole test name is the function's name: nothing describes it.
    expect(at('def test_escape_html_entities(self):', 'python')).toEqual(['escape_html']);
    expect(at('def test_escape_html(self):', 'python')).toEqual([]);
    expect(at('func TestParseGroup_Empty(t *testing.T) {}', 'go')).toEqual(['ParseGroup']);
  });

  it('finds function definitions line by line in each language', () => {
    expect(functionDefinitions('func (p *Parser) Parse() {}\nfunc helper() {}', 'go')).toEqual([
      { name: 'Parse', line: 1 },
      { name: 'helper', line: 2 },
    ]);
    expect(
      functionDefinitions(
        'export async function load() {\n}\nconst run = async (x) => x;\n  parse(text) {\n  if (x) {',
        'javascript',
      ).map((d) => d.name),
    ).toEqual(['load', 'run', 'parse']);
    expect(functionDefinitions('pub(crate) async fn fetch(url: &str) {}', 'rust')).toEqual([
      { name: 'fetch', line: 1 },
    ]);
    expect(functionDefinitions('  def self.normalize!(x)', 'ruby')).toEqual([
      { name: 'normalize!', line: 1 },
    ]);
  });
});
