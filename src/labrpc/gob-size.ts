/**
 * How many bytes labgob (Go's encoding/gob) would put on the wire for an
 * RPC's arguments or reply, so that the lab's byte checks (TestRPCBytes2B)
 * are exactly as strict here as in Go. The network still carries the compact
 * codec's bytes; only the counters read these sizes.
 *
 * labrpc encodes every request and every reply with a fresh gob encoder, so
 * each message carries the descriptions of its struct and slice types before
 * its value: that is why an empty AppendEntries costs about 200 bytes in Go.
 * A plain value is read as the Go value a lab solution would send:
 * - an object is a struct whose fields are its keys, capitalised
 *   (`prevLogIndex` is `PrevLogIndex`); the top-level struct is named
 *   `<Method>Args` or `<Method>Reply`, a nested one after its field, and the
 *   element of an array of objects `LogEntry`;
 * - a field called `command` is `interface{}`, as the lab's ApplyMsg.Command
 *   is, so its value carries its concrete type's name (`int`, `string`);
 * - an integer is an `int`, another number a `float64`, a Uint8Array a
 *   `[]byte`, null or undefined a nil interface, an array a slice (an empty
 *   one a `[]LogEntry`, whose type gob describes even when it holds nothing).
 * As gob does, fields holding zero values (0, false, "", empty slices, nil)
 * are left out of the value but never out of the type.
 */

type Scalar = 'int' | 'float' | 'bool' | 'string' | 'bytes' | 'interface';
type GoType =
  | { readonly kind: Scalar }
  | { readonly kind: 'slice'; readonly name: string; readonly elem: GoType }
  | { readonly kind: 'struct'; readonly name: string; readonly fields: readonly GoField[] };
interface GoField {
  readonly name: string;
  readonly key: string;
  readonly type: GoType;
}

/** gob's predefined type ids (encoding/gob type.go), each one byte on the wire as a signed int. */
const BUILTIN_ID: Record<Scalar, number> = { bool: 1, int: 2, float: 4, bytes: 5, string: 6, interface: 8 };
/**
 * User types get ids from 65 on, in a Go test process never past 127, and a
 * signed int in that range (or its negative, which names a definition) takes
 * two bytes.
 */
const USER_ID_BYTES = 2;
/** The Go names labgob registers the builtin types under, which an interface value carries. */
const CONCRETE_NAME: Record<Exclude<Scalar, 'interface'>, string> = {
  int: 'int',
  float: 'float64',
  bool: 'bool',
  string: 'string',
  bytes: '[]uint8',
};

const INT: GoType = { kind: 'int' };
const FLOAT: GoType = { kind: 'float' };
const BOOL: GoType = { kind: 'bool' };
const STRING: GoType = { kind: 'string' };
const BYTES: GoType = { kind: 'bytes' };
const INTERFACE: GoType = { kind: 'interface' };
/** The log entry of a lab solution, assumed for an empty array (gob describes the type all the same). */
const LOG_ENTRY_NAME = 'LogEntry';
const LOG_ENTRY: GoType = {
  kind: 'struct',
  name: LOG_ENTRY_NAME,
  fields: [
    { name: 'Term', key: 'term', type: INT },
    { name: 'Command', key: 'command', type: INTERFACE },
  ],
};

/**
 * Sizes the messages of one network. A Go type never changes, so each
 * message type is worked out once, from the first value sent under its name,
 * with its definitions' size; only values are sized per message after that.
 * A type worked out from an empty array (whose element type was assumed) is
 * worked out again from the first value whose arrays are not empty. The
 * cache lives with the network, so a run's sizes depend on that run alone
 * (a type in it may have been worked out for an earlier network, but only
 * for a value that would give the same one: see knownTypeOf).
 */
export class GobSizer {
  private readonly types = new Map<string, KnownType>();
  /** The same types, by method, so that a message's size needs no type name built for it. */
  private readonly requestTypes = new Map<string, KnownType>();
  private readonly replyTypes = new Map<string, KnownType>();

  requestSize(method: string, args: unknown): number {
    return this.sizeBy(this.requestTypes, method, 'Args', args);
  }

  replySize(method: string, reply: unknown): number {
    return this.sizeBy(this.replyTypes, method, 'Reply', reply);
  }

  /** The bytes labgob would encode `value` into, as a value of the Go type `typeName`. */
  size(value: unknown, typeName: string): number {
    return measure(this.typeFor(typeName, value), value);
  }

  private sizeBy(byMethod: Map<string, KnownType>, method: string, suffix: string, value: unknown): number {
    let known = byMethod.get(method);
    // The common case: a message with just the fields of the last one, in the same order.
    if (known !== undefined && !known.assumed && known.type.kind === 'struct') {
      const size = structSizeInOrder(known.type, value as Record<string, unknown>);
      if (size >= 0) return known.definitionsSize + message(USER_ID_BYTES + size);
    }
    if (known === undefined || !fits(known, value)) {
      known = this.typeFor(method + suffix, value);
      byMethod.set(method, known);
    }
    return measure(known, value);
  }

  /** The Go type of messages named `typeName`, worked out afresh if `value` shows the one known is not it. */
  private typeFor(typeName: string, value: unknown): KnownType {
    let known = this.types.get(typeName);
    if (known === undefined || !fits(known, value)) {
      known = knownTypeOf(typeName, value);
      this.types.set(typeName, known);
    }
    return known;
  }
}

/**
 * The types worked out so far in this process, by type name, for every
 * network: each run (a network each) works out the same few message types,
 * and doing it afresh made the inference code hot enough for the engine to
 * compile it in the middle of a benchmark's passes, at a cost of tens of ms,
 * where a pass spends well under one on inferring. A type is reused only for
 * a value it is exactly the type of (`isMessageTypeOf`), so a run's sizes still
 * depend on that run alone. Types are never changed once made.
 */
const knownTypes = new Map<string, KnownType[]>();
/** Bounds the types kept for one name, for a Raft whose messages change shape as it runs: later ones are worked out each time. */
const KNOWN_TYPES_PER_NAME = 8;

/** The Go type of `value` as a message named `typeName`, with its definitions' size: one worked out before if it is exactly that. */
function knownTypeOf(typeName: string, value: unknown): KnownType {
  const known = knownTypes.get(typeName);
  if (known !== undefined) {
    for (let k = 0; k < known.length; k++) {
      const candidate = known[k]!;
      const inference = { assumed: false };
      if (isMessageTypeOf(candidate.type, value, inference) && inference.assumed === candidate.assumed) return candidate;
    }
  }
  const inferred = { assumed: false };
  const type = typeOf(value, typeName, inferred);
  const made: KnownType = { type, definitionsSize: definitionsSize(type, new Set()), assumed: inferred.assumed };
  if (known === undefined) knownTypes.set(typeName, [made]);
  else if (known.length < KNOWN_TYPES_PER_NAME) known.push(made);
  return made;
}

interface KnownType {
  readonly type: GoType;
  /** The bytes of the type definitions a fresh encoder sends before the value. */
  readonly definitionsSize: number;
  /** The type assumed an element type for an empty array. */
  readonly assumed: boolean;
}

/** Whether `value` is of the known type: not a first look at arrays assumed empty, and no field the type lacks. */
function fits(known: KnownType, value: unknown): boolean {
  return !(known.assumed && !hasEmptyArray(value)) && !hasMoreFields(value, known.type);
}

function measure(known: KnownType, value: unknown): number {
  const { type } = known;
  if (type.kind === 'struct') return known.definitionsSize + message(USER_ID_BYTES + structSize(type, value as Record<string, unknown>));
  // A value that is not a struct goes as a singleton: field delta 0, then the value.
  return known.definitionsSize + message(idSize(type) + 1 + valueSize(type, value));
}

/** The bytes labgob would encode `value` into, as a value of the Go type `typeName` (uncached). */
export function gobSize(value: unknown, typeName: string): number {
  return new GobSizer().size(value, typeName);
}

export function gobRequestSize(method: string, args: unknown): number {
  return gobSize(args, `${method}Args`);
}

export function gobReplySize(method: string, reply: unknown): number {
  return gobSize(reply, `${method}Reply`);
}

/** Whether a value has fields its cached type lacks (a field a first message left out). */
function hasMoreFields(value: unknown, type: GoType): boolean {
  if (type.kind !== 'struct' || typeof value !== 'object' || value === null) return false;
  // Counted without allocating a list of the keys: this runs for every message.
  let count = 0;
  for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) count++;
  return count > type.fields.length;
}

/** Whether a message has an empty array among its fields (or is one), whose element type is unknown. */
function hasEmptyArray(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return false;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (Array.isArray(v) && v.length === 0) return true;
  }
  return false;
}

// ---- The Go type of a plain value -------------------------------------------

/** Notes whether a type had to assume an element type for an empty array. */
interface Inference {
  assumed: boolean;
}

function typeOf(value: unknown, name: string, inference: Inference): GoType {
  if (Array.isArray(value)) return sliceOf(value, inference);
  if (isPlainStruct(value)) return structOf(value, name, inference);
  // Anything else is not an object, or null, or bytes.
  return scalarTypeOf(value)!;
}

/**
 * Whether typeOf would make of `value` a type the same as `type` (the
 * message type named as the cache says), noting in `inference` what it would
 * note. It answers only for what Raft messages are, a struct of scalars and
 * of slices of structs of scalars, and says no to anything else, which is
 * then worked out afresh: an answer of yes is always exact. One level of
 * nesting, walked without recursion, keeps this small for the engine to
 * compile: the check runs a few times a run, often enough to be optimised.
 */
function isMessageTypeOf(type: GoType, value: unknown, inference: Inference): boolean {
  if (type.kind !== 'struct' || !isPlainStruct(value)) return false;
  const fields = type.fields;
  let index = 0;
  // The own enumerable keys, in Object.keys order, as structOf reads them.
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const field = fields[index];
    if (field === undefined || field.key !== key) return false;
    const v = value[key];
    if (key === 'command' || field.type.kind !== 'slice') {
      // A command is an interface{} whatever it holds, and structOf does not look into it.
      if (key !== 'command' && scalarTypeOf(v) !== field.type) return false;
    } else if (!isSliceOfFlatStructs(field.type, v, inference)) {
      return false;
    }
    index++;
  }
  return index === fields.length;
}

/** Whether sliceOf would make `type` of `items`: an empty array, or one of objects that are all of its element type. */
function isSliceOfFlatStructs(type: Extract<GoType, { kind: 'slice' }>, items: unknown, inference: Inference): boolean {
  if (!Array.isArray(items)) return false;
  if (items.length === 0) {
    inference.assumed = true;
    return type.elem === LOG_ENTRY;
  }
  const elem = type.elem;
  if (elem.kind !== 'struct' || elem === LOG_ENTRY) return false;
  const fields = elem.fields;
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (!isPlainStruct(item)) return false;
    let index = 0;
    for (const key in item) {
      if (!Object.prototype.hasOwnProperty.call(item, key)) continue;
      const field = fields[index];
      if (field === undefined || field.key !== key) return false;
      if (key !== 'command' && scalarTypeOf(item[key]) !== field.type) return false;
      index++;
    }
    if (index !== fields.length) return false;
  }
  return true;
}

/** An object typeOf makes a struct of: not null, an array or bytes. */
function isPlainStruct(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** The type typeOf makes of a value that is not a struct or a slice; undefined for those. */
function scalarTypeOf(value: unknown): GoType | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? INT : FLOAT;
    case 'string':
      return STRING;
    case 'boolean':
      return BOOL;
    case 'object':
      if (value === null) return INTERFACE;
      return value instanceof Uint8Array ? BYTES : undefined;
    default:
      return INTERFACE;
  }
}

function structOf(value: Record<string, unknown>, name: string, inference: Inference): GoType {
  // Pushed, not made with map(): map's array is packed while this function
  // runs unoptimised and holey once the engine optimises it, and every sizing
  // function reading `fields` threw its optimised code away on meeting the
  // second kind (recompiles in the middle of a pass).
  const fields: GoField[] = [];
  for (const key of Object.keys(value)) {
    const fieldName = key.charAt(0).toUpperCase() + key.slice(1);
    const type = key === 'command' ? INTERFACE : typeOf(value[key], fieldName, inference);
    fields.push({ name: fieldName, key, type });
  }
  return { kind: 'struct', name, fields };
}

function sliceOf(items: readonly unknown[], inference: Inference): GoType {
  let elem: GoType;
  if (items.length === 0) {
    elem = LOG_ENTRY;
    inference.assumed = true;
  } else {
    elem = typeOf(items[0], LOG_ENTRY_NAME, inference);
    // Elements of different kinds can only be held by a []interface{}.
    if (items.some((item) => typeOf(item, LOG_ENTRY_NAME, inference).kind !== elem.kind)) elem = INTERFACE;
  }
  return { kind: 'slice', name: `[]${goName(elem)}`, elem };
}

/** The name gob gives a type as Go prints it, package-qualified as in the lab's package raft. */
function goName(type: GoType): string {
  switch (type.kind) {
    case 'struct':
      return `raft.${type.name}`;
    case 'slice':
      return type.name;
    case 'interface':
      return 'interface {}';
    default:
      return CONCRETE_NAME[type.kind];
  }
}

// ---- Type definitions: one message per struct or slice type ------------------

/** The definition messages a fresh encoder sends before a value of `type`, in gob's order. */
function definitionsSize(type: GoType, sent: Set<string>): number {
  if (type.kind === 'struct') {
    if (sent.has(type.name)) return 0;
    sent.add(type.name);
    let size = message(USER_ID_BYTES + wireStructSize(type));
    for (const field of type.fields) size += definitionsSize(field.type, sent);
    return size;
  }
  if (type.kind === 'slice') {
    if (sent.has(type.name)) return 0;
    sent.add(type.name);
    return message(USER_ID_BYTES + wireSliceSize(type)) + definitionsSize(type.elem, sent);
  }
  return 0;
}

/** A wireType with StructT set: delta, structType{CommonType, Field []fieldType}, end. */
function wireStructSize(type: Extract<GoType, { kind: 'struct' }>): number {
  let fields = 0;
  for (const field of type.fields) fields += 1 + stringSize(field.name) + 1 + idSize(field.type) + 1;
  const fieldList = type.fields.length === 0 ? 0 : 1 + uintSize(type.fields.length) + fields;
  return 1 + (1 + commonTypeSize(type.name) + fieldList + 1) + 1;
}

/** A wireType with SliceT set: delta, sliceType{CommonType, Elem}, end. */
function wireSliceSize(type: Extract<GoType, { kind: 'slice' }>): number {
  return 1 + (1 + commonTypeSize(type.name) + 1 + idSize(type.elem) + 1) + 1;
}

/** CommonType{Name, Id}: two fields with their deltas, then the end of the struct. */
function commonTypeSize(name: string): number {
  return 1 + stringSize(name) + 1 + USER_ID_BYTES + 1;
}

function idSize(type: GoType): number {
  return type.kind === 'struct' || type.kind === 'slice' ? USER_ID_BYTES : intSize(BUILTIN_ID[type.kind]);
}

// ---- Values -------------------------------------------------------------------

/** A struct's fields that hold non-zero values, each after its field-number delta, then a 0. */
function structSize(type: Extract<GoType, { kind: 'struct' }>, value: Record<string, unknown>): number {
  let size = 1;
  let last = -1;
  const fields = type.fields;
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index]!;
    const v = value[field.key];
    if (v === undefined || v === null || isZero(field.type, v)) continue;
    size += uintSize(index - last) + valueSize(field.type, v);
    last = index;
  }
  return size;
}

/**
 * What structSize gives, for a value whose own keys are the type's fields in
 * the type's order (a message built like the one the type was worked out
 * from); -1 for any other value. Walking the value's own keys, rather than
 * looking each field up by name, is the engine's fast path for plain objects.
 */
function structSizeInOrder(type: Extract<GoType, { kind: 'struct' }>, value: Record<string, unknown>): number {
  let size = 1;
  let last = -1;
  let index = 0;
  const fields = type.fields;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const field = fields[index];
    if (field === undefined || field.key !== key) return -1;
    const v = value[key];
    if (!(v === undefined || v === null || isZero(field.type, v))) {
      size += uintSize(index - last) + valueSize(field.type, v);
      last = index;
    }
    index++;
  }
  return index === fields.length ? size : -1;
}

function isZero(type: GoType, v: unknown): boolean {
  switch (type.kind) {
    case 'struct':
      return false;
    case 'slice':
      return (v as unknown[]).length === 0;
    case 'bytes':
      return (v as Uint8Array).length === 0;
    case 'interface':
      return v === null || v === undefined;
    default:
      return v === 0 || v === false || v === '';
  }
}

/** A value in full, zero or not (as slice elements and interface contents are sent). */
function valueSize(type: GoType, v: unknown): number {
  switch (type.kind) {
    case 'int':
      return intSize(v as number);
    case 'float':
      return floatSize(v as number);
    case 'bool':
      return 1;
    case 'string':
      return stringSize(v as string);
    case 'bytes': {
      const n = (v as Uint8Array).length;
      return uintSize(n) + n;
    }
    case 'slice': {
      const items = v as unknown[];
      let size = uintSize(items.length);
      for (const item of items) size += valueSize(type.elem, item);
      return size;
    }
    case 'struct': {
      const size = structSizeInOrder(type, v as Record<string, unknown>);
      return size >= 0 ? size : structSize(type, v as Record<string, unknown>);
    }
    case 'interface':
      return interfaceSize(v);
  }
}

/**
 * An interface value: the concrete type's registered name, its definitions
 * if it has any, its id, then the value as a length-prefixed message of its
 * own (a singleton, delta 0, unless it is a struct). Nil is a lone 0.
 */
function interfaceSize(v: unknown): number {
  if (v === null || v === undefined) return 1;
  // The commands the lab sends, without working out their type each time.
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 63) return INT_IN_INTERFACE + message(1 + intSize(v));
  if (typeof v === 'string') return STRING_IN_INTERFACE + message(1 + stringSize(v));
  const type = typeOf(v, 'Command', { assumed: false });
  const name = type.kind === 'interface' ? 'interface {}' : goName(type);
  const data = type.kind === 'struct' ? structSize(type, v as Record<string, unknown>) : 1 + valueSize(type, v);
  return stringSize(name) + definitionsSize(type, new Set()) + idSize(type) + message(data);
}

/** What an int or a string in an interface costs before its value: its type's name and id (no definitions). */
const INT_IN_INTERFACE = stringSize(CONCRETE_NAME.int) + idSize(INT);
const STRING_IN_INTERFACE = stringSize(CONCRETE_NAME.string) + idSize(STRING);

/** A message is its length as an unsigned int, then its bytes. */
function message(length: number): number {
  return uintSize(length) + length;
}

function stringSize(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  return uintSize(n) + n;
}

/** gob's unsigned int: one byte below 128, else a byte count and the big-endian bytes. */
function uintSize(u: number): number {
  if (u < 128) return 1;
  // Comparisons, not division: this runs for every field of every message.
  if (u < 0x100) return 2;
  if (u < 0x1_0000) return 3;
  if (u < 0x100_0000) return 4;
  if (u < 0x1_0000_0000) return 5;
  if (u < 0x100_0000_0000) return 6;
  if (u < 0x1_0000_0000_0000) return 7;
  // Up to 2^56, and 2^64: an int53 command, zig-zagged, is up to 2^54.
  if (u < 0x100_0000_0000_0000) return 8;
  if (u < 2 ** 64) return 9;
  let bytes = 1;
  // Division, not shifts: sizes and zig-zagged ints exceed 32 bits.
  for (let x = Math.floor(u / 256); x > 0; x = Math.floor(x / 256)) bytes++;
  return 1 + bytes;
}

/** A signed int goes as an unsigned one: the value doubled, with the sign in the low bit. */
function intSize(i: number): number {
  // Doubling stays exact below 2^53, and a byte count only changes at powers of 256.
  return uintSize(i >= 0 ? 2 * i : -2 * i - 1);
}

/** A float goes as an unsigned int of its IEEE bits with the bytes reversed, so small exponents stay short. */
function floatSize(f: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f, true);
  const bits = view.getBigUint64(0, false);
  if (bits < 128n) return 1;
  let bytes = 0;
  for (let x = bits; x > 0n; x >>= 8n) bytes++;
  return 1 + bytes;
}
