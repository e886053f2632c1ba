/**
 * The BloodHound 9+ extension schema for the IdSync kinds (the format of
 * reference/opengraph/okta-extension/schema.json): node kinds with icon and
 * colour, relationship kinds with traversability, and the environment an export
 * describes. Generated from kinds.ts; docs/opengraph/idsync-extension.json is
 * this function's output, checked by a test.
 */
import { EDGE_KINDS, EXTENSION_DISPLAY_NAME, EXTENSION_NAME, EXTENSION_VERSION, GRAPH_NAMESPACE, NODE_KINDS, SOURCE_KIND } from './kinds.js';

export interface ExtensionSchema {
  schema: { name: string; display_name: string; version: string; namespace: string };
  node_kinds: { name: string; display_name: string; description: string; is_display_kind: boolean; icon: string; color: string }[];
  relationship_kinds: { name: string; description: string; is_traversable: boolean }[];
  environments: { environment_kind: string; source_kind: string; principal_kinds: string[] }[];
  relationship_findings: never[];
}

export function extensionSchema(): ExtensionSchema {
  return {
    schema: { name: EXTENSION_NAME, display_name: EXTENSION_DISPLAY_NAME, version: EXTENSION_VERSION, namespace: GRAPH_NAMESPACE },
    node_kinds: NODE_KINDS.map((k) => ({ name: k.name, display_name: k.displayName, description: k.description, is_display_kind: true, icon: k.icon, color: k.color })),
    relationship_kinds: EDGE_KINDS.map((k) => ({ name: k.name, description: k.description, is_traversable: k.traversable })),
    environments: [
      {
        environment_kind: 'IdSync_Org',
        source_kind: SOURCE_KIND,
        principal_kinds: ['IdSync_User', 'IdSync_Group', 'IdSync_ApiToken', 'IdSync_ApiClient'],
      },
    ],
    relationship_findings: [],
  };
}

/** The file's bytes: two-space JSON with a final newline, so the committed copy diffs cleanly. */
export function extensionSchemaText(): string {
  return `${JSON.stringify(extensionSchema(), null, 2)}\n`;
}
