/**
 * The extension schema: the committed docs/opengraph/idsync-extension.json is
 * exactly what kinds.ts generates, it has the Okta extension's shape, and every
 * kind the builder may emit is declared in it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extensionSchema, extensionSchemaText } from '../../src/core/graph/extension.js';
import { EDGE_KINDS, NODE_KINDS, isTraversable } from '../../src/core/graph/kinds.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('the committed extension file equals the generated one (regenerate: see docs/cli.md, graph export)', () => {
  const committed = readFileSync(path.join(ROOT, 'docs/opengraph/idsync-extension.json'), 'utf8');
  assert.equal(committed, extensionSchemaText());
});

test('the shape of the Okta extension: schema block, icons and colours, traversability, environment', () => {
  const x = extensionSchema();
  assert.deepEqual(Object.keys(x.schema).sort(), ['display_name', 'name', 'namespace', 'version']);
  assert.equal(x.schema.namespace, 'IdSync');
  for (const k of x.node_kinds) {
    assert.match(k.name, /^IdSync_[A-Za-z]+$/);
    assert.match(k.color, /^#[0-9a-f]{6}$/);
    assert.ok(k.icon.length > 0);
  }
  for (const k of x.relationship_kinds) assert.equal(k.is_traversable, isTraversable(k.name));
  assert.equal(x.node_kinds.length, NODE_KINDS.length);
  assert.equal(x.relationship_kinds.length, EDGE_KINDS.length);
  // The Okta extension's semantics for the edges both share.
  const okta = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/opengraph/okta-extension-traversable.json'), 'utf8')) as Record<string, boolean>;
  for (const [name, traversable] of Object.entries(okta)) assert.equal(isTraversable(name.replace(/^Okta_/, 'IdSync_')), traversable, name);
});
