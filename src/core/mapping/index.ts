/**
 * Attribute mappings of outbound provisioning: the expression language (parsed
 * once when a mapping is saved, evaluated for every user pushed) and SCIM
 * targets, defaults and body building. Pure: no I/O.
 */
export { MAX_EXPRESSION_LENGTH, tokenize, type Token } from './lexer.js';
export {
  compileExpression,
  MAX_EXPRESSION_DEPTH,
  type BinaryOp,
  type CompiledExpression,
  type Expr,
} from './parser.js';
export { evaluate, referencedAttributes, type ExpressionInput } from './evaluate.js';
export { FUNCTION_NAMES, toText, truthy, type Value } from './functions.js';
export { parseTarget, targetText, type ScimTarget } from './scim-target.js';
export {
  compileMappings,
  DEFAULT_SCIM_MAPPINGS,
  mappedAttributes,
  MAX_MAPPINGS,
  validateMappings,
  type CompiledMapping,
  type Mapping,
} from './scim-default.js';
export { buildScimUser } from './scim-build.js';
