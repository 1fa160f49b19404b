import { describe, expect, it } from 'vitest';
import { acceptedLicense, judgeCopyright } from '../../../scripts/model/debian/dep5.ts';
import { splitOf } from '../../../scripts/model/debian/manifest.ts';
import {
  heldOutPackage,
  heldOutPath,
  projectOfPackage,
  repositoryKey,
} from '../../../scripts/model/debian/reserve.ts';

const FORMAT = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/';

describe('DEP-5 copyright files', () => {
  it('accepts a package whose upstream files are all under accepted licences, naming Files: *', () => {
    const text = [
      FORMAT,
      'Upstream-Name: godbus/dbus',
      'Source: https://github.com/godbus/dbus',
      '',
      'Files: *',
      'Copyright:',
      '    2013 Georg Reinke',
      'License: BSD-2-clause',
      '',
      'Files: internal/*',
      'Copyright: 2019 Someone',
      'License: Expat',
      '',
      'Files: debian/*',
      'Copyright: 2014 Tianon Gravi',
      'License: GPL-2+',
      '',
      'License: BSD-2-clause',
      ' Redistribution and use in source and binary forms, with or without',
      ' .',
      ' modification, are permitted.',
    ].join('\n');
    expect(judgeCopyright(text)).toEqual({
      ok: true,
      license: 'BSD-2-Clause',
      source: 'https://github.com/godbus/dbus',
      upstreamName: 'godbus/dbus',
    });
  });

  it('refuses a package with any upstream file under another licence, and files in another format', () => {
    const mixed = [FORMAT, '', 'Files: *', 'License: MIT', '', 'Files: vendor/x/*', 'License: GPL-3+'].join(
      '\n',
    );
    expect(judgeCopyright(mixed)).toEqual({ ok: false, reason: 'Files: vendor/x/* is under "GPL-3+"' });
    expect(judgeCopyright('This package was debianized by someone.\nLicense: MIT').ok).toBe(false);
    expect(judgeCopyright([FORMAT, '', 'Files: debian/*', 'License: MIT'].join('\n'))).toEqual({
      ok: false,
      reason: 'no Files paragraph for upstream code',
    });
  });

  it('reads licence expressions: or needs one accepted alternative, and needs all, exceptions are refused', () => {
    expect(acceptedLicense('MIT or Apache-2.0')).toBe('MIT');
    expect(acceptedLicense('GPL-2+ or Apache-2.0')).toBe('Apache-2.0');
    expect(acceptedLicense('Expat and BSD-3-clause')).toBe('MIT');
    expect(acceptedLicense('Expat and GPL-2')).toBeUndefined();
    expect(acceptedLicense('Apache-2.0 with LLVM-exception')).toBeUndefined();
    expect(acceptedLicense('ISC')).toBe('ISC');
    expect(acceptedLicense('CC0-1.0')).toBeUndefined();
    expect(acceptedLicense('')).toBeUndefined();
  });
});

describe('held-out projects', () => {
  it('knows a package by its project name, split-out parts included', () => {
    expect(projectOfPackage('golang-github-spf13-cobra-dev')).toBe('cobra');
    expect(projectOfPackage('golang-github-labstack-echo-v4-dev')).toBe('echo');
    expect(projectOfPackage('librust-serde-derive-dev')).toBe('serde-derive');
    expect(projectOfPackage('python3-attr')).toBe('attr');
    expect(heldOutPackage('golang-github-spf13-cobra-dev')?.name).toBe('cobra');
    expect(heldOutPackage('golang-go.uber-zap-dev')?.name).toBe('zap');
    expect(heldOutPackage('librust-serde-derive-dev')?.name).toBe('serde');
    expect(heldOutPackage('librust-tokio-util-dev')?.name).toBe('tokio');
    expect(heldOutPackage('python3-attr')?.name).toBe('attrs');
    expect(heldOutPackage('node-date-fns')?.name).toBe('date-fns');
    expect(heldOutPackage('python3-toolz')?.why).toBe('dev benchmark');
    expect(heldOutPackage('golang-github-gin-contrib-sse-dev')).toBeUndefined();
    expect(heldOutPackage('librust-serde-json-dev')?.name).toBe('serde');
    expect(heldOutPackage('python3-six')).toBeUndefined();
  });

  it('knows a package by its upstream repository, whatever it is called', () => {
    expect(repositoryKey('https://github.com/Sirupsen/logrus.git')).toBe('github.com/sirupsen/logrus');
    expect(repositoryKey('https://example.org/x')).toBeUndefined();
    expect(heldOutPackage('golang-github-renamed-dev', 'https://github.com/spf13/viper')?.name).toBe('viper');
    expect(heldOutPackage('python3-something', 'https://github.com/encode/httpx/')?.name).toBe('httpx');
  });

  it('leaves out vendored copies inside other packages', () => {
    expect(heldOutPath('github.com/foo/bar/vendor/github.com/x/y/a.go')).toBe('vendored directory');
    expect(heldOutPath('pip/_vendor/requests/api.py')).toBe('vendored directory');
    expect(heldOutPath('github.com/foo/bar/internal/github.com/spf13/cobra/command.go')).toBe(
      'github.com/spf13/cobra',
    );
    expect(heldOutPath('somepkg/requests/sessions.py')).toBe('github.com/psf/requests');
    expect(heldOutPath('tokio-1.24.2/src/lib.rs')).toBe('github.com/tokio-rs/tokio');
    expect(heldOutPath('lib/moment.js')).toBe('github.com/moment/moment');
    expect(heldOutPath('github.com/foo/bar/parse.go')).toBeUndefined();
  });

  it('puts one source package in forty in validation, always the same ones', () => {
    const sources = Array.from({ length: 4000 }, (_, i) => `source-${i}`);
    const validation = sources.filter((s) => splitOf(s) === 'validation').length;
    expect(validation).toBeGreaterThan(60);
    expect(validation).toBeLessThan(140);
    expect(sources.map(splitOf)).toEqual(sources.map(splitOf));
  });
});
