// LanceDB imports these integrations lazily, only for its embedding-function registry, which codesearch does not use.
throw new Error(
  'This optional LanceDB integration is not installed in codesearch (see deps/absent-optional/README.md).',
);
