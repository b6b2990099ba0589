import { exampleUrl, generate, problems, readSpec, signatureNames, template } from "/static/js/widgets/endpoint-builder/code.js";

const param = (fields) => ({ name: "x", location: "query", type: "str", presence: "required", default: "", ge: "", le: "", max_length: "", ...fields });
const spec = (params, route = "/books") => ({ route, params: params.map(param) });
const problemsOf = (...params) => problems(spec(params)).map((p) => `${p.field}: ${p.message}`);

export default [
  { name: "path parameters go into the template", run: () => template(spec([{ name: "book_id", location: "path", type: "int" }, { name: "q" }])), expected: "/books/{book_id}" },
  { name: "the root route stays /", run: () => template(spec([], "/")), expected: "/" },
  { name: "a keyword is not a name", run: () => problemsOf({ name: "class" }), expected: ["name: class is a Python keyword."] },
  { name: "two parameters with one name", run: () => problemsOf({ name: "a" }, { name: "a" }), expected: ["name: Two parameters are called a."] },
  { name: "a name starting with a digit", run: () => problemsOf({ name: "2x" })[0].startsWith("name: A name is a Python identifier"), expected: true },
  { name: "a valid form has no problems", run: () => problemsOf({ name: "limit", type: "int", presence: "default", default: "20", ge: "1", le: "100" }), expected: [] },
  {
    name: "the generated endpoint declares constraints with Annotated",
    run: () => generate(spec([{ name: "limit", type: "int", presence: "default", default: "20", ge: "1" }])).split("\n").filter((line) => line.includes("limit")),
    expected: ["    limit: Annotated[int, Query(ge=1)] = 20,", '        "limit": _seen(limit),'],
  },
  {
    name: "required parameters come before those with defaults",
    run: () => generate(spec([{ name: "b", presence: "optional" }, { name: "a" }])).split("\n").filter((line) => /^    [ab]:/.test(line)),
    expected: ["    a: str,", "    b: str | None = None,"],
  },
  { name: "the example URL respects le", run: () => exampleUrl(spec([{ name: "n", type: "int", le: "10" }])), expected: "/books?n=10" },
  { name: "the example URL fills path values", run: () => exampleUrl(spec([{ name: "book_id", location: "path", type: "int" }])), expected: "/books/42" },
  {
    name: "the generated signature is read back in order",
    run: () => signatureNames(generate(spec([{ name: "book_id", location: "path", type: "int", ge: "1" }, { name: "q", presence: "optional" }]))),
    expected: ["book_id", "q"],
  },
  { name: "brackets and defaults do not split a parameter", run: () => signatureNames('@app.get("/")\ndef f(a: dict[str, int] = {"x": 1}, *args, **kw) -> None:\n    pass'), expected: ["a", "args", "kw"] },
  { name: "no parameters", run: () => signatureNames('@app.get("/")\nasync def f() -> dict:\n    return {}'), expected: [] },
  { name: "no route function to read", run: () => signatureNames("x = 1\n"), expected: null },
  { name: "an unclosed signature is not read", run: () => signatureNames('@app.get("/")\ndef f(a: int,'), expected: null },
  {
    name: "the form reads back every parameter it wrote (order, types, defaults, rules)",
    run: () => {
      const written = spec([
    { name: "genre", type: "Genre", presence: "default", default: "mystery" },
    { name: "book_id", location: "path", type: "int", ge: "1" },
    { name: "shelf", location: "path", type: "str", max_length: "8" },
    { name: "q", presence: "optional" },
    { name: "price", type: "float", presence: "default", default: "9.5", le: "100" },
    { name: "used", type: "bool", presence: "default", default: "true" },
    { name: "title", type: "str", presence: "default", default: 'say "hi"' },
  ], "/shop/books");
      const read = readSpec(generate(written));
      return read.unread.length === 0 && generate(read.spec) === generate(written) && read.spec.route === "/shop/books";
    },
    expected: true,
  },
  {
    name: "a hand rename is read, and what the form cannot write is named",
    run: () => readSpec('@app.post("/items/{item_id}/x")\nasync def get_item(item_id: int, tags: list[str] = [], q: str = None) -> dict:\n    return {}').unread,
    expected: [
      "the method: @app.post(...) (the form writes GET endpoints)",
      "the function's name get_item (the form writes echo_params)",
      'the path "/items/{item_id}/x": the form puts path parameters at its end',
      "tags's type list[str] is not one the form offers (int, str, bool, float, Genre)",
      "q's default None is not a str the form can write",
    ],
  },
  {
    name: "the parameters the form can show are kept when others cannot be",
    run: () => readSpec('@app.get("/books/{book_id}")\ndef echo_params(book_id: int, limit: Annotated[int, Query(ge=1)] = 20, x = 3) -> dict:\n    return {}').spec,
    expected: {
      route: "/books",
      params: [
        { name: "book_id", location: "path", type: "int", presence: "required", default: "", ge: "", le: "", max_length: "" },
        { name: "limit", location: "query", type: "int", presence: "default", default: "20", ge: "1", le: "", max_length: "" },
      ],
    },
  },
  { name: "no endpoint to read", run: () => readSpec("x = 1\n").spec, expected: null },
];
