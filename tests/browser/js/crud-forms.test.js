import { buildRequest, describeRequest } from "/static/js/widgets/crud-explorer/forms.js";

const create = { method: "POST", path: "/books" };
const read = { method: "GET", path: "/books/{book_id}" };
const update = { method: "PATCH", path: "/books/{book_id}" };
const field = (name, value, extra = {}) => ({ name, value, type: "str", optional: false, ...extra });

export default [
  {
    name: "a create form sends its fields as JSON, numbers as numbers",
    run: () => buildRequest(create, [field("title", "Kindred"), field("author_id", " 2 ", { type: "int" })]),
    expected: { request: { method: "POST", path: "/books", json_body: { title: "Kindred", author_id: 2 } } },
  },
  {
    name: "a path field goes into the path, and a GET has no body",
    run: () => buildRequest(read, [field("book_id", "4", { type: "int" })]),
    expected: { request: { method: "GET", path: "/books/4" } },
  },
  {
    name: "a blank optional field is left out of a partial update",
    run: () => buildRequest(update, [field("book_id", "1", { type: "int" }), field("title", "Dune"), field("isbn", "", { optional: true })]),
    expected: { request: { method: "PATCH", path: "/books/1", json_body: { title: "Dune" } } },
  },
  {
    name: "a blank required text field is sent empty, for the app to judge",
    run: () => buildRequest(create, [field("title", "")]),
    expected: { request: { method: "POST", path: "/books", json_body: { title: "" } } },
  },
  {
    name: "a number field with words is refused with a sentence",
    run: () => buildRequest(read, [field("book_id", "one", { type: "int" })]),
    expected: { error: 'book_id must be a whole number (it is "one").' },
  },
  {
    name: "an empty number field is refused",
    run: () => buildRequest(read, [field("book_id", "", { type: "int" })]),
    expected: { error: "book_id must be a whole number (it is empty)." },
  },
  {
    name: "a text path field is URL-encoded",
    run: () => buildRequest({ method: "GET", path: "/authors/{name}" }, [field("name", "Le Guin/U")]),
    expected: { request: { method: "GET", path: "/authors/Le%20Guin%2FU" } },
  },
  {
    name: "a call described in one line",
    run: () => describeRequest({ method: "POST", path: "/books", json_body: { title: "Dune" } }),
    expected: 'POST /books {"title":"Dune"}',
  },
];
