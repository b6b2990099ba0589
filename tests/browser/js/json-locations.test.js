import { codePointToIndex, lineAndColumn, locateJson, pathKey } from "/static/js/kit/json-locations.js";

const text = '{\n  "title": "Dune",\n  "tags": ["a", {"b": 1}]\n}';
const places = locateJson(text);
const at = (path) => {
  const place = places.get(pathKey(path));
  return place ? text.slice(place.from, place.to) : null;
};

export default [
  { name: "the root spans the whole text", run: () => at([]), expected: text },
  { name: "a member's value", run: () => at(["title"]), expected: '"Dune"' },
  { name: "a member's key", run: () => { const p = places.get(pathKey(["title"])); return text.slice(p.keyFrom, p.keyTo); }, expected: '"title"' },
  { name: "a list item", run: () => at(["tags", 0]), expected: '"a"' },
  { name: "a member of an object in a list", run: () => at(["tags", 1, "b"]), expected: "1" },
  { name: "a path that is not there", run: () => at(["year"]), expected: null },
  { name: "line and column of an offset", run: () => lineAndColumn(text, text.indexOf('"tags"')), expected: { line: 3, column: 3 } },
  { name: "broken text keeps what came before", run: () => { const broken = locateJson('{"a": 1, "b": '); return broken.has(pathKey(["a"])); }, expected: true },
  { name: "the last duplicate key wins, as in Python", run: () => { const dup = '{"a": 1, "a": 22}'; const p = locateJson(dup).get(pathKey(["a"])); return dup.slice(p.from, p.to); }, expected: "22" },
  { name: "code points, not UTF-16 units", run: () => codePointToIndex("😀x", 1), expected: 2 },
];
