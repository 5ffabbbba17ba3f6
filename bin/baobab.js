#!/usr/bin/env node
// Baobab CLI entry. Node >= 22.18 runs the TypeScript sources directly.
import '../src/cli/main.ts'
