// LanceDB's native logger reads LANCEDB_LOG once, when the module loads, and warns on ordinary events
// ("No existing dataset … will be created"). Imported before '@lancedb/lancedb' so the default is set first;
// an operator's own LANCEDB_LOG still wins.
process.env.LANCEDB_LOG ??= 'error';
