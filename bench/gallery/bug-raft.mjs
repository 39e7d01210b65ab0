// @ts-check
/**
 * One gallery bug as a `--raft` module, so that the gallery runs it on the
 * runner's worker pool like any user's Raft. The module URL's query names the
 * bug, `bug-raft.mjs?bug=<id>`; each query is a module of its own.
 */
import { reference } from '../../dist/raft/index.js';
import { bugFactory, findBug } from './bugs.mjs';

const id = new URL(import.meta.url).searchParams.get('bug') ?? '';
const bug = findBug(id);
if (bug === undefined) throw new Error(`no gallery bug "${id}"; see bench/gallery/bugs.mjs`);

export const make = bugFactory(bug, reference).make;
