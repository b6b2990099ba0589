import { cacheSwitches, hasSnippet, toggleSnippet } from "/static/js/widgets/dependency-chain/source.js";

const code = [
  "SettingsDep = Annotated[Settings, Depends(get_settings)]",
  "",
  "def get_db(settings: SettingsDep):",
  "    yield settings",
  "",
  '@app.get("/books", dependencies=[Depends(check_key)])',
  "def books(db: Annotated[Session, Depends(get_db, use_cache=False)], settings: SettingsDep):",
  "    return []",
].join("\n");
const switches = cacheSwitches(code);
const byText = (part) => switches.find((s) => s.text.includes(part));
const snippet = "def fake():\n    return 1\n";

export default [
  { name: "one switch per declaration and per use of an alias", run: () => switches.length, expected: 5 },
  { name: "an alias is described as such", run: () => byText("SettingsDep = Annotated").line, expected: 1 },
  { name: "a route dependency", run: () => byText("route dependency").cached, expected: true },
  { name: "use_cache=False reads as not cached", run: () => byText("db of books").cached, expected: false },
  {
    name: "switching a declaration off adds use_cache=False",
    run: () => byText("route dependency").apply(code).split("\n")[5],
    expected: '@app.get("/books", dependencies=[Depends(check_key, use_cache=False)])',
  },
  {
    name: "switching it on again removes it",
    run: () => byText("db of books").apply(code).split("\n")[6],
    expected: "def books(db: Annotated[Session, Depends(get_db)], settings: SettingsDep):",
  },
  {
    name: "one use of an alias is spelled out without the cache",
    run: () => byText("settings of get_db").apply(code).split("\n")[2],
    expected: "def get_db(settings: Annotated[Settings, Depends(get_settings, use_cache=False)]):",
  },
  { name: "a switch on moved code refuses", run: () => byText("route dependency").apply("x = 1\n" + code), expected: null },
  { name: "the snippet is appended after two blank lines", run: () => toggleSnippet("app = 1\n", snippet, true), expected: "app = 1\n\n\ndef fake():\n    return 1\n" },
  { name: "and found again", run: () => hasSnippet(toggleSnippet("app = 1\n", snippet, true), snippet), expected: true },
  { name: "and taken out again", run: () => toggleSnippet(toggleSnippet("app = 1\n", snippet, true), snippet, false), expected: "app = 1\n" },
  { name: "an edited snippet cannot be taken out", run: () => toggleSnippet("app = 1\ndef fake():\n    return 2\n", snippet, false), expected: null },
];
