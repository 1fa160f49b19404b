/**
 * The families of Debian binary packages that carry upstream source code, and where in each package the
 * code lives. Only these files are unpacked.
 */

export type FamilyName = 'go' | 'rust' | 'python' | 'ruby' | 'node';

export interface PackageFamily {
  readonly name: FamilyName;
  /** Package names, as an `apt-cache search --names-only` pattern. */
  readonly pattern: string;
  /** Packages built for one architecture only ship compiled code in this family; `all` ones ship source. */
  readonly architectureAll: boolean;
  /** `tar --wildcards` patterns of the source files we read. */
  readonly members: readonly string[];
  /** Where the files sit in the unpacked package; paths are shown relative to it. */
  readonly roots: readonly string[];
}

export const FAMILIES: readonly PackageFamily[] = [
  {
    name: 'go',
    pattern: '^golang-.*-dev$',
    architectureAll: true,
    members: ['./usr/share/gocode/src/*.go'],
    roots: ['usr/share/gocode/src'],
  },
  {
    name: 'rust',
    pattern: '^librust-[^+]*-dev$',
    architectureAll: false,
    members: ['./usr/share/cargo/registry/*.rs'],
    roots: ['usr/share/cargo/registry'],
  },
  {
    name: 'python',
    pattern: '^python3-',
    architectureAll: true,
    members: ['./usr/lib/python3/dist-packages/*.py'],
    roots: ['usr/lib/python3/dist-packages'],
  },
  {
    name: 'ruby',
    pattern: '^ruby-',
    architectureAll: false,
    members: ['./usr/lib/ruby/vendor_ruby/*.rb', './usr/share/rubygems-integration/*.rb'],
    roots: ['usr/lib/ruby/vendor_ruby', 'usr/share/rubygems-integration'],
  },
  {
    name: 'node',
    pattern: '^node-',
    architectureAll: true,
    members: [
      './usr/share/nodejs/*.js',
      './usr/share/nodejs/*.mjs',
      './usr/share/nodejs/*.cjs',
      './usr/share/nodejs/*.ts',
      './usr/lib/nodejs/*.js',
      './usr/lib/nodejs/*.ts',
    ],
    roots: ['usr/share/nodejs', 'usr/lib/nodejs'],
  },
];

export function familyOf(name: FamilyName): PackageFamily {
  const family = FAMILIES.find((f) => f.name === name);
  if (!family) throw new Error(`no package family ${name}`);
  return family;
}
