// Chooses the Debian packages to train on and writes packages.json (run by hand when the list should change;
// `npm run train:model` never re-selects):
//   node scripts/model/debian/select-packages.ts [--cache DIR]
// For every package of every family (families.ts): candidate version from apt, at most 40 MB installed,
// downloaded into the cache, its DEP-5 copyright file read (dep5.ts), held-out projects refused
// (reserve.ts). The refusals are counted by reason in the manifest, and held-out packages listed by name.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mapLimited } from '../../../src/engine/pipeline/map-limited.ts';
import {
  type AptRecord,
  debFileName,
  downloadPinned,
  readMember,
  searchPackages,
  showPackages,
} from './apt.ts';
import { judgeCopyright } from './dep5.ts';
import { FAMILIES } from './families.ts';
import { MANIFEST_FILE, type Manifest, type ManifestPackage, splitOf } from './manifest.ts';
import { heldOutPackage } from './reserve.ts';

const MAX_INSTALLED_KIB = 40 * 1024;

const { values } = parseArgs({ options: { cache: { type: 'string', default: 'models/.data/debian/debs' } } });
const cache = values.cache as string;
const log = (line: string) => process.stderr.write(`${line}\n`);

const refused: Record<string, number> = {};
const refuse = (reason: string) => {
  refused[reason] = (refused[reason] ?? 0) + 1;
};
const packages: ManifestPackage[] = [];
const heldOut: Record<string, string> = {};

for (const family of FAMILIES) {
  const names = (await searchPackages(family.pattern)).filter(
    // Documentation, debugging symbols and test suites carry no library code.
    (name) => !/-(?:doc|dbg|dbgsym|tests?)$/.test(name),
  );
  const records: AptRecord[] = [];
  for (const record of await showPackages(names)) {
    if (family.architectureAll && record.architecture !== 'all') refuse('compiled for one architecture');
    else if (record.installedKiB > MAX_INSTALLED_KIB) refuse('more than 40 MB installed');
    else {
      const project = heldOutPackage(record.package, record.homepage) ?? heldOutPackage(record.source);
      if (project) {
        refuse('held-out project (name or homepage)');
        heldOut[record.package] = project.name;
      } else records.push(record);
    }
  }
  log(`${family.name}: ${names.length} packages, ${records.length} to check`);
  const { missing } = await downloadPinned(records, cache, log);
  const gone = new Set(missing.map((m) => m.package));
  // Four at a time: each read is two short-lived processes.
  const judged = await mapLimited(records, 4, async (record): Promise<ManifestPackage | undefined> => {
    if (gone.has(record.package)) {
      refuse('not downloadable');
      return undefined;
    }
    const deb = join(cache, debFileName(record.package, record.version, record.architecture));
    const copyright = await readMember(deb, `./usr/share/doc/${record.package}/copyright`);
    if (copyright === undefined) {
      refuse('no copyright file in the package');
      return undefined;
    }
    const verdict = judgeCopyright(copyright);
    if (!verdict.ok) {
      refuse(verdict.reason.startsWith('Files:') ? 'a licence we do not accept' : verdict.reason);
      return undefined;
    }
    const project = heldOutPackage(record.package, verdict.source);
    if (project) {
      refuse('held-out project (upstream source)');
      heldOut[record.package] = project.name;
      return undefined;
    }
    const upstream = verdict.source ?? record.homepage;
    return {
      package: record.package,
      version: record.version,
      architecture: record.architecture,
      sha256: record.sha256,
      source: record.source,
      family: family.name,
      license: verdict.license,
      ...(upstream ? { upstream } : {}),
      split: splitOf(record.source),
    };
  });
  const admitted = judged.filter((p): p is ManifestPackage => p !== undefined);
  log(`${family.name}: ${admitted.length} admitted`);
  packages.push(...admitted);
}

const manifest: Manifest = {
  about:
    'Debian packages whose upstream source the default model is trained on (scripts/model/debian/). Each is ' +
    'fetched with apt-get download NAME=VERSION and checked against its SHA-256; licence and upstream come ' +
    "from the package's DEP-5 copyright file. Written by select-packages.ts.",
  distribution: 'Debian 12 (bookworm), with its security and point-release updates',
  selectedOn: new Date().toISOString().slice(0, 10),
  refused: Object.fromEntries(Object.entries(refused).sort((a, b) => b[1] - a[1])),
  heldOut: Object.fromEntries(Object.entries(heldOut).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  packages,
};
// One package per line: a readable diff when the selection changes.
const { packages: list, ...header } = manifest;
const headerLines = Object.entries(header).map(
  ([key, value]) => ` ${JSON.stringify(key)}: ${JSON.stringify(value)}`,
);
const packageLines = list.map((p) => `  ${JSON.stringify(p)}`);
await writeFile(
  MANIFEST_FILE,
  `{\n${headerLines.join(',\n')},\n "packages": [\n${packageLines.join(',\n')}\n ]\n}\n`,
);
log(`wrote ${packages.length} packages`);
