#!/usr/bin/env node
// The `codesearch` command. Runs on Node ≥ 22.18, which executes TypeScript directly (type stripping);
// inside the checkout, `npx codesearch` picks the project's own Node 22 from node_modules/.bin.
import { main } from '#cli/main.ts';

process.exitCode = await main(process.argv);
