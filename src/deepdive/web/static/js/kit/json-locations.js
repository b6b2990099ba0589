// Where each value sits in a JSON text, so an error's `loc` can be marked on the line the learner
// typed. Reading follows Python's json module (NaN and Infinity allowed, last duplicate key wins);
// on broken text it keeps whatever it found before the break.

/**
 * Read `text` and return a Map from a path key (see `pathKey`) to
 * {keyFrom, keyTo, from, to}: offsets (UTF-16, as in the string) of the member's key, if any, and
 * of its value. The root value has the path [].
 */
export function locateJson(text) {
  const places = new Map();
  let at = 0;

  const fail = () => {
    throw new SyntaxError(`unexpected text at ${at}`);
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at])) at += 1;
  };
  const string = () => {
    if (text[at] !== '"') fail();
    at += 1;
    while (at < text.length && text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    if (at >= text.length) fail();
    at += 1;
  };
  const literal = () => {
    const match = /^(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)/.exec(text.slice(at, at + 400));
    if (!match) fail();
    at += match[0].length;
  };

  function value(path, keyFrom, keyTo) {
    space();
    const from = at;
    const place = { keyFrom, keyTo, from, to: from };
    places.set(pathKey(path), place);
    if (text[at] === "{") {
      at += 1;
      space();
      if (text[at] === "}") at += 1;
      else {
        for (;;) {
          space();
          const start = at;
          string();
          const name = JSON.parse(text.slice(start, at));
          const end = at;
          space();
          if (text[at] !== ":") fail();
          at += 1;
          value([...path, name], start, end);
          space();
          if (text[at] === ",") at += 1;
          else if (text[at] === "}") { at += 1; break; }
          else fail();
        }
      }
    } else if (text[at] === "[") {
      at += 1;
      space();
      if (text[at] === "]") at += 1;
      else {
        for (let index = 0; ; index += 1) {
          value([...path, index]);
          space();
          if (text[at] === ",") at += 1;
          else if (text[at] === "]") { at += 1; break; }
          else fail();
        }
      }
    } else if (text[at] === '"') string();
    else literal();
    place.to = at;
  }

  try {
    value([]);
  } catch (e) {
    /* broken JSON: keep what was found before the break */
  }
  return places;
}

/** The Map key for a path such as ["authors", 1, "name"]. */
export function pathKey(path) {
  return JSON.stringify(path);
}

/** Python counts positions in code points; JavaScript strings count UTF-16 units. */
export function codePointToIndex(text, position) {
  let index = 0;
  for (let seen = 0; seen < position && index < text.length; seen += 1) {
    index += text.codePointAt(index) > 0xffff ? 2 : 1;
  }
  return index;
}

/** {line, column}, both 1-based, of a UTF-16 offset in `text`. */
export function lineAndColumn(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
